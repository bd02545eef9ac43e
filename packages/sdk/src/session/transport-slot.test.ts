import { describe, expect, it } from 'vitest';
import type { DialError } from '../transport/dial-error.js';
import type { TransportHandlers } from '../transport/types.js';
import { TransportSlot } from './transport-slot.js';

/** A factory whose transports the test opens and fails by hand. */
function fakeFactory() {
  const opened: Array<{ url: string; h: TransportHandlers }> = [];
  const factory = (url: string, h: TransportHandlers) => {
    opened.push({ url, h });
    return { send: () => true, close: () => {}, bytesSent: 0, bytesReceived: 0 };
  };
  return { opened, factory };
}

describe('TransportSlot dial failures', () => {
  it('tells each cause once until a transport opens, then again', () => {
    const { opened, factory } = fakeFactory();
    const told: DialError[] = [];
    const slot = new TransportSlot(['ws://a:1', 'ws://b:2'], factory, {
      dispatch: () => {},
      message: () => {},
      detached: () => {},
      dialFailed: (e) => told.push(e),
    });
    const refuse = (i: number) => opened[i]!.h.onClose(1006, `connect ECONNREFUSED ${opened[i]!.url}`);
    for (let i = 0; i < 4; i++) {
      slot.open();
      refuse(i);
    }
    // Two URLs, each refused twice: two reports.
    expect(told.map((e) => e.message)).toEqual([
      'nothing is listening at ws://a:1 — is the server running?',
      'nothing is listening at ws://b:2 — is the server running?',
    ]);
    // A transport that opened and then closed is not a dial failure; after it, causes are told again.
    slot.open();
    opened[4]!.h.onOpen();
    opened[4]!.h.onClose(1006, '');
    slot.open();
    refuse(5);
    expect(told).toHaveLength(3);
    expect(told[2]).toMatchObject({ kind: 'refused', url: 'ws://b:2' });
  });

  it('a close with a code the server chose is not a dial failure', () => {
    const { opened, factory } = fakeFactory();
    const told: DialError[] = [];
    const slot = new TransportSlot(['ws://a:1'], factory, {
      dispatch: () => {},
      message: () => {},
      detached: () => {},
      dialFailed: (e) => told.push(e),
    });
    slot.open();
    opened[0]!.h.onClose(4003, 'banned');
    expect(told).toEqual([]);
  });
});
