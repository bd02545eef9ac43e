import { describe, expect, it } from 'vitest';
import {
  CONNECTION_REASON_ADVICE,
  CONNECTION_STATE_MEANINGS,
  connectionReasonAdvice,
  connectionStateMeanings,
  OFFLINE_ADVICE,
  offlineReasonName,
  REPORTED_REASON_TO_AGORA,
  reasonAdvice,
  spanText,
} from './advice.js';
import { ConnectionChangedReasonType as R } from './enums/agora.js';

describe('troubleshooting advice', () => {
  it('has an entry for every reason 0–24, in order, named as the seed names them', () => {
    expect(CONNECTION_REASON_ADVICE.map((a) => a.reason)).toEqual([...Array(25).keys()]);
    expect(reasonAdvice(R.ConnectionChangedInterrupted)?.name).toBe('Interrupted');
    expect(reasonAdvice(R.ConnectionChangedKeepAliveTimeout)?.name).toBe('KeepAliveTimeout');
    expect(reasonAdvice(22)?.name).toBe('CertificationVeryfyFailure');
    for (const a of CONNECTION_REASON_ADVICE) {
      expect(a.meaning.length).toBeGreaterThan(10);
      expect(a.advice.length).toBeGreaterThan(5);
    }
    expect(reasonAdvice(25)).toBeUndefined();
    expect(reasonAdvice(-1)).toBeUndefined();
  });

  it('files each reason under the state the seed table lists it with', () => {
    const byState = (state: string) =>
      CONNECTION_REASON_ADVICE.filter((a) => a.state === state).map((a) => a.reason);
    expect(byState('Disconnected')).toEqual([5, 8]);
    expect(byState('Connecting')).toEqual([0]);
    expect(byState('Connected')).toEqual([1, 15]);
    expect(byState('Reconnecting')).toEqual([2, 11, 12, 13, 14, 16]);
    expect(byState('Failed')).toEqual([3, 4, 6, 7, 9, 10, 19, 20]);
  });

  it('names every reason a client reports', () => {
    expect(reasonAdvice(REPORTED_REASON_TO_AGORA.interrupted!)?.state).toBe('Reconnecting');
    expect(reasonAdvice(REPORTED_REASON_TO_AGORA.rejoin_success!)?.name).toBe('RejoinSuccess');
    expect(REPORTED_REASON_TO_AGORA.channel_closed).toBe(R.ConnectionChangedBannedByServer);
  });

  it('explains what remote users saw', () => {
    expect(OFFLINE_ADVICE.dropped).toMatchObject({ reason: 1, name: 'Dropped' });
    expect(OFFLINE_ADVICE.quit.name).toBe(offlineReasonName(0));
    expect(offlineReasonName(2)).toBe('BecomeAudience');
  });
});

describe('advice quotes the configured timings', () => {
  it('the seed timings by default: 4 s, 10 s, 20 minutes', () => {
    expect(reasonAdvice(2)?.meaning).toContain('no data from the server for 4 s');
    expect(reasonAdvice(16)?.meaning).toContain('still nothing 10 s after');
    expect(reasonAdvice(4)?.meaning).toBe(
      'The SDK kept trying to join for 20 minutes without success and stopped retrying.',
    );
    expect(CONNECTION_STATE_MEANINGS.Failed).toContain('(20 minutes without success');
  });

  it('a client that fails after 3 s is told 3 s, not 20 minutes', () => {
    const t = { interruptedAfterMs: 1500, lostAfterMs: 90_000, failAfterMs: 3000 };
    expect(reasonAdvice(4, t)?.meaning).toBe(
      'The SDK kept trying to join for 3 s without success and stopped retrying.',
    );
    expect(reasonAdvice(2, t)?.meaning).toContain('no data from the server for 1.5 s');
    expect(reasonAdvice(16, t)?.meaning).toContain('still nothing 90 s after');
    expect(connectionStateMeanings(t).Reconnecting).toContain('After 90 s without success');
    expect(connectionStateMeanings(t).Failed).toContain('(3 s without success');
    for (const a of connectionReasonAdvice(t)) expect(`${a.meaning} ${a.advice}`).not.toMatch(/[{}]/);
  });

  it('spans: seconds, tenths under 10 s, whole minutes', () => {
    expect([1500, 4000, 12_345, 60_000, 120_000, 90_000].map(spanText)).toEqual([
      '1.5 s',
      '4 s',
      '12 s',
      '1 minute',
      '2 minutes',
      '90 s',
    ]);
  });
});
