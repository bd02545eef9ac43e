import type { Transport, TransportHandlers } from '@holdfast/sdk';
import { describe, expect, it } from 'vitest';
import { tapRtt } from './rtt-tap.js';

describe('tapRtt', () => {
  it('reads the RTT off pongs, less the time the server held the ping, and passes every frame on', () => {
    let time = 1000;
    const seen: string[] = [];
    let handlers: TransportHandlers | undefined;
    const inner = (_url: string, h: TransportHandlers): Transport => {
      handlers = h;
      return { send: () => true, close: () => {}, bytesSent: 0, bytesReceived: 0 } as Transport;
    };
    const [factory, probe] = tapRtt(inner, () => time);
    factory('ws://x', { onOpen() {}, onMessage: (d) => seen.push(d), onClose() {} });
    expect(probe.rttMs).toBeUndefined();
    time = 1240;
    handlers!.onMessage('{"type":"pong","t":1000,"held":200}');
    expect(probe.rttMs).toBe(40);
    time = 1300;
    handlers!.onMessage('{"type":"pong","t":1290}');
    expect(probe.rttMs).toBe(10);
    handlers!.onMessage('{"type":"ka"}');
    expect(seen).toEqual([
      '{"type":"pong","t":1000,"held":200}',
      '{"type":"pong","t":1290}',
      '{"type":"ka"}',
    ]);
  });
});
