import type { IncomingMessage, ServerResponse } from 'node:http';
import { REPORTED_REASON_TO_AGORA } from '@holdfast/protocol';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { ChannelService } from '../channels/service.js';
import type { WebhookCounts } from '../webhooks/types.js';
import type { GatewayCounters, LatencyBuckets } from './counters.js';
import type { ObservedEvent, Observer } from './observer.js';
import type { Readiness } from './readiness.js';

/** What /metrics reads at scrape time: everything is a plain number kept by the part that owns it. */
export interface MetricSources {
  nodeId: string;
  service: ChannelService;
  gateway: GatewayCounters;
  observer: Observer;
  /** Open WebSocket connections (also those still waiting for their join). */
  connections: () => number;
  readiness: () => Readiness;
  draining: () => boolean;
  /** Failed heartbeats (each a failed round of engine commands). */
  heartbeatFailures: () => number;
  /** Webhook deliveries (undefined: webhooks off, every count 0). */
  webhooks?: WebhookCounts | undefined;
}

/** Reasons a client may report; anything else is counted as `other` (the label set stays bounded). */
const KNOWN_REASONS = new Set([...Object.keys(REPORTED_REASON_TO_AGORA), 'redispatch']);

type Labels = Record<string, string>;

/**
 * The node's Prometheus metrics. Counting happens elsewhere as integer increments (the gateway,
 * the stream relay, the effect runner, the sweeper; joins, resumes and client state reports from
 * the observed-event feed, which already carries them); this class turns those numbers into
 * prom-client metrics when /metrics is scraped. The registry, and the process metrics with the
 * event-loop lag, are set up on the first scrape: a node nobody scrapes pays for nothing.
 * Every series carries the `node` label.
 */
export class NodeMetrics {
  /** Fresh joins (a new session), by whether the client came back after its session had expired. */
  readonly joins = { fresh: 0, afterExpiry: 0 };
  /** Sessions resumed inside their offline window (on this node, or taken over from another). */
  resumes = 0;
  /** Client state reports, by `state\0reason`. */
  readonly clientStates = new Map<string, number>();
  readonly #unsubscribe: () => void;
  #registry: Registry | undefined;

  constructor(private readonly src: MetricSources) {
    this.#unsubscribe = src.observer.subscribe((e) => this.#observed(e));
  }

