/**
 * Two engines in one channel; the network is pulled from UID 1 and given back.
 * Prints every callback with its time, so the seed's T0–T7 sequence can be read
 * off the terminal. Run the server first (`npm start`), then `npm run example`.
 */
import {
  ChannelProfileType,
  ClientRoleType,
  ConnectionChangedReasonType,
  ConnectionStateType,
  createRtcEngine,
  type IRtcEngineEventHandler,
  UserOfflineReasonType,
} from '@holdfast/sdk';
import { startFaultProxy } from '@holdfast/server/testing';

const serverUrl = process.env.HOLDFAST_URL ?? 'ws://127.0.0.1:7700';
const appId = process.env.HOLDFAST_APP_ID ?? 'demo';
const start = Date.now();
const name = <T extends Record<string, number>>(table: T, value: number) =>
  Object.keys(table).find((k) => table[k] === value) ?? String(value);
const log = (who: string, what: string) =>
  console.log(`${((Date.now() - start) / 1000).toFixed(2).padStart(6)} s  ${who}  ${what}`);

function handler(who: string): IRtcEngineEventHandler {
  return {
    onConnectionStateChanged: (_c, state, reason) =>
      log(
        who,
        `onConnectionStateChanged(${name(ConnectionStateType, state)}, ${name(ConnectionChangedReasonType, reason)})`,
      ),
    onJoinChannelSuccess: (c, elapsed) => log(who, `onJoinChannelSuccess(uid ${c.localUid}, ${elapsed} ms)`),
    onRejoinChannelSuccess: (_c, elapsed) => log(who, `onRejoinChannelSuccess(${elapsed} ms)`),
    onConnectionInterrupted: () => log(who, 'onConnectionInterrupted'),
    onConnectionLost: () => log(who, 'onConnectionLost'),
    onUserJoined: (_c, uid) => log(who, `onUserJoined(${uid})`),
    onUserOffline: (_c, uid, reason) =>
      log(who, `onUserOffline(${uid}, ${name(UserOfflineReasonType, reason)})`),
    onLeaveChannel: () => log(who, 'onLeaveChannel'),
    onError: (err, msg) => log(who, `onError(${err}, ${msg})`),
  };
}

// UID 1 reaches the server through a local fault proxy so its network can be pulled.
const target = new URL(serverUrl);
const proxy = await startFaultProxy({ targetHost: target.hostname, targetPort: Number(target.port) });
const options = {
  clientRoleType: ClientRoleType.ClientRoleBroadcaster,
  channelProfile: ChannelProfileType.ChannelProfileCommunication,
};

const uid1 = createRtcEngine();
uid1.initialize({ appId, serverUrl: proxy.url });
uid1.registerEventHandler(handler('UID1'));
const uid2 = createRtcEngine();
uid2.initialize({ appId, serverUrl });
uid2.registerEventHandler(handler('UID2'));

uid2.joinChannel('', 'seed-demo', 2, options);
uid1.joinChannel('', 'seed-demo', 1, options);

const at = (s: number, fn: () => void) => setTimeout(fn, s * 1000);
at(3, () => {
  log('----', 'pulling UID1 network (every byte dropped)');
  proxy.setMode('blackhole');
});
at(28, () => {
  log('----', 'giving UID1 its network back');
  proxy.setMode('pass');
});
at(34, async () => {
  uid1.leaveChannel();
  uid2.leaveChannel();
  await new Promise((r) => setTimeout(r, 300));
  uid1.release();
  uid2.release();
  await proxy.close();
});
