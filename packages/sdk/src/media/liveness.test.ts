import { describe, expect, it } from 'vitest';
import { FlowCounter, UplinkCounter } from './liveness.js';
import type { PeerSample } from './stats.js';

describe('FlowCounter: whose RTP arrived since the last sample', () => {
  it('counts expected publishers whose packetsReceived increased (a new stream with packets too)', () => {
    const flow = new FlowCounter();
    const all = () => true;
    expect(
      flow.flowing(
        [
          { key: 'a', uid: 2, kind: 'audio', packets: 10 },
          { key: 'b', uid: 3, kind: 'audio', packets: 0 },
        ],
        all,
      ),
    ).toEqual([2]);
    expect(
      flow.flowing(
        [
          { key: 'a', uid: 2, kind: 'audio', packets: 10 },
          { key: 'b', uid: 3, kind: 'audio', packets: 4 },
        ],
        all,
      ),
    ).toEqual([3]);
  });

  it('ignores tracks not expected (paused, muted, not subscribed)', () => {
    const flow = new FlowCounter();
    expect(
      flow.flowing([{ key: 'v', uid: 2, kind: 'video', packets: 50 }], (_uid, kind) => kind === 'audio'),
    ).toEqual([]);
  });
});

const pub = (sent: number, reports: number | undefined): PeerSample => ({
  at: 0,
  bytesSent: 0,
  bytesReceived: 0,
  rttMs: undefined,
  inbound: [],
  outbound: [{ kind: 'audio', bytes: 0, packets: sent }],
  remoteInbound: [{ kind: 'audio', fractionLost: 0, rttMs: 1, reports }],
  localAudioLevel: undefined,
});

describe('UplinkCounter: does the server acknowledge what this client sends', () => {
  it('acked while reports advance; unacked only once reports were seen to advance', () => {
    const up = new UplinkCounter();
    expect(up.verdict(pub(10, 1))).toBe('idle');
    expect(up.verdict(pub(60, 1))).toBe('unknown');
    expect(up.verdict(pub(110, 2))).toBe('acked');
    expect(up.verdict(pub(160, 2))).toBe('unacked');
    expect(up.verdict(pub(160, 2))).toBe('idle');
  });

  it('no report counter (an implementation without roundTripTimeMeasurements) is never unacked', () => {
    const up = new UplinkCounter();
    for (let i = 0; i < 5; i++) expect(up.verdict(pub(i * 50, undefined))).toBe(i === 0 ? 'idle' : 'unknown');
    expect(up.verdict(undefined)).toBe('idle');
  });
});
