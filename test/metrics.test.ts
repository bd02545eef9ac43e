import { bytesToBase64 } from '@holdfast/protocol';
import { type RunningServer, startServer } from '@holdfast/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Family, parsePrometheusText, sampleValue, scrape } from './support/prom-text.js';
import { RawClient } from './support/raw-client.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the Prometheus text parser the tests use is strict', () => {
  const ok = '# HELP a_total A.\n# TYPE a_total counter\na_total{x="1"} 3\n';
  it('parses a counter with labels', () => {
    expect(sampleValue(parsePrometheusText(ok), 'a_total', { x: '1' })).toBe(3);
  });
  it.each([
    ['no final newline', ok.trimEnd()],
    ['a bad metric name', '9x 1\n'],
    ['an unquoted label value', 'a{x=1} 1\n'],
    ['a bad escape', 'a{x="\\t"} 1\n'],
    ['a bad value', 'a 1,5\n'],
    ['a duplicate series', 'a{x="1"} 1\na{x="1"} 2\n'],
    ['a negative counter', '# TYPE a counter\na -1\n'],
    ['TYPE after samples', 'a 1\n# TYPE a gauge\n'],
    ['a family split in two', 'a 1\nb 1\na{x="2"} 1\n'],
    ['a histogram without +Inf', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n'],
    [
      'a histogram whose buckets go down',
      '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n',
    ],
  ])('refuses %s', (_what, text) => {
    expect(() => parsePrometheusText(text)).toThrow();
  });
});

