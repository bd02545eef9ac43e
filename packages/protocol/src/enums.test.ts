import { describe, expect, it } from 'vitest';
import {
  ChannelProfileType,
  ClientRoleChangeFailedReason,
  ClientRoleType,
  CloudProxyType,
  ConnectionChangedReasonType,
  ConnectionStateType,
  ErrorCodeType,
  NetworkType,
  UserOfflineReasonType,
} from './enums/agora.js';
import {
  NERtcChannelProfile,
  NERtcClientRole,
  NERtcConnectionState,
  NERtcConnectionStateChangeReason,
  NERtcErrorCode,
  NERtcSessionLeaveReason,
} from './enums/nertc.js';
import { CloseCode, WireErrorCode, wireErrorFromCloseCode } from './errors.js';

// Every expected table below is copied by hand from ../shared/API-FACTS.md, not from the source.

const expectUnique = (values: Record<string, number>): void => {
  const all = Object.values(values);
  expect(new Set(all).size).toBe(all.length);
};

describe('Agora NG enums (API-FACTS §1)', () => {
  it('§1.1 ConnectionStateType', () => {
    expect(ConnectionStateType).toEqual({
      ConnectionStateDisconnected: 1,
      ConnectionStateConnecting: 2,
      ConnectionStateConnected: 3,
      ConnectionStateReconnecting: 4,
      ConnectionStateFailed: 5,
    });
  });

  it('§1.2 ConnectionChangedReasonType: the complete 0–24 list', () => {
    expect(ConnectionChangedReasonType).toEqual({
      ConnectionChangedConnecting: 0,
      ConnectionChangedJoinSuccess: 1,
      ConnectionChangedInterrupted: 2,
      ConnectionChangedBannedByServer: 3,
      ConnectionChangedJoinFailed: 4,
      ConnectionChangedLeaveChannel: 5,
      ConnectionChangedInvalidAppId: 6,
      ConnectionChangedInvalidChannelName: 7,
      ConnectionChangedInvalidToken: 8,
      ConnectionChangedTokenExpired: 9,
      ConnectionChangedRejectedByServer: 10,
      ConnectionChangedSettingProxyServer: 11,
      ConnectionChangedRenewToken: 12,
      ConnectionChangedClientIpAddressChanged: 13,
      ConnectionChangedKeepAliveTimeout: 14,
      ConnectionChangedRejoinSuccess: 15,
      ConnectionChangedLost: 16,
      ConnectionChangedEchoTest: 17,
      ConnectionChangedClientIpAddressChangedByUser: 18,
      ConnectionChangedSameUidLogin: 19,
      ConnectionChangedTooManyBroadcasters: 20,
      ConnectionChangedLicenseValidationFailure: 21,
      ConnectionChangedCertificationVeryfyFailure: 22,
      ConnectionChangedStreamChannelNotAvailable: 23,
      ConnectionChangedInconsistentAppid: 24,
    });
    expectUnique(ConnectionChangedReasonType);
    expect(Object.values(ConnectionChangedReasonType).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 25 }, (_, i) => i),
    );
  });

  it('§1.3 UserOfflineReasonType', () => {
    expect(UserOfflineReasonType).toEqual({
      UserOfflineQuit: 0,
      UserOfflineDropped: 1,
      UserOfflineBecomeAudience: 2,
    });
    expectUnique(UserOfflineReasonType);
  });

  it('§1.3 ClientRoleType', () => {
    expect(ClientRoleType).toEqual({ ClientRoleBroadcaster: 1, ClientRoleAudience: 2 });
  });

  it('§1.3 ChannelProfileType', () => {
    expect(ChannelProfileType).toEqual({
      ChannelProfileCommunication: 0,
      ChannelProfileLiveBroadcasting: 1,
      ChannelProfileGame: 2,
      ChannelProfileCloudGaming: 3,
      ChannelProfileCommunication1v1: 4,
    });
  });

  it('§1.3 CloudProxyType', () => {
    expect(CloudProxyType).toEqual({ NoneProxy: 0, UdpProxy: 1, TcpProxy: 2 });
  });

  it('§1.3 ClientRoleChangeFailedReason', () => {
    expect(ClientRoleChangeFailedReason).toEqual({
      ClientRoleChangeFailedTooManyBroadcasters: 1,
      ClientRoleChangeFailedNotAuthorized: 2,
      ClientRoleChangeFailedRequestTimeOut: 3,
      ClientRoleChangeFailedConnectionFailed: 4,
    });
    expectUnique(ClientRoleChangeFailedReason);
  });

  it('§1.3 NetworkType', () => {
    expect(NetworkType).toEqual({
      NetworkTypeUnknown: -1,
      NetworkTypeDisconnected: 0,
      NetworkTypeLan: 1,
      NetworkTypeWifi: 2,
      NetworkTypeMobile2g: 3,
      NetworkTypeMobile3g: 4,
      NetworkTypeMobile4g: 5,
      NetworkTypeMobile5g: 6,
    });
  });

  it('§1.4 ErrorCodeType: the join/connection entries', () => {
    expect(ErrorCodeType).toEqual({
      ErrOk: 0,
      ErrFailed: 1,
      ErrInvalidArgument: 2,
      ErrNotReady: 3,
      ErrRefused: 5,
      ErrNotInitialized: 7,
      ErrInvalidState: 8,
      ErrTimedout: 10,
      ErrTooOften: 12,
      ErrJoinChannelRejected: 17,
      ErrLeaveChannelRejected: 18,
      ErrAlreadyInUse: 19,
      ErrResourceLimited: 22,
      ErrInvalidAppId: 101,
      ErrInvalidChannelName: 102,
      ErrNoServerResources: 103,
      ErrTokenExpired: 109,
      ErrInvalidToken: 110,
      ErrConnectionInterrupted: 111,
      ErrConnectionLost: 112,
      ErrNotInChannel: 113,
      ErrSizeTooLarge: 114,
      ErrBitrateLimit: 115,
      ErrTooManyDataStreams: 116,
      ErrStreamMessageTimeout: 117,
      ErrSetClientRoleNotAuthorized: 119,
      ErrInvalidUserId: 121,
      ErrClientIsBannedByServer: 123,
      ErrInvalidUserAccount: 134,
      ErrLoginAlreadyLogin: 428,
    });
    expectUnique(ErrorCodeType);
  });
});

