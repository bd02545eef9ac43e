import { TestClock } from '@holdfast/protocol';
import { describe, expect, it } from 'vitest';
import { LiveSession } from '../channels/live-session.js';
import { type ObservedEvent, Observer } from './observer.js';
import {
  REFUSAL_MARK_EVERY_MS,
  StreamRefusalMarks,
  streamRefused,
  watchStreamRefusals,
} from './stream-refusals.js';

const session = (uid: number) =>
  new LiveSession(`s${uid}`, { appId: 'a', channel: 'c' }, 'k', uid, {
    now: 0,
    attachment: 1,
    role: 'broadcaster',
    profile: 'communication',
    offlineAfterMs: 20_000,
  });

function setup() {
  const clock = new TestClock(1_000_000);
  const observer = new Observer();
  const marks = new StreamRefusalMarks(observer, clock, 'n1');
  const seen: ObservedEvent[] = [];
  observer.subscribe((e) => seen.push(e));
  const refusals = () =>
    seen.flatMap((e) => (e.type === 'stream_refused' ? [[e.uid, e.count, e.code, e.at - 1_000_000]] : []));
  return { clock, observer, marks, refusals };
}

describe('stream refusal markers', () => {
  it('marks the first refusal at once, then at most one marker a second per session, counting the rest', () => {
    const { clock, marks, refusals } = setup();
    const a = session(1);
    const b = session(2);
    marks.refused(a, 'too_large', 1);
    expect(refusals()).toEqual([[1, 1, 'too_large', 0]]);
    // A flood: 120 refusals in the next second, and one for another session.
    for (let i = 0; i < 120; i++) {
      clock.advance(8);
      marks.refused(a, 'too_often', 2);
    }
    marks.refused(b, 'bitrate', 1);
    expect(refusals()).toEqual([
      [1, 1, 'too_large', 0],
      [2, 1, 'bitrate', 960],
    ]);
    expect(marks.waiting).toBe(1);
    // The flood stopped: what is left goes out when the session's second is over, with the last time.
    clock.advance(REFUSAL_MARK_EVERY_MS);
    expect(refusals().at(-1)).toEqual([1, 120, 'too_often', 960]);
    expect(marks.waiting).toBe(0);
    // Quiet for long enough: the next refusal is marked at once again.
    clock.advance(5000);
    marks.refused(a, 'not_broadcaster', 1);
    expect(refusals().at(-1)).toEqual([1, 1, 'not_broadcaster', 6960]);
    expect(refusals()).toHaveLength(4);
  });

  it('a refusal after its session’s second is over is marked at once with the ones waiting', () => {
    const { clock, marks, refusals } = setup();
    const a = session(1);
    marks.refused(a, 'too_often', 1);
    clock.advance(980);
    marks.refused(a, 'too_often', 1);
    // The timer is at least 50 ms away: this one comes first, and takes the waiting one along.
    clock.advance(20);
    marks.refused(a, 'bitrate', 1);
    expect(marks.waiting).toBe(0);
    clock.advance(100);
    expect(refusals()).toEqual([
      [1, 1, 'too_often', 0],
      [1, 2, 'bitrate', 1000],
    ]);
  });

  it('reaches the marks of the relay that reports them, and nothing when none are set up', () => {
    const { marks, refusals } = setup();
    const relay = {};
    const other = {};
    watchStreamRefusals(relay, marks);
    streamRefused(other, session(1), 'too_large', 1);
    expect(refusals()).toEqual([]);
    streamRefused(relay, session(1), 'too_large', 1);
    expect(refusals()).toEqual([[1, 1, 'too_large', 0]]);
  });
});
