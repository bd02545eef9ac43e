import type { MediaKind } from '@holdfast/protocol';
import type { ChannelSession } from '../session/channel-session.js';
import type { LinkMonitor } from './link-monitor.js';
import { LinkSampler } from './liveness.js';
import type { Published } from './media-frames.js';
import type { MediaListener } from './media-listener.js';
import { MediaTelemetry } from './media-report.js';
import type { MediaTransports } from './media-transports.js';
import type { MediaOptions } from './options.js';
import { type MediaSettings, wantsRemote } from './plan.js';
import type { RemoteEvent, RemotePhase, RemoteState } from './remote-state.js';
import { MediaStats } from './session-stats.js';
import { Ticker } from './ticker.js';

const KINDS: readonly MediaKind[] = ['audio', 'video'];

/** What sampling reads of the media session it measures. */
export interface SampledMedia {
  readonly transports: MediaTransports;
  inChannel(): boolean;
  remote(): RemoteState;
  settings(): MediaSettings;
  /** The media_state last delivered. */
  sending(): Published | undefined;
  dispatch(event: RemoteEvent): void;
}

/**
 * The media session's measurements, each on its own ticker on the engine's Clock: the flow
 * sample (remote tracks' counters and the media connection's liveness), the stats report (the
 * app's and the console's) and the volume levels.
 */
export class MediaSampling {
  readonly #stats: MediaStats;
  readonly #flow: Ticker;
  readonly #statsTicker: Ticker;
  readonly #volume: Ticker;
  readonly #liveness = new LinkSampler();
  /** The console's media report: figures every stats window, media state changes between. */
  readonly #telemetry = new MediaTelemetry();

  constructor(
    private readonly session: ChannelSession,
    private readonly link: LinkMonitor,
    options: MediaOptions,
    private readonly listener: Pick<MediaListener, 'stats' | 'volume'>,
    private readonly media: SampledMedia,
  ) {
    const clock = session.clock;
    this.#stats = new MediaStats(clock);
    this.#flow = new Ticker(clock, options.flowIntervalMs ?? 250, () => this.#sampleFlow());
    this.#statsTicker = new Ticker(clock, options.statsIntervalMs ?? 2000, () => this.#report());
    this.#volume = new Ticker(clock, 1000, () => this.#levels());
  }

  /** In a channel with media: the flow sample and the stats report run. */
  start(): void {
    this.#statsTicker.start();
    this.#flow.start();
  }

  /** The connections are gone: counters forgotten, the flow sample and the stats report stopped. */
  stop(): void {
    this.#stats.reset();
    this.#liveness.reset();
    this.#flow.stop();
    this.#statsTicker.stop();
  }

  /** Volume indication every `intervalMs` (0 or less: off). */
  setVolumeInterval(intervalMs: number): void {
    if (intervalMs > 0) this.#volume.start(intervalMs);
    else this.#volume.stop();
  }

  stopVolume(): void {
    this.#volume.stop();
  }

  /** A new publisher connection: its uplink is read afresh. */
  newPublisher(): void {
    this.#liveness.newPublisher();
  }

  /** A remote track's phase, for the console's report. */
  remotePhase(at: number, uid: number, kind: MediaKind, phase: RemotePhase): void {
    this.#telemetry.remote(at, uid, kind, phase);
  }

  /**
   * Every flow tick (250 ms): the remote tracks' counters (Decoding / Frozen) and the media
   * connection machine's liveness sample (see LinkSampler).
   */
  async #sampleFlow(): Promise<void> {
    const sub = this.media.transports.subscriber;
    const readUplink = this.#liveness.readsUplink();
    const pub = readUplink ? this.media.transports.publisher?.peer : undefined;
    const [subReport, pubReport] = await Promise.all([sub?.peer?.getStats(), pub?.getStats()]);
    if (!this.media.inChannel()) return;
    const inbound =
      sub && subReport && this.media.transports.subscriber === sub
        ? this.#stats.inbound(subReport, sub)
        : undefined;
    for (const e of inbound?.events ?? []) this.media.dispatch(e);
    const wanted = (uid: number, kind: MediaKind) =>
      this.session.remote.has(uid) &&
      this.media.remote().users.get(uid)?.[kind].published === 'on' &&
      wantsRemote(this.media.settings(), uid, kind);
    const signal = this.session.state;
    this.link.dispatch(
      this.#liveness.sample({
        streams: inbound?.streams ?? [],
        uplink: !readUplink ? 'not_read' : pubReport && this.#stats.read(pubReport),
        expected: [...this.media.remote().users.keys()].filter((uid) => KINDS.some((k) => wanted(uid, k))),
        wanted,
        signalDataAt: signal.status === 'connected' ? signal.lastDataAt : undefined,
      }),
    );
    this.#telemetry.link(this.session.clock.now(), this.link.state);
  }

  async #report(): Promise<void> {
    const { publisher, subscriber } = this.media.transports;
    const report = await this.#stats.report(publisher?.peer, subscriber, this.media.remote(), {
      sending: this.media.sending(),
    });
    if (!report || !this.media.inChannel()) return;
    this.listener.stats(report);
    this.#telemetry.report(report, this.link.state, this.media.sending(), (f) => this.session.sendMedia(f));
  }

  async #levels(): Promise<void> {
    if (!this.media.inChannel()) return;
    const levels = await this.#stats.levels(
      this.media.sending()?.audio === 'on' ? this.media.transports.publisher?.peer : undefined,
      this.media.transports.subscriber,
    );
    this.listener.volume(levels.local, levels.remote);
  }
}