describe('NERTC enums (API-FACTS §4)', () => {
  it('§4.1 connection state (unknown = 0 is iOS only)', () => {
    expect(NERtcConnectionState).toEqual({
      unknown: 0,
      disconnected: 1,
      connecting: 2,
      connected: 3,
      reconnecting: 4,
      failed: 5,
    });
  });

  it('§4.2 connection state change reasons 1–13 (14 is unverified and absent)', () => {
    expect(NERtcConnectionStateChangeReason).toEqual({
      leaveChannel: 1,
      channelClosed: 2,
      serverKicked: 3,
      timeout: 4,
      joinChannel: 5,
      joinSucceed: 6,
      rejoinSucceed: 7,
      mediaConnectionDisconnected: 8,
      signalDisconnected: 9,
      requestChannelFailed: 10,
      joinChannelFailed: 11,
      reDispatch: 12,
      settingProxyServer: 13,
    });
    expectUnique(NERtcConnectionStateChangeReason);
  });

  it('§4.4 session leave reasons (native numbering, not the Web one)', () => {
    expect(NERtcSessionLeaveReason).toEqual({
      kNERtcSessionLeaveNormal: 0,
      kNERtcSessionLeaveForFailOver: 1,
      kNERtcSessionLeaveUpdate: 2,
      kNERtcSessionLeaveForKick: 3,
      kNERtcSessionLeaveTimeOut: 4,
    });
    expectUnique(NERtcSessionLeaveReason);
  });

  it('§4.5 error codes for joining and connections', () => {
    // §4.5 also lists OSAuthorize = 30300 (device permission, not a connection code) and an
    // Android-only MEDIA_BANNED = 30403 with no Flutter name; the source leaves both out.
    expect(NERtcErrorCode).toEqual({
      ok: 0,
      channelPermissionDenied: 403,
      channelRequestTimeOut: 408,
      channelInvalidParameters: 414,
      channelInvalidAppKey: 417,
      channelUnknownError: 500,
      channelOnlySupportTwoUsers: 600,
      channelPermissionKeyError: 901,
      channelPermissionKeyTimeout: 902,
      broadcasterReachedTheLimit: 4001,
      personsInRoomReachedTheLimit: 4003,
      errorFatal: 30001,
      invalidParam: 30003,
      invalidState: 30005,
      connectFail: 30015,
      roomAlreadyJoined: 30100,
      roomNotJoined: 30101,
      roomRepeatedlyLeave: 30102,
      requestJoinRoomFail: 30103,
      invalidUserId: 30106,
      switchChannelInvalidState: 30109,
      userPermKeyAuthFailed: 30121,
      mediaConnectionDisconnected: 30204,
      signalDisconnected: 30205,
      serverKicked: 30206,
      roomClosed: 30207,
      leaveChannelForSwitch: 30208,
      leaveByDuplicateUidLogin: 30209,
    });
    expectUnique(NERtcErrorCode);
  });

  it('§4.6 client role is 0/1 (Agora uses 1/2) and channel profile is 0/1', () => {
    expect(NERtcClientRole).toEqual({ broadcaster: 0, audience: 1 });
    expect(NERtcChannelProfile).toEqual({ communication: 0, liveBroadcasting: 1 });
  });
});

describe('CloseCode', () => {
  const wireCodes = Object.values(WireErrorCode);

  it('covers every WireErrorCode and nothing else', () => {
    expect(wireCodes.length).toBe(20);
    expect(Object.keys(CloseCode).sort()).toEqual([...wireCodes].sort());
  });

  it('gives each code a distinct close code in 4000–4999', () => {
    const closeCodes = wireCodes.map((c) => CloseCode[c]);
    for (const [i, n] of closeCodes.entries()) {
      expect(Number.isInteger(n), wireCodes[i]).toBe(true);
      expect(n, wireCodes[i]).toBeGreaterThanOrEqual(4000);
      expect(n, wireCodes[i]).toBeLessThanOrEqual(4999);
    }
    expect(new Set(closeCodes).size).toBe(wireCodes.length);
  });

  it('wireErrorFromCloseCode inverts it', () => {
    for (const code of wireCodes) expect(wireErrorFromCloseCode(CloseCode[code])).toBe(code);
  });

  it('wireErrorFromCloseCode returns undefined for other close codes', () => {
    const used = new Set(Object.values(CloseCode));
    for (const n of [0, 1000, 1001, 1006, 1011, 3000, 3999, 5000, -4400, 4400.5, Number.NaN])
      expect(wireErrorFromCloseCode(n), String(n)).toBeUndefined();
    let unused = 0;
    for (let n = 4000; n <= 4999; n++) {
      if (used.has(n)) continue;
      unused++;
      expect(wireErrorFromCloseCode(n), String(n)).toBeUndefined();
    }
    expect(unused).toBe(1000 - 20);
  });
});
