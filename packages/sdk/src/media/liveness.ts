import type { MediaKind } from '@holdfast/protocol';
import type { LinkEvent, Uplink } from './link-machine.js';
import type { PeerSample } from './stats.js';

/** One inbound RTP stream of the subscriber connection, by whose track it carries. */
export interface InboundPackets {
  key: string;
  uid: number;
  kind: MediaKind;
  packets: number;
}

/**
 * The media connection machine's liveness input: which expected remote publishers' RTP packets
 * arrived since the previous sample (inbound-rtp `packetsReceived` per stream). A stream seen for
 * the first time with packets counts as arrived.
 */
export class FlowCounter {
  #last = new Map<string, number>();

  flowing(streams: readonly InboundPackets[], expected: (uid: number, kind: MediaKind) => boolean): number[] {
    const out = new Set<number>();
    const next = new Map<string, number>();
    for (const s of streams) {
      next.set(s.key, s.packets);
      if (s.packets > (this.#last.get(s.key) ?? 0) && expected(s.uid, s.kind)) out.add(s.uid);
    }
    this.#last = next;
    return [...out];
  }

  reset(): void {
    this.#last.clear();
  }
}

/**
 * Whether the server acknowledges what this client sends: its RTCP receiver reports, counted by
 * remote-inbound-rtp `roundTripTimeMeasurements`, advance while outbound-rtp `packetsSent` does.
 * Judged only once reports have been seen to advance on this connection (an implementation
 * without the counter, or a server that sends none, is 'unknown', never 'unacked').
 */
export class UplinkCounter {
  #sent: number | undefined;
  #reports: number | undefined;
  #observable = false;

  verdict(sample: PeerSample | undefined): Uplink {
    if (!sample) {
      this.reset();
      return 'idle';
    }
    const sent = sample.outbound.reduce((n, o) => n + o.packets, 0);
    const counted = sample.remoteInbound.filter((r) => r.reports !== undefined);
    const reports = counted.length ? counted.reduce((n, r) => n + (r.reports ?? 0), 0) : undefined;
    const [prevSent, prevReports] = [this.#sent, this.#reports];
    this.#sent = sent;
    this.#reports = reports;
    if (prevSent === undefined || sent <= prevSent) return 'idle';
    if (reports === undefined || prevReports === undefined) return 'unknown';
    if (reports > prevReports) {
      this.#observable = true;
      return 'acked';
    }
    return this.#observable ? 'unacked' : 'unknown';
  }

  /** A new publisher connection: its counters start again. */
  reset(): void {
    this.#sent = this.#reports = undefined;
    this.#observable = false;
  }
}

/**
 * The media connection machine's `sample` event, one per flow tick, from the subscriber
 * connection's inbound streams (every tick) and the publisher's stats (every 4th tick: receiver
 * reports come about once a second).
 */
export class LinkSampler {
  readonly #flow = new FlowCounter();
  readonly #uplink = new UplinkCounter();
  #ticks = 0;

  /** Whether this tick reads the publisher connection's stats too. */
  readsUplink(): boolean {
    return this.#ticks++ % 4 === 0;
  }

  /**
   * `uplink`: the publisher's stats read this tick (undefined: there is no publisher connection),
   * or 'not_read'. `expected`: the remote publishers with a track this client should receive.
   */
  sample(o: {
    streams: readonly InboundPackets[];
    uplink: PeerSample | undefined | 'not_read';
    expected: readonly number[];
    wanted: (uid: number, kind: MediaKind) => boolean;
    signalDataAt: number | undefined;
  }): Extract<LinkEvent, { type: 'sample' }> {
    return {
      type: 'sample',
      expected: o.expected,
      flowing: this.#flow.flowing(o.streams, o.wanted),
      ...(o.uplink === 'not_read' ? {} : { uplink: this.#uplink.verdict(o.uplink) }),
      ...(o.signalDataAt !== undefined ? { signalDataAt: o.signalDataAt } : {}),
    };
  }

  /** A new publisher connection: its counters start again. */
  newPublisher(): void {
    this.#uplink.reset();
  }

  /** New connections altogether. */
  reset(): void {
    this.#flow.reset();
    this.#uplink.reset();
  }
}
