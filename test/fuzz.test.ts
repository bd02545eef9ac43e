import { readFileSync } from 'node:fs';
import { CloseCode, isWireErrorCode } from '@holdfast/protocol';
import { ConnectionChangedReasonType as R, ConnectionStateType as S } from '@holdfast/sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type Frame, FrameGen, rng } from './support/fuzz-frames.js';
import { type NodeProcess, startNodeProcess } from './support/node-process.js';
import { RecordingClient } from './support/recorder.js';
import { percentile, recordFigure } from './support/reliability.js';

/**
 * Issue 16 item 7: a fuzz run of at least 200,000 frames against a real `holdfast serve` (default
 * flags, its own process) over real sockets. Each connection joins (or sends a spoiled join), then
 * a burst of 44 frames — valid frames of every kind with, on most connections, one mutation at a
 * random place. Every connection the server closes must have been told why (an `end` frame whose
 * code matches the close code); the server stays up and answers; two members exchanging data-stream
 * messages in their own channel all along lose nothing and never reconnect. Frames counted are the
 * ones the server says it read (`holdfast_frames_received_total`), not just the ones sent.
 */

const TARGET_FRAMES = 200_000;
const BURST = 43; // with the join and the final set_role, under the 50 frames/s flood limit
const FINAL = 2 ** 31 - 1;
const CONCURRENCY = 96;
/** Source addresses: joins per second are limited per address (100), so the fuzzer spreads out. */
const SOURCES = Array.from({ length: 40 }, (_, i) => `127.0.0.${10 + i}`);
const SEED = Number(process.env.HOLDFAST_FUZZ_SEED ?? 0x5eed16);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const enc = new TextEncoder();

let node: NodeProcess;
const clients: RecordingClient[] = [];
afterAll(async () => {
  for (const c of clients) c.release();
  await node?.stop();
});

async function framesReceived(): Promise<number> {
  const text = await (await fetch(`${node.httpUrl}/metrics`)).text();
  return Number(/^holdfast_frames_received_total(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1] ?? Number.NaN);
}

type Outcome = { kind: 'typed'; code: string } | { kind: 'open' } | { kind: 'untyped'; detail: string };

/** One fuzz connection: join (or a spoiled join), then the burst; resolves with how it ended. */
function fuzzConnection(gen: FrameGen, n: number, sent: { frames: number }): Promise<Outcome> {
  return new Promise((resolve) => {
    const ws = new WebSocket(node.url, { localAddress: SOURCES[n % SOURCES.length] });
    let end: { code: string } | undefined;
    let ends = 0;
    let done = false;
    const finish = (o: Outcome) => {
      if (done) return;
      done = true;
      clearTimeout(cap);
      resolve(o);
    };
    const cap = setTimeout(() => {
      ws.terminate();
      finish({
        kind: 'untyped',
        detail: `no close or answer within 15 s: state ${ws.readyState}, first ${String(first).slice(0, 120)}, got ${got.join(',')}`,
      });
    }, 15_000);
    let first: Frame | undefined;
    const got: string[] = [];
    const send = (f: Frame) => {
      first ??= f;
      if (ws.readyState !== WebSocket.OPEN) return;
      ws.send(f, { binary: Buffer.isBuffer(f) });
      sent.frames++;
    };
    const uid = 1 + gen.int(1_000_000);
    const channel = `fz-${gen.int(200)}`;
    const badJoin = gen.int(10) === 0;
    ws.on('error', () => {});
    ws.on('open', () => {
      if (badJoin) send(gen.badJoin(uid, channel));
      else send(JSON.stringify(gen.join(uid, channel)));
    });
    ws.on('message', (data, isBinary) => {
      let f: { type?: string; code?: string; id?: number };
      try {
        f = JSON.parse(isBinary ? '' : String(data)) as typeof f;
      } catch {
        return finish({
          kind: 'untyped',
          detail: `non-JSON frame from the server: ${String(data).slice(0, 80)}`,
        });
      }
      got.push(String(f.type));
      if (f.type === 'end') {
        ends++;
        end = { code: String(f.code) };
      }
      if (f.type === 'joined') {
        const bad = gen.int(10) < 7 ? gen.int(BURST) : -1;
        for (let i = 0; i < BURST; i++)
          send(i === bad ? gen.mutate(gen.valid()) : JSON.stringify(gen.valid()));
        // Answered in order after everything before it: its answer means the burst was all read.
        send(JSON.stringify({ type: 'set_role', id: FINAL, role: 'broadcaster' }));
      }
      if (f.type === 'role_result' && f.id === FINAL && !end) {
        // All taken without complaint: leave politely or just vanish (a session left to the sweeper).
        if (gen.int(2) === 0) send(JSON.stringify({ type: 'leave' }));
        ws.terminate();
        finish({ kind: 'open' });
      }
    });
    ws.on('close', (code) => {
      if (done) return;
      if (!end) return finish({ kind: 'untyped', detail: `closed ${code} without an end frame` });
      if (ends > 1) return finish({ kind: 'untyped', detail: `${ends} end frames` });
      if (!isWireErrorCode(end.code))
        return finish({ kind: 'untyped', detail: `unknown end code ${end.code}` });
      if (CloseCode[end.code] !== code)
        return finish({ kind: 'untyped', detail: `end ${end.code} but close code ${code}` });
      finish({ kind: 'typed', code: end.code });
    });
  });
}