describe('/metrics', () => {
  let server: RunningServer;
  const clients: RawClient[] = [];

  beforeAll(async () => {
    server = await startServer({
      port: 0,
      apps: [{ appId: 'demo' }],
      limits: { maxBroadcasters: 1 },
      logLevel: 'silent',
      nodeId: 'metrics-node',
    });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await server?.close();
  });

  async function raw(join: Record<string, unknown>): Promise<RawClient> {
    const c = await RawClient.connect(server.url);
    clients.push(c);
    c.send({
      type: 'join',
      v: 1,
      appId: 'demo',
      channel: 'room',
      uid: 1,
      role: 'broadcaster',
      profile: 'communication',
      ...join,
    });
    return c;
  }
  const stream = (seq: number) => ({
    type: 'stream',
    streamId: 1,
    epoch: 9,
    seq,
    data: bytesToBase64(new Uint8Array(8).fill(seq)),
    sentTs: Date.now(),
  });
  const metrics = () => scrape(`${server.httpUrl}/metrics`);
  const value = (m: Map<string, Family>, name: string, labels: Record<string, string> = {}) =>
    sampleValue(m, name, { node: 'metrics-node', ...labels });

  it('counts joins, refusals by reason, resumes, offline events, state reports, stream messages and frames', async () => {
    const before = await metrics();
    expect(value(before, 'holdfast_joins_total', { session_expired: 'false' })).toBe(0);
    expect(value(before, 'holdfast_connections')).toBe(0);
    expect(value(before, 'holdfast_ready')).toBe(1);

    // Two members of "room" (a broadcaster and an audience member) and a live-broadcast viewer.
    const a = await raw({ uid: 1 });
    const aJoined = await a.next('joined');
    const b = await raw({ uid: 2, role: 'audience' });
    await b.next('joined');
    const viewer = await raw({ channel: 'live', uid: 5, role: 'audience', profile: 'live' });
    await viewer.next('joined');
    // Refused: a second broadcaster (the limit is 1), an unknown app, a bad channel name.
    expect((await (await raw({ uid: 3 })).next('end')).code).toBe('too_many_broadcasters');
    expect((await (await raw({ appId: 'nope' })).next('end')).code).toBe('invalid_app_id');
    expect((await (await raw({ channel: 'x'.repeat(65) })).next('end')).code).toBe('invalid_channel_name');
    // Three messages stored, one refused (an audience member in live broadcasting may not send).
    for (let seq = 1; seq <= 3; seq++) a.send(stream(seq));
    viewer.send(stream(1));
    expect((await viewer.next('stream_refused')).code).toBe('not_broadcaster');
    await a.ping(1);
    // What b's SDK went through, as it reports it (an unknown reason is counted as "other").
    const at = Date.now();
    b.send({
      type: 'report',
      states: [
        { at, state: 'reconnecting', reason: 'interrupted' },
        { at, state: 'connected', reason: 'rejoin_success' },
        { at, state: 'connected', reason: 'made-up' },
      ],
    });
    await b.ping(1);
    b.send({ type: 'leave' });
    await b.next('left');
    // a's socket breaks and a resumes its session on a new one.
    await a.close();
    // (The resume secret, where this protocol version has one.)
    const secret = (aJoined as { resumeSecret?: string }).resumeSecret;
    const resume = { sessionId: aJoined.sessionId, lastSeq: aJoined.seq, ...(secret ? { secret } : {}) };
    const a2 = await raw({ uid: 1, resume });
    expect((await a2.next('joined')).resumed).toBe(true);
    await sleep(100);

    const m = await metrics();
    for (const f of m.values())
      for (const s of f.samples) expect(s.labels.node, `${s.name} has the node label`).toBe('metrics-node');
    expect(value(m, 'holdfast_joins_total', { session_expired: 'false' })).toBe(3);
    expect(value(m, 'holdfast_joins_total', { session_expired: 'true' })).toBe(0);
    expect(value(m, 'holdfast_resumes_total')).toBe(1);
    expect(value(m, 'holdfast_join_refusals_total', { reason: 'too_many_broadcasters' })).toBe(1);
    expect(value(m, 'holdfast_join_refusals_total', { reason: 'invalid_app_id' })).toBe(1);
    expect(value(m, 'holdfast_join_refusals_total', { reason: 'invalid_channel_name' })).toBe(1);
    expect(value(m, 'holdfast_offline_events_total', { reason: 'quit' })).toBe(1);
    expect(value(m, 'holdfast_offline_events_total', { reason: 'dropped' })).toBe(0);
    const report = (state: string, reason: string) =>
      value(m, 'holdfast_client_state_reports_total', { state, reason });
    expect(report('reconnecting', 'interrupted')).toBe(1);
    expect(report('connected', 'rejoin_success')).toBe(1);
    expect(report('connected', 'other')).toBe(1);
    expect(value(m, 'holdfast_stream_messages_accepted_total')).toBe(3);
    expect(value(m, 'holdfast_stream_messages_refused_total', { code: 'not_broadcaster' })).toBe(1);
    expect(value(m, 'holdfast_stream_messages_refused_total', { code: 'too_often' })).toBe(0);
    // 7 joins + 3 + 1 messages + 2 pings + a report + a leave.
    expect(value(m, 'holdfast_frames_received_total')).toBe(15);
    expect(value(m, 'holdfast_frames_sent_total')).toBeGreaterThanOrEqual(10);
    // 4 joined frames (3 fresh, 1 resume): each one observed once in the latency histogram.
    expect(value(m, 'holdfast_join_duration_seconds_count')).toBe(4);
    expect(value(m, 'holdfast_join_duration_seconds_bucket', { le: '+Inf' })).toBe(4);
    expect(value(m, 'holdfast_join_duration_seconds_sum')).toBeGreaterThan(0);
    expect(m.get('holdfast_join_duration_seconds')?.type).toBe('histogram');
    // Gauges, computed at scrape time: a2 and the viewer are connected, in two channels.
    expect(value(m, 'holdfast_sessions', { phase: 'attached' })).toBe(2);
    expect(value(m, 'holdfast_sessions', { phase: 'detached' })).toBe(0);
    expect(value(m, 'holdfast_channels')).toBe(2);
    expect(value(m, 'holdfast_connections')).toBe(2);
    expect(value(m, 'holdfast_engine_errors_total', { op: 'heartbeat' })).toBe(0);
    expect(value(m, 'holdfast_draining')).toBe(0);
    // The process and event-loop metrics come along.
    expect(value(m, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(value(m, 'nodejs_eventloop_lag_p99_seconds')).toBeGreaterThanOrEqual(0);
    expect(value(m, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(m.get('holdfast_frames_received_total')?.type).toBe('counter');
    expect(m.get('holdfast_connections')?.type).toBe('gauge');
  });

  it('two servers in one process keep their own counts, each with its node label', async () => {
    const other = await startServer({ port: 0, apps: [{ appId: 'demo' }], logLevel: 'silent', nodeId: 'n2' });
    try {
      const m = await scrape(`${other.httpUrl}/metrics`);
      expect(sampleValue(m, 'holdfast_joins_total', { node: 'n2', session_expired: 'false' })).toBe(0);
      expect(() => sampleValue(m, 'holdfast_joins_total', { node: 'metrics-node' })).toThrow();
    } finally {
      await other.close();
    }
  });

  it('metrics: false leaves /metrics out', async () => {
    const other = await startServer({
      port: 0,
      apps: [{ appId: 'demo' }],
      logLevel: 'silent',
      metrics: false,
    });
    try {
      expect((await fetch(`${other.httpUrl}/metrics`)).status).toBe(404);
    } finally {
      await other.close();
    }
  });
});
