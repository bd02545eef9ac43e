/**
 * Every reason code of the seeds' connection-state tables (Agora's "状态说明及排障指导" table plus
 * the reasons Holdfast's README adds, NERTC's onConnectionStateChanged switch) and Agora's
 * onUserOffline reasons: whether Holdfast can produce it end to end, how the chaos suite produces
 * it (test/chaos.test.ts), and the existing test that shows it in depth. `tests` entries are
 * `file › test name` and are checked to exist by the chaos suite.
 */
export interface ReasonRow {
  profile: 'agora' | 'nertc' | 'agora-offline';
  code: number;
  name: string;
  /** In the seed's own table (Agora seed 000, NERTC seed 003), or only in the SDK's enum. */
  inSeed: boolean;
  reachable: boolean;
  /** How the chaos suite makes it happen, or why nothing can. */
  how: string;
  tests: string[];
}

const T = {
  timeline:
    'test/timeline.test.ts › follows the seed: Connecting → Connected → Interrupted (4 s) → Lost (+10 s) → remote offline (20 s) → JoinFailed',
  reset:
    'test/reconnect.test.ts › a connection reset reconnects at once (Interrupted immediately, then RejoinSuccess)',
  shortOutage:
    'test/reconnect.test.ts › a short outage inside the offline window resumes the session: remote members see no flap',
  afterWindow:
    'test/reconnect.test.ts › after the offline window: remote sees Dropped; the returning client gets KeepAliveTimeout, rejoins, remote sees Joined again',
  joinFailed: 'test/reconnect.test.ts › Failed/JoinFailed when reconnecting lasts longer than failAfterMs',
  quit: 'test/channel.test.ts › leaveChannel gives remote onUserOffline(Quit) at once',
  sameUid:
    'test/channel.test.ts › the older of two sessions with the same uid gets Failed/SameUidLogin; others see no flap',
  appId: 'test/channel.test.ts › an unknown app id → Failed/InvalidAppId with onError(101)',
  live: 'test/channel.test.ts › live broadcasting: audiences join silently; role switches announce BecomeAudience / Joined',
  kick: 'test/admin.test.ts › a kicking rule ends matching sessions (Failed/BannedByServer), refuses rejoins, and expires on time',
  broadcasters:
    'test/admin.test.ts › the broadcaster limit: Failed/TooManyBroadcasters at join, onClientRoleChangeFailed on a role switch',
  tokenAtJoin: 'test/tokens.test.ts › an expired token at join → Failed/TokenExpired + onRequestToken',
  proxy:
    'test/sdk-proxy.test.ts › before joining: (Connecting, SettingProxyServer) then (Connected, JoinSuccess), tunnelled by tinyproxy',
  ip: 'test/sdk-network.test.ts › Reconnecting/ClientIpAddressChanged at the next 2 s poll, then Connected/RejoinSuccess; the peer sees no flap',
  keepalivePause:
    'test/keepalive-pause.test.ts › the server ends the silent session; on wake-up the SDK reports KeepAliveTimeout and joins afresh',
  badName: 'test/bad-input.test.ts › a join with a 65-character channel name',
  secondJoin:
    'test/bad-input.test.ts › a second join on a joined connection → rejected; the session stays resumable',
  neLeave: 'test/nertc-seed-switch.test.ts › joinChannel, joinSucceed, leaveChannel (+ onLeaveChannel(0))',
  neReset:
    'test/nertc-seed-switch.test.ts › signalDisconnected then rejoinSucceed, with the connection reset under the client',
  neClosed:
    'test/nertc-seed-switch.test.ts › channelClosed: the admin API closes the room → (1, channelClosed) + onDisconnect(30207) for every member',
  neKicked:
    'test/nertc-seed-switch.test.ts › serverKicked: a kicking rule → (1, serverKicked) + onDisconnect(30206); the peer sees onUserLeave(uid, 3 kicked)',
  neTimeout:
    'test/nertc-seed-switch.test.ts › timeout: reconnecting gives up → (5, joinChannelFailed), (1, timeout), onDisconnect(30205)',
  neRequest:
    'test/nertc-seed-switch.test.ts › requestChannelFailed: an unknown app key → (5, requestChannelFailed) + onJoinChannel(417)',
  neJoinFailed:
    'test/nertc-seed-switch.test.ts › joinChannelFailed: no server to establish the long connection with → (5, joinChannelFailed) + onJoinChannel(30015)',
  neMedia:
    'test/nertc-seed-switch.test.ts › every case of the switch ran except mediaConnectionDisconnected, which Holdfast reserves for a media connection',
  neGiveup:
    'test/nertc-giveup.test.ts › a silent network: (4, 9) at 4 s, (5, joinChannelFailed) + (1, timeout) + onDisconnect(30205) at 44 s; peers see the leave at 40 s',
} as const;

