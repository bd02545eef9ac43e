// The Holdfast SDK in a browser: join a channel, show every state change with its reason, and the
// members. Plain JavaScript on purpose: this is the code to copy. Query parameters fill the form
// (server, appId, channel, uid, role), `join=1` joins at once, and interruptedAfterMs / lostAfterMs /
// failAfterMs / connectTimeoutMs change the SDK's timings (the seed's 4 s / 10 s / 20 min are the defaults).
import {
  ChannelProfileType,
  ClientRoleType,
  ConnectionChangedReasonType,
  ConnectionStateType,
  createRtcEngine,
  UserOfflineReasonType,
} from './holdfast-sdk.js';

/** Enum value → its name without the prefix: 2 → 'Interrupted'. */
const names = (enumObject, prefix) =>
  new Map(Object.entries(enumObject).map(([key, value]) => [value, key.slice(prefix.length)]));
const STATE = names(ConnectionStateType, 'ConnectionState');
const REASON = names(ConnectionChangedReasonType, 'ConnectionChanged');
const OFFLINE = names(UserOfflineReasonType, 'UserOffline');

const $ = (id) => document.getElementById(id);
const form = $('join-form');
const params = new URLSearchParams(location.search);
const defaultServer = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`;
form.server.value = params.get('server') ?? defaultServer;
for (const name of ['appId', 'channel', 'uid', 'role'])
  if (params.has(name)) form[name].value = params.get(name);

const members = new Set();
let engine;

function log(kind, text, data = {}) {
  const item = document.createElement('li');
  item.dataset.kind = kind;
  Object.assign(item.dataset, data);
  const now = new Date();
  const two = (n) => String(n).padStart(2, '0');
  const time = `${two(now.getHours())}:${two(now.getMinutes())}:${two(now.getSeconds())}.${Math.floor(now.getMilliseconds() / 100)}`;
  item.textContent = `${time}  ${text}`;
  $('log').prepend(item);
}

function showMembers() {
  $('members').textContent = members.size ? [...members].sort((a, b) => a - b).join(', ') : '–';
}

function join() {
  const timing = {};
  for (const key of ['interruptedAfterMs', 'lostAfterMs', 'failAfterMs', 'connectTimeoutMs'])
    if (params.has(key)) timing[key] = Number(params.get(key));

  engine = createRtcEngine();
  const rc = engine.initialize({ appId: form.appId.value, serverUrl: form.server.value, timing });
  if (rc !== 0) return log('error', `initialize returned ${rc}`);
  engine.registerEventHandler({
    onConnectionStateChanged: (_connection, state, reason) => {
      const stateName = STATE.get(state);
      const reasonName = REASON.get(reason);
      $('state').textContent = stateName;
      $('state').dataset.state = stateName;
      $('reason').textContent = `${reasonName}(${reason})`;
      log('state', `${stateName} · ${reasonName}(${reason})`, { state: stateName, reason: reasonName });
      if (stateName === 'Disconnected' || stateName === 'Failed') {
        members.clear();
        showMembers();
      }
    },
    onJoinChannelSuccess: (connection, elapsed) => {
      $('uid').textContent = connection.localUid;
      log('joined', `joined ${connection.channelId} as uid ${connection.localUid} in ${elapsed} ms`);
    },
    onUserJoined: (_connection, uid) => {
      members.add(uid);
      showMembers();
      log('user-joined', `user ${uid} joined`, { uid });
    },
    onUserOffline: (_connection, uid, reason) => {
      members.delete(uid);
      showMembers();
      log('user-offline', `user ${uid} offline · ${OFFLINE.get(reason)}(${reason})`, {
        uid,
        reason: OFFLINE.get(reason),
      });
    },
    onError: (code, message) => log('error', `error ${code}: ${message}`),
  });
  const joined = engine.joinChannel('', form.channel.value, Number(form.uid.value) || 0, {
    clientRoleType:
      form.role.value === 'audience'
        ? ClientRoleType.ClientRoleAudience
        : ClientRoleType.ClientRoleBroadcaster,
    channelProfile: ChannelProfileType.ChannelProfileCommunication,
  });
  if (joined !== 0) return log('error', `joinChannel returned ${joined}`);
  $('join').disabled = true;
  $('leave').disabled = false;
}

function leave() {
  engine?.leaveChannel();
  // Give the leave frame a moment to go out, then free the engine.
  const done = engine;
  setTimeout(() => done?.release(), 500);
  engine = undefined;
  $('join').disabled = false;
  $('leave').disabled = true;
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  join();
});
$('leave').addEventListener('click', leave);
addEventListener('pagehide', () => engine?.leaveChannel());
if (params.get('join') === '1') join();
