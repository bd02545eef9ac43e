// A video call with the Holdfast SDK in a browser: join a channel, see yourself and every other
// member in a tile with its media state and stats, mute the mic and the camera. Plain JavaScript on
// purpose: this is the code to copy. Query parameters fill the form (server, appId, channel, uid,
// role, profile, video=0 for no camera), `join=1` joins at once, and interruptedAfterMs / lostAfterMs /
// failAfterMs / connectTimeoutMs change the SDK's timings (the seed's 4 s / 10 s / 20 min are the defaults).
import {
  ChannelProfileType,
  ClientRoleType,
  ConnectionChangedReasonType,
  ConnectionStateType,
  createRtcEngine,
  LocalAudioStreamState,
  LocalVideoStreamState,
  QualityType,
  RemoteAudioState,
  RemoteAudioStateReason,
  RemoteVideoState,
  RemoteVideoStateReason,
  RenderModeType,
  UserOfflineReasonType,
} from './holdfast-sdk.js';

/** Enum value → its name without the prefix: 2 → 'Interrupted'. */
const names = (enumObject, prefix) =>
  new Map(Object.entries(enumObject).map(([key, value]) => [value, key.slice(prefix.length)]));
const STATE = names(ConnectionStateType, 'ConnectionState');
const REASON = names(ConnectionChangedReasonType, 'ConnectionChanged');
const OFFLINE = names(UserOfflineReasonType, 'UserOffline');
const VIDEO_STATE = names(RemoteVideoState, 'RemoteVideoState');
const VIDEO_REASON = names(RemoteVideoStateReason, 'RemoteVideoStateReason');
const AUDIO_STATE = names(RemoteAudioState, 'RemoteAudioState');
const AUDIO_REASON = names(RemoteAudioStateReason, 'RemoteAudioReason');
const LOCAL_AUDIO = names(LocalAudioStreamState, 'LocalAudioStreamState');
const LOCAL_VIDEO = names(LocalVideoStreamState, 'LocalVideoStreamState');
const QUALITY = names(QualityType, 'Quality');

