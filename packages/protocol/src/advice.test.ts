import { describe, expect, it } from 'vitest';
import {
  CONNECTION_REASON_ADVICE,
  OFFLINE_ADVICE,
  offlineReasonName,
  REPORTED_REASON_TO_AGORA,
  reasonAdvice,
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
