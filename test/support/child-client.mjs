// A Holdfast SDK client in its own process (so a test can really pause it with SIGSTOP).
// Usage: node child-client.mjs <serverUrl> <channel> <uid>
// Prints one JSON line per callback: { name, args, at }.
import { ChannelProfileType, ClientRoleType, createRtcEngine } from '@holdfast/sdk';

const [serverUrl, channel, uid] = process.argv.slice(2);
const engine = createRtcEngine();
engine.initialize({ appId: 'demo', serverUrl, network: null });
const start = Date.now();
const names = [
  'onConnectionStateChanged',
  'onJoinChannelSuccess',
  'onRejoinChannelSuccess',
  'onUserJoined',
  'onUserOffline',
  'onConnectionLost',
  'onLeaveChannel',
];
engine.registerEventHandler(
  Object.fromEntries(
    names.map((name) => [
      name,
      (...args) =>
        process.stdout.write(`${JSON.stringify({ name, args: args.slice(1), at: Date.now() - start })}\n`),
    ]),
  ),
);
engine.joinChannel('', channel, Number(uid), {
  clientRoleType: ClientRoleType.ClientRoleBroadcaster,
  channelProfile: ChannelProfileType.ChannelProfileCommunication,
});
process.on('SIGTERM', () => {
  engine.leaveChannel();
  setTimeout(() => process.exit(0), 100);
});
