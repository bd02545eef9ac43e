import { describe, expect, it } from 'vitest';
import { engine, flush, join, offer, setupEngineWith, tracks2 } from './media-api.test-support.js';
import type { AudioSink } from './playout.js';

/** A sink that keeps which users it is playing (stopping one it does not play is allowed, as in browsers). */
function recordingSink(): { sink: AudioSink; playing: Set<number> } {
  const playing = new Set<number>();
  return {
    playing,
    sink: { play: (uid) => void playing.add(uid), stop: (uid) => void playing.delete(uid) },
  };
}

describe('remote audio playout', () => {
  it('leaving the channel stops the playout of every remote audio track', async () => {
    const { sink, playing } = recordingSink();
    setupEngineWith(sink);
    const conn = await join();
    await offer(conn, 1, tracks2);
    expect([...playing]).toEqual([2]);
    engine.leaveChannel();
    await flush();
    // Before: the subscriber connection was forgotten first, so there was nothing left to stop.
    expect([...playing]).toEqual([]);
  });

  it('a media host gone (media_moved): the old track stops, the new connection plays again', async () => {
    const { sink, playing } = recordingSink();
    setupEngineWith(sink);
    const conn = await join();
    await offer(conn, 1, tracks2);
    conn.receive({ type: 'media_moved' });
    await flush();
    expect([...playing]).toEqual([]);
    await offer(conn, 1, tracks2);
    expect([...playing]).toEqual([2]);
  });
});