describe('wire fuzzing against holdfast serve', () => {
  it(`≥ ${TARGET_FRAMES.toLocaleString('en-US')} frames read by the server: every closed connection told why, members undisturbed`, async () => {
    const t0 = Date.now();
    node = await startNodeProcess([]);
    // Two members who must not notice anything.
    const a = new RecordingClient({ appId: 'demo', serverUrl: node.url });
    const b = new RecordingClient({ appId: 'demo', serverUrl: node.url });
    clients.push(a, b);
    a.join('fz-watch', 1);
    b.join('fz-watch', 2);
    await a.waitState(S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess);
    await b.waitState(S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess);
    await a.waitFor((e) => e.name === 'onUserJoined' && e.args[0] === 2);
    const stream = a.engine.createDataStream({ ordered: true });
    let watchSent = 0;
    const watch = setInterval(() => {
      const data = enc.encode(`w-${watchSent}`);
      if (a.engine.sendStreamMessage(stream, data, data.length) === 0) watchSent++;
    }, 50);

    const base = await framesReceived();
    const sent = { frames: 0 };
    const outcomes = new Map<string, number>();
    const untyped: string[] = [];
    const count = (k: string) => outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
    let connections = 0;
    let read = 0;
    const deadline = Date.now() + 150_000;
    const fuzzStart = Date.now();
    const gen = new FrameGen(rng(SEED));
    let stop = false;
    const poll = (async () => {
      while (!stop) {
        await sleep(500);
        read = (await framesReceived()) - base;
        if (read >= TARGET_FRAMES || Date.now() > deadline) stop = true;
      }
    })();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (!stop) {
          const o = await fuzzConnection(gen, connections++, sent);
          if (o.kind === 'typed') count(o.code);
          else if (o.kind === 'open') count('(open: all frames taken)');
          else {
            count('(UNTYPED)');
            if (untyped.length < 10) untyped.push(o.detail);
          }
        }
      }),
    );
    await poll;
    const fuzzMs = Date.now() - fuzzStart;
    read = (await framesReceived()) - base;
    clearInterval(watch);

    // Afterwards: the server answers, a newcomer joins, the members got every message once, in order.
    const health = await fetch(`${node.httpUrl}/healthz`);
    const newcomer = new RecordingClient({ appId: 'demo', serverUrl: node.url });
    clients.push(newcomer);
    const joinStart = Date.now();
    newcomer.join('fz-after', 3);
    await newcomer.waitState(S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess, 5000);
    const joinMs = Date.now() - joinStart;
    const deadlineMsgs = Date.now() + 10_000;
    const got = () =>
      b.named('onStreamMessage').map((e) => new TextDecoder().decode(e.args[2] as Uint8Array));
    while (got().length < watchSent && Date.now() < deadlineMsgs) await sleep(50);
    const received = got();
    const expected = Array.from({ length: watchSent }, (_, i) => `w-${i}`);
    const latencies = b.named('onStreamMessage').map((e) => b.start + e.at - (e.args[4] as number));
    const rssMb =
      Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${node.proc.pid}/status`, 'utf8'))?.[1]) / 1024;
    const table = Object.fromEntries([...outcomes].sort((x, y) => y[1] - x[1]));
    console.log(
      `fuzz (seed ${SEED}): ${read} frames read by the server (${sent.frames} sent) over ${connections} connections in ${fuzzMs} ms; ` +
        `outcomes ${JSON.stringify(table)}; untyped ${JSON.stringify(untyped)}; members: ${received.length}/${watchSent} messages, ` +
        `states ${JSON.stringify(a.states())} / ${JSON.stringify(b.states())}; newcomer joined in ${joinMs} ms; server RSS ${rssMb.toFixed(0)} MB`,
    );
    expect(read).toBeGreaterThanOrEqual(TARGET_FRAMES);
    expect(untyped).toEqual([]);
    expect(outcomes.get('(UNTYPED)') ?? 0).toBe(0);
    expect(health.status).toBe(200);
    expect(received).toEqual(expected);
    expect(a.states()).toEqual([
      [S.ConnectionStateConnecting, R.ConnectionChangedConnecting],
      [S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess],
    ]);
    expect(b.states()).toEqual(a.states());
    expect(joinMs).toBeLessThan(1000);
    const typed = [...outcomes].filter(([k]) => !k.startsWith('(')).reduce((n, [, v]) => n + v, 0);
    recordFigure({
      id: 'fuzz',
      group: 'fuzz',
      fault: `wire fuzzing: ${read.toLocaleString('en-US')} frames read by the server over ${connections.toLocaleString('en-US')} connections (seed ${SEED})`,
      how: 'a join (10 % spoiled), then 43 valid frames of every kind with one grammar or byte mutation on 70 % of connections (test/support/fuzz-frames.ts), from 40 loopback addresses, against holdfast serve with default flags',
      detection: `${typed.toLocaleString('en-US')} connections ended with a typed reason (end frame + matching close code), 0 without; ${(outcomes.get('(open: all frames taken)') ?? 0).toLocaleString('en-US')} took every frame`,
      recovery: `/healthz 200 throughout; a newcomer joined in ${fmt(joinMs)} right after; server RSS ${rssMb.toFixed(0)} MB`,
      messages: {
        sent: watchSent,
        expected: watchSent,
        delivered: new Set(received).size,
        lost: expected.filter((m) => !received.includes(m)).length,
        reportedMissed: 0,
        duplicates: received.length - new Set(received).size,
        outOfOrder: 0,
        latencyP50: percentile(latencies, 50),
        latencyP99: percentile(latencies, 99),
        latencyMax: Math.max(...latencies),
      },
      notes: [`ends by code: ${JSON.stringify(table)}`, `fuzz time ${fmt(fuzzMs)}`],
      test: 'test/fuzz.test.ts',
      ms: Date.now() - t0,
    });
  }, 240_000);
});

function fmt(ms: number): string {
  return `${Math.round(ms).toLocaleString('en-US')} ms`;
}