const C = {
  blackhole: 'chaos: kernel blackhole (iptables DROP) of 127.0.0.2',
  blackholeLong: 'chaos: kernel blackhole of 127.0.0.2 past the 20 s offline window',
  giveup: 'chaos: kernel blackhole of 127.0.0.3 (give-up clients, failAfterMs 6 s instead of 20 min / 40 s)',
  rst: 'chaos: kernel RST (iptables REJECT --reject-with tcp-reset) of 127.0.0.2',
  ip: 'chaos: a real interface (veth) comes up with 127.0.0.9 in the namespace',
  every: 'chaos: every scenario',
  sweep: 'chaos: reason sweep (real server, real sockets)',
  rewrite: 'chaos: reason sweep, with a transport that rewrites one field of the SDK’s join frame in flight',
};

export const REASONS: ReasonRow[] = [
  // Agora ConnectionChangedReasonType (API-FACTS §1.2)
  {
    profile: 'agora',
    code: 0,
    name: 'Connecting',
    inSeed: true,
    reachable: true,
    how: C.every,
    tests: [T.timeline],
  },
  {
    profile: 'agora',
    code: 1,
    name: 'JoinSuccess',
    inSeed: true,
    reachable: true,
    how: C.every,
    tests: [T.timeline],
  },
  {
    profile: 'agora',
    code: 2,
    name: 'Interrupted',
    inSeed: true,
    reachable: true,
    how: `${C.blackhole} (4 s of silence); ${C.rst} (at once)`,
    tests: [T.timeline, T.reset],
  },
  {
    profile: 'agora',
    code: 3,
    name: 'BannedByServer',
    inSeed: true,
    reachable: true,
    how: `${C.sweep}: an admin kicking rule`,
    tests: [T.kick],
  },
  {
    profile: 'agora',
    code: 4,
    name: 'JoinFailed',
    inSeed: true,
    reachable: true,
    how: C.giveup,
    tests: [T.timeline, T.joinFailed],
  },
  {
    profile: 'agora',
    code: 5,
    name: 'LeaveChannel',
    inSeed: true,
    reachable: true,
    how: `${C.every}: the faulted client leaves at the end`,
    tests: [T.quit],
  },
  {
    profile: 'agora',
    code: 6,
    name: 'InvalidAppId',
    inSeed: true,
    reachable: true,
    how: `${C.sweep}: an unknown app id`,
    tests: [T.appId],
  },
  {
    profile: 'agora',
    code: 7,
    name: 'InvalidChannelName',
    inSeed: true,
    reachable: true,
    how:
      `${C.rewrite} (the channel, to 65 characters). An unmodified SDK never sends a bad name: ` +
      'joinChannel refuses it at once with -102 (ErrInvalidChannelName), by the same rule as the server',
    tests: [T.badName],
  },
  {
    profile: 'agora',
    code: 8,
    name: 'InvalidToken',
    inSeed: true,
    reachable: true,
    how: `${C.sweep}: a token app, a token that is not one`,
    tests: ['test/tokens.test.ts › accepts a token built by agora-token'],
  },
  {
    profile: 'agora',
    code: 9,
    name: 'TokenExpired',
    inSeed: true,
    reachable: true,
    how: `${C.sweep}: a token whose join privilege runs out 1 s after the join`,
    tests: [T.tokenAtJoin],
  },
  {
    profile: 'agora',
    code: 10,
    name: 'RejectedByServer',
    inSeed: true,
    reachable: true,
    how:
      `${C.rewrite} (the resume names another channel). An unmodified SDK does not get it: the server ` +
      'refuses only protocol violations with it (a second join on one connection, a resume of another ' +
      'channel or uid, or without the resume secret); Agora’s own triggers are refused by the SDK at once ' +
      '(joinChannel while joined: -17) or do not exist (no echo test)',
    tests: [T.secondJoin],
  },
  {
    profile: 'agora',
    code: 11,
    name: 'SettingProxyServer',
    inSeed: true,
    reachable: true,
    how: `${C.sweep}: setCloudProxy(TcpProxy) through a real tinyproxy`,
    tests: [T.proxy],
  },
  {
    profile: 'agora',
    code: 12,
    name: 'RenewToken',
    inSeed: true,
    reachable: true,
    how: `${C.sweep}: renewToken after Failed/TokenExpired (onRequestToken’s remedy) rejoins by itself`,
    tests: [],
  },
  {
    profile: 'agora',
    code: 13,
    name: 'ClientIpAddressChanged',
    inSeed: true,
    reachable: true,
    how: C.ip,
    tests: [T.ip],
  },
  {
    profile: 'agora',
    code: 14,
    name: 'KeepAliveTimeout',
    inSeed: true,
    reachable: true,
    how: C.blackholeLong,
    tests: [T.afterWindow, T.keepalivePause],
  },
  {
    profile: 'agora',
    code: 15,
    name: 'RejoinSuccess',
    inSeed: false,
    reachable: true,
    how: C.every,
    tests: [T.shortOutage],
  },
  {
    profile: 'agora',
    code: 16,
    name: 'Lost',
    inSeed: true,
    reachable: true,
    how: C.blackholeLong,
    tests: [T.timeline],
  },
  {
    profile: 'agora',
    code: 17,
    name: 'EchoTest',
    inSeed: false,
    reachable: false,
    how: 'Holdfast has no echo test (no startEchoTest): nothing can cause it',
    tests: [],
  },
  {
    profile: 'agora',
    code: 18,
    name: 'ClientIpAddressChangedByUser',
    inSeed: false,
    reachable: false,
    how: 'no API lets the app pick the local address; a changed address is always 13',
    tests: [],
  },
  {
    profile: 'agora',
    code: 19,
    name: 'SameUidLogin',
    inSeed: false,
    reachable: true,
    how: `${C.sweep}: a second engine joins with the same uid`,
    tests: [T.sameUid],
  },
  {
    profile: 'agora',
    code: 20,
    name: 'TooManyBroadcasters',
    inSeed: false,
    reachable: true,
    how: `${C.sweep}: a server with maxBroadcasters 1, a second broadcaster`,
    tests: [T.broadcasters],
  },
  ...(
    [
      [21, 'LicenseValidationFailure'],
      [22, 'CertificationVeryfyFailure'],
      [23, 'StreamChannelNotAvailable'],
      [24, 'InconsistentAppid'],
    ] as const
  ).map(
    ([code, name]): ReasonRow => ({
      profile: 'agora',
      code,
      name,
      inSeed: false,
      reachable: false,
      how: '@ignore in Agora’s own headers (licences, certificates, stream channels): no Holdfast counterpart',
      tests: [],
    }),
  ),
  // NERTC NERtcConnectionStateChangeReason (API-FACTS §4.2; seed 003's switch)
  {
    profile: 'nertc',
    code: 1,
    name: 'leaveChannel',
    inSeed: true,
    reachable: true,
    how: `${C.sweep}: leaveChannel`,
    tests: [T.neLeave],
  },
  {
    profile: 'nertc',
    code: 2,
    name: 'channelClosed',
    inSeed: true,
    reachable: true,
    how: `${C.sweep}: the admin API closes the channel`,
    tests: [T.neClosed],
  },
  {
    profile: 'nertc',
    code: 3,
    name: 'serverKicked',
    inSeed: true,
    reachable: true,
    how: `${C.sweep}: an admin kicking rule`,
    tests: [T.neKicked],
  },
  {
    profile: 'nertc',
    code: 4,
    name: 'timeout',
    inSeed: true,
    reachable: true,
    how: C.giveup,
    tests: [T.neTimeout, T.neGiveup],
  },
  {
    profile: 'nertc',
    code: 5,
    name: 'joinChannel',
    inSeed: true,
    reachable: true,
    how: C.sweep,
    tests: [T.neLeave],
  },
  {
    profile: 'nertc',
    code: 6,
    name: 'joinSucceed',
    inSeed: true,
    reachable: true,
    how: C.sweep,
    tests: [T.neLeave],
  },
  {
    profile: 'nertc',
    code: 7,
    name: 'rejoinSucceed',
    inSeed: true,
    reachable: true,
    how: `${C.sweep}: after reDispatch, on the second server`,
    tests: [T.neReset],
  },
  {
    profile: 'nertc',
    code: 8,
    name: 'mediaConnectionDisconnected',
    inSeed: true,
    reachable: false,
    how:
      'not produced by the chaos suite, which carries no media: the media monitor reports (4, 8) for a ' +
      '4 s media outage while signalling is fine — end to end in test/media-monitoring.test.ts',
    tests: [T.neMedia],
  },
  {
    profile: 'nertc',
    code: 9,
    name: 'signalDisconnected',
    inSeed: true,
    reachable: true,
    how: C.giveup,
    tests: [T.neReset, T.neGiveup],
  },
  {
    profile: 'nertc',
    code: 10,
    name: 'requestChannelFailed',
    inSeed: true,
    reachable: true,
    how: `${C.sweep}: an unknown app key`,
    tests: [T.neRequest],
  },
  {
    profile: 'nertc',
    code: 11,
    name: 'joinChannelFailed',
    inSeed: true,
    reachable: true,
    how: C.giveup,
    tests: [T.neTimeout, T.neJoinFailed],
  },
  {
    profile: 'nertc',
    code: 12,
    name: 'reDispatch',
    inSeed: false,
    reachable: true,
    how: `${C.sweep}: the first of two servers drains (server_shutdown); the client moves to the second`,
    tests: [],
  },
  {
    profile: 'nertc',
    code: 13,
    name: 'settingProxyServer',
    inSeed: false,
    reachable: true,
    how: `${C.sweep}: setCloudProxy(1) through a real tinyproxy`,
    tests: [],
  },
  // Agora UserOfflineReasonType (the seed timeline's onUserOffline)
  {
    profile: 'agora-offline',
    code: 0,
    name: 'UserOfflineQuit',
    inSeed: true,
    reachable: true,
    how: `${C.every}: the observer sees the faulted client leave`,
    tests: [T.quit],
  },
  {
    profile: 'agora-offline',
    code: 1,
    name: 'UserOfflineDropped',
    inSeed: true,
    reachable: true,
    how: `${C.blackholeLong}: the observer, 20 s after the last data`,
    tests: [T.timeline, T.afterWindow],
  },
  {
    profile: 'agora-offline',
    code: 2,
    name: 'UserOfflineBecomeAudience',
    inSeed: false,
    reachable: true,
    how: `${C.sweep}: a broadcaster becomes audience in a live channel`,
    tests: [T.live],
  },
];