  #observed(e: ObservedEvent): void {
    switch (e.type) {
      case 'joined':
        if (e.sessionExpired) this.joins.afterExpiry++;
        else this.joins.fresh++;
        return;
      case 'resumed':
        this.resumes++;
        return;
      case 'client_state': {
        const key = `${e.state}\u0000${KNOWN_REASONS.has(e.reason) ? e.reason : 'other'}`;
        this.clientStates.set(key, (this.clientStates.get(key) ?? 0) + 1);
        return;
      }
      default:
        return;
    }
  }

  /** The Prometheus text exposition of every metric. */
  async text(): Promise<{ contentType: string; body: string }> {
    const registry = this.registry();
    return { contentType: registry.contentType, body: await registry.metrics() };
  }

  async handle(_req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { contentType, body } = await this.text();
    res.writeHead(200, {
      'content-type': contentType,
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
    });
    res.end(body);
  }

  close(): void {
    this.#unsubscribe();
  }

  registry(): Registry {
    if (this.#registry) return this.#registry;
    const registry = new Registry();
    registry.setDefaultLabels({ node: this.src.nodeId });
    // process_* and nodejs_* (CPU, memory, handles, GC, and nodejs_eventloop_lag_*_seconds).
    collectDefaultMetrics({ register: registry });
    this.#define(registry);
    this.#registry = registry;
    return registry;
  }

  #define(registers: Registry): void {
    const { service, gateway } = this.src;
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({
        name,
        help,
        registers: [registers],
        collect() {
          this.set(read());
        },
      });
    const labelledGauge = (
      name: string,
      help: string,
      labelNames: string[],
      read: () => Array<[Labels, number]>,
    ) =>
      new Gauge({
        name,
        help,
        labelNames,
        registers: [registers],
        collect() {
          this.reset();
          for (const [labels, value] of read()) this.set(labels, value);
        },
      });
    const counter = (name: string, help: string, labelNames: string[], read: () => Array<[Labels, number]>) =>
      new Counter({
        name,
        help,
        labelNames,
        registers: [registers],
        // The count lives elsewhere as an integer: the counter is set to it at each scrape.
        collect() {
          this.reset();
          for (const [labels, value] of read()) this.inc(labels, value);
        },
      });
    const entries = <K extends string>(labelName: string, record: Record<K, number> | Map<K, number>) =>
      (record instanceof Map ? [...record] : (Object.entries(record) as Array<[K, number]>)).map(
        ([k, v]): [Labels, number] => [{ [labelName]: k }, v],
      );

    gauge('holdfast_connections', 'Open WebSocket connections (also those not joined yet).', () =>
      this.src.connections(),
    );
    labelledGauge(
      'holdfast_sessions',
      'Sessions this node holds, by phase (attached: a client is connected; detached: waiting for a resume).',
      ['phase'],
      () => {
        const counts: Record<string, number> = { joining: 0, attached: 0, detached: 0 };
        for (const live of service.eachLocalSession()) {
          const phase = live.state.phase;
          if (phase in counts) counts[phase]!++;
        }
        return entries('phase', counts);
      },
    );
    gauge(
      'holdfast_channels',
      'Channels with at least one session on this node.',
      () => service.local.channelCount,
    );
    gauge('holdfast_ready', '1 when /readyz answers 200 (engine reachable, not draining), else 0.', () =>
      this.src.readiness().ready ? 1 : 0,
    );
    gauge(
      'holdfast_draining',
      '1 while the node drains (SIGTERM): no new connections, sessions handed over.',
      () => (this.src.draining() ? 1 : 0),
    );
    gauge(
      'holdfast_engine_effect_retries_pending',
      'Engine writes that failed and wait for a retry at the next heartbeat.',
      () => service.pendingEffectRetries,
    );

    counter(
      'holdfast_joins_total',
      'Fresh joins (new sessions); session_expired: back after the offline window.',
      ['session_expired'],
      () => [
        [{ session_expired: 'false' }, this.joins.fresh],
        [{ session_expired: 'true' }, this.joins.afterExpiry],
      ],
    );
    counter(
      'holdfast_resumes_total',
      'Sessions resumed inside their offline window (also taken over from another node).',
      [],
      () => [[{}, this.resumes]],
    );
    counter(
      'holdfast_join_refusals_total',
      'Joins refused before a joined frame, by the wire code the client was told (rate_limited also counts upgrades refused at the gate, server_shutdown those refused while draining, origin_not_allowed upgrades refused with HTTP 403 for their Origin).',
      ['reason'],
      () => entries('reason', gateway.joinRefusals),
    );
    counter(
      'holdfast_offline_events_total',
      'user_offline events this node published (what remote members saw), by reason.',
      ['reason'],
      () => entries('reason', service.effectCounts.offline),
    );
    counter(
      'holdfast_client_state_reports_total',
      "Connection state changes clients reported (their own view of an outage), by state and reason ('other': a reason this server does not know).",
      ['state', 'reason'],
      () =>
        [...this.clientStates].map(([key, n]): [Labels, number] => {
          const [state, reason] = key.split('\u0000') as [string, string];
          return [{ state, reason }, n];
        }),
    );
    counter('holdfast_frames_received_total', 'WebSocket frames received from clients.', [], () => [
      [{}, gateway.framesIn],
    ]);
    counter(
      'holdfast_frames_sent_total',
      'WebSocket frames sent to clients (events, keepalives, pongs, answers).',
      [],
      () => [[{}, gateway.framesOut]],
    );
    counter(
      'holdfast_stream_messages_accepted_total',
      'Data-stream messages stored in their channel and fanned out.',
      [],
      () => [[{}, service.streams.accepted]],
    );
    counter(
      'holdfast_stream_messages_refused_total',
      'Data-stream messages refused, by the code the sender was told.',
      ['code'],
      () => entries('code', service.streams.refused),
    );
    counter(
      'holdfast_engine_errors_total',
      'Engine (Redis) operations that failed, by where: heartbeat (a heartbeat round), effect (a session write, retried), stream (a data-stream message), join (a join or resume).',
      ['op'],
      () => [
        [{ op: 'heartbeat' }, this.src.heartbeatFailures()],
        [{ op: 'effect' }, service.effectCounts.failures],
        [{ op: 'stream' }, service.streams.engineErrors],
        [{ op: 'join' }, gateway.joinRefusals.get('internal_error') ?? 0],
      ],
    );
    const hooks = this.src.webhooks;
    for (const [key, help] of [
      ['sent', 'Webhook requests answered 2xx.'],
      ['retried', 'Webhook attempts that failed (status, refusal, timeout) and were scheduled again.'],
      ['failed', 'Webhook events given up after webhooks.retryForMs (10 min) of retries.'],
      ['dropped', "Webhook events dropped because a URL's queue was full (webhooks.maxQueued)."],
    ] as const)
      counter(`holdfast_webhook_${key}_total`, help, [], () => [[{}, hooks?.[key] ?? 0]]);
    new BucketHistogram(
      {
        name: 'holdfast_join_duration_seconds',
        help: 'Time from a join frame to its joined frame (fresh joins and resumes).',
        registers: [registers],
      },
      gateway.joinLatency,
    );
  }
}

/**
 * A histogram whose buckets are counted elsewhere ({@link LatencyBuckets}) and only read here. It
 * is a prom-client Histogram so a Registry takes it; what it reports comes from the buckets.
 */
class BucketHistogram extends Histogram {
  readonly #config: { name: string; help: string };

  constructor(
    config: { name: string; help: string; registers: Registry[] },
    private readonly buckets: LatencyBuckets,
  ) {
    super({ ...config, buckets: [...buckets.bounds] });
    this.#config = config;
    // The registry formats what getForPromString returns (prom-client's Histogram.get calls it too).
    Object.assign(this, { getForPromString: () => this.get() });
  }

  override async get(): ReturnType<Histogram['get']> {
    const { name, help } = this.#config;
    const b = this.buckets;
    const values = [
      ...b
        .cumulative()
        .map(({ le, count }) => ({ metricName: `${name}_bucket`, labels: { le }, value: count })),
      { metricName: `${name}_sum`, labels: {}, value: b.sum },
      { metricName: `${name}_count`, labels: {}, value: b.count },
    ];
    return { name, help, type: 'histogram', aggregator: 'sum', values } as unknown as Awaited<
      ReturnType<Histogram['get']>
    >;
  }
}