const $ = (id) => document.getElementById(id);
const form = $('join-form');
const params = new URLSearchParams(location.search);
const defaultServer = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`;
form.server.value = params.get('server') ?? defaultServer;
for (const name of ['appId', 'channel', 'uid', 'role', 'profile'])
  if (params.has(name)) form[name].value = params.get(name);
if (params.get('video') === '0') form.video.checked = false;

const members = new Set();
let engine;
let rtt;
const muted = { mic: false, camera: false };

/**
 * Every callback, in order, for anyone who wants to look (the browser tests read it):
 * `window.demo.events` is a list of [name, ...arguments without the connection].
 */
const events = [];
window.demo = { events, engine: undefined };

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

/** The remote user's tile, made on first use; its `.video` is the view the SDK draws in. */
function tile(uid) {
  let t = document.querySelector(`.tile.remote[data-uid="${uid}"]`);
  if (t) return t;
  t = $('tile-template').content.firstElementChild.cloneNode(true);
  t.dataset.uid = String(uid);
  t.querySelector('.uid').textContent = uid;
  $('tiles').append(t);
  engine.setupRemoteVideo({ uid, view: t.querySelector('.video'), renderMode: RenderModeType.RenderModeFit });
  return t;
}

function removeTile(uid) {
  document.querySelector(`.tile.remote[data-uid="${uid}"]`)?.remove();
}

/** Shows one kind's state on a tile: the text, and data-state for the colours (and the tests). */
function showMedia(t, kind, text, state) {
  const el = t.querySelector(`[data-media="${kind}"]`);
  el.textContent = text;
  el.dataset.state = state;
}

const kbps = (n) => `${n ?? 0} kbps`;

function join() {
  const timing = {};
  for (const key of ['interruptedAfterMs', 'lostAfterMs', 'failAfterMs', 'connectTimeoutMs'])
    if (params.has(key)) timing[key] = Number(params.get(key));

  engine = createRtcEngine();
  window.demo.engine = engine;
  // ?videoCodec=h264: the camera is sent in H.264 (the SDK's media.videoCodec).
  const media = params.has('videoCodec') ? { videoCodec: params.get('videoCodec') } : undefined;
  const rc = engine.initialize({ appId: form.appId.value, serverUrl: form.server.value, timing, media });
  if (rc !== 0) return log('error', `initialize returned ${rc}`);
  // Every callback goes to window.demo.events; the ones the page shows are below.
  engine.registerEventHandler(
    new Proxy(
      {},
      {
        get: (_target, name) =>
          typeof name === 'string' && name.startsWith('on')
            ? (...args) => {
                const withConnection = ![
                  'onLocalVideoStateChanged',
                  'onFirstLocalVideoFrame',
                  'onError',
                ].includes(name);
                events.push([name, ...(withConnection ? args.slice(1) : args)]);
              }
            : undefined,
      },
    ),
  );
  engine.registerEventHandler(handlers());
  if (form.video.checked) engine.enableVideo();
  engine.setupLocalVideo({ view: $('local-view'), renderMode: RenderModeType.RenderModeHidden });
  const live = form.profile.value === 'live';
  const joined = engine.joinChannel('', form.channel.value, Number(form.uid.value) || 0, {
    clientRoleType:
      form.role.value === 'audience'
        ? ClientRoleType.ClientRoleAudience
        : ClientRoleType.ClientRoleBroadcaster,
    channelProfile: live
      ? ChannelProfileType.ChannelProfileLiveBroadcasting
      : ChannelProfileType.ChannelProfileCommunication,
  });
  if (joined !== 0) return log('error', `joinChannel returned ${joined}`);
  $('join').disabled = true;
  $('leave').disabled = false;
  const publishing = !live || form.role.value === 'broadcaster';
  $('mic').disabled = !publishing;
  $('camera').disabled = !publishing || !form.video.checked;
}

function handlers() {
  const local = $('tile-local');
  return {
    onConnectionStateChanged: (_connection, state, reason) => {
      const stateName = STATE.get(state);
      const reasonName = REASON.get(reason);
      $('state').textContent = stateName;
      $('state').dataset.state = stateName;
      $('reason').textContent = `${reasonName}(${reason})`;
      log('state', `${stateName} · ${reasonName}(${reason})`, { state: stateName, reason: reasonName });
      if (stateName === 'Disconnected' || stateName === 'Failed') {
        for (const uid of members) removeTile(uid);
        members.clear();
        showMembers();
      }
    },
    onJoinChannelSuccess: (connection, elapsed) => {
      $('uid').textContent = connection.localUid;
      local.querySelector('.uid').textContent = `(uid ${connection.localUid})`;
      log('joined', `joined ${connection.channelId} as uid ${connection.localUid} in ${elapsed} ms`);
    },
    onUserJoined: (_connection, uid) => {
      members.add(uid);
      showMembers();
      tile(uid);
      log('user-joined', `user ${uid} joined`, { uid });
    },
    onUserOffline: (_connection, uid, reason) => {
      members.delete(uid);
      showMembers();
      removeTile(uid);
      log('user-offline', `user ${uid} offline · ${OFFLINE.get(reason)}(${reason})`, {
        uid,
        reason: OFFLINE.get(reason),
      });
    },
    onRemoteVideoStateChanged: (_connection, uid, state, reason) => {
      const s = VIDEO_STATE.get(state);
      const r = VIDEO_REASON.get(reason);
      showMedia(tile(uid), 'video', `video ${s} · ${r}`, s);
      const badge = tile(uid).querySelector('.badge');
      badge.hidden = s !== 'Frozen' && s !== 'Stopped' && s !== 'Failed';
      badge.textContent = s === 'Stopped' ? `video stopped · ${r}` : `video ${s.toLowerCase()}`;
      log('remote-video', `user ${uid} video ${s} · ${r}`, { uid, state: s, reason: r });
    },
    onRemoteAudioStateChanged: (_connection, uid, state, reason) => {
      const s = AUDIO_STATE.get(state);
      const r = AUDIO_REASON.get(reason);
      showMedia(tile(uid), 'audio', `audio ${s} · ${r}`, s);
      log('remote-audio', `user ${uid} audio ${s} · ${r}`, { uid, state: s, reason: r });
    },
    onUserMuteAudio: (_connection, uid, isMuted) =>
      log('user-mute-audio', `user ${uid} ${isMuted ? 'muted' : 'unmuted'} the mic`, { uid, muted: isMuted }),
    onUserMuteVideo: (_connection, uid, isMuted) =>
      log('user-mute-video', `user ${uid} ${isMuted ? 'muted' : 'unmuted'} the camera`, {
        uid,
        muted: isMuted,
      }),
    onUserEnableVideo: (_connection, uid, enabled) =>
      log('user-enable-video', `user ${uid} turned the camera ${enabled ? 'on' : 'off'}`, { uid }),
    onFirstRemoteVideoFrame: (_connection, uid, width, height, elapsed) =>
      log('first-frame', `user ${uid}: first frame ${width}×${height} drawn, ${elapsed} ms after joining`, {
        uid,
      }),
    onLocalAudioStateChanged: (_connection, state, reason) => {
      const s = LOCAL_AUDIO.get(state);
      showMedia(local, 'audio', `mic ${muted.mic ? 'muted' : s}${reason ? ` (reason ${reason})` : ''}`, s);
    },
    onLocalVideoStateChanged: (_source, state, reason) => {
      const s = LOCAL_VIDEO.get(state);
      showMedia(
        local,
        'video',
        `camera ${muted.camera ? 'muted' : s}${reason ? ` (reason ${reason})` : ''}`,
        s,
      );
      if (s === 'Failed') log('error', `camera failed, reason ${reason}`);
    },
    onRtcStats: (_connection, stats) => {
      rtt = stats.lastmileDelay;
      local.querySelector('.stats').textContent =
        `up ${kbps(stats.txKBitRate)} · down ${kbps(stats.rxKBitRate)} · loss ${stats.txPacketLossRate ?? 0}% up, ${stats.rxPacketLossRate ?? 0}% down · RTT ${rtt ?? '–'} ms`;
    },
    onNetworkQuality: (_connection, uid, tx, rx) => {
      if (uid === 0) $('quality').textContent = `up ${QUALITY.get(tx)} · down ${QUALITY.get(rx)}`;
    },
    onRemoteVideoStats: (_connection, s) => {
      const t = tile(s.uid);
      t.dataset.video = `${s.receivedBitrate}`;
      t.querySelector('.stats').textContent =
        `video ${s.width}×${s.height} ${s.decoderOutputFrameRate} fps · ${kbps(s.receivedBitrate)} · loss ${s.packetLossRate}% · RTT ${rtt ?? '–'} ms · frozen ${s.totalFrozenTime} ms`;
    },
    onRemoteAudioStats: (_connection, s) => {
      const t = tile(s.uid);
      // Audio-only members show their audio figures; video members keep the video line.
      if (t.dataset.video === undefined)
        t.querySelector('.stats').textContent =
          `audio ${kbps(s.receivedBitrate)} · loss ${s.audioLossRate}% · RTT ${rtt ?? '–'} ms`;
    },
    onError: (code, message) => log('error', `error ${code}: ${message}`),
  };
}

function leave() {
  engine?.leaveChannel();
  // Give the leave frame a moment to go out, then free the engine (and the devices).
  const done = engine;
  setTimeout(() => done?.release(), 500);
  engine = undefined;
  for (const uid of members) removeTile(uid);
  members.clear();
  showMembers();
  $('join').disabled = false;
  $('leave').disabled = true;
  $('mic').disabled = $('camera').disabled = true;
}

function toggle(which) {
  if (!engine) return;
  muted[which] = !muted[which];
  if (which === 'mic') engine.muteLocalAudioStream(muted.mic);
  else engine.muteLocalVideoStream(muted.camera);
  const button = $(which);
  button.setAttribute('aria-pressed', String(muted[which]));
  button.textContent = `${muted[which] ? 'Unmute' : 'Mute'} ${which}`;
  const kind = which === 'mic' ? 'audio' : 'video';
  showMedia(
    $('tile-local'),
    kind,
    `${which} ${muted[which] ? 'muted' : 'on'}`,
    muted[which] ? 'Muted' : 'Encoding',
  );
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  join();
});
$('leave').addEventListener('click', leave);
$('mic').addEventListener('click', () => toggle('mic'));
$('camera').addEventListener('click', () => toggle('camera'));
addEventListener('pagehide', () => engine?.leaveChannel());
if (params.get('join') === '1') join();
