import { ClientRoleChangeFailedReason, ConnectionChangedReasonType, ErrorCodeType } from '@holdfast/protocol';
import type { Notice } from '../connection/types.js';
import type { AgoraMedia } from '../media/agora-media.js';
import { agoraErrorCode, agoraOfflineReason, agoraReason, agoraRole, agoraState } from '../profiles/agora.js';
import type { SessionListener } from '../session/channel-session.js';
import type { EngineShell } from './engine-shell.js';
import type { IRtcEngineEventHandler, RtcConnection } from './types.js';

/** The echo test's own state changes, told with reason EchoTest (17); Reconnecting and Failed keep theirs. */
const ECHO_STATES = new Set(['connecting', 'connected', 'disconnected']);

/** What the Agora engine's session callbacks read of the engine. */
export interface AgoraEngineParts {
  readonly shell: EngineShell<IRtcEngineEventHandler>;
  readonly media: AgoraMedia;
  /** startEchoTest ran and stopEchoTest has not: the session is the test's. */
  echo(): boolean;
  connection(): RtcConnection;
}

/** The session's events as Agora callbacks (state changes, members, roles, tokens, data streams). */
export function agoraSessionListener(engine: AgoraEngineParts): SessionListener {
  const shell = engine.shell;
  const emit = shell.emit.bind(shell);
  const conn = () => engine.connection();
  return shell.listener({
    state: (status, reason) => {
      // Signalling dropping during a told media outage is the same (Reconnecting, Interrupted).
      if (engine.media.repeats(status, reason)) return;
      const told =
        engine.echo() && ECHO_STATES.has(status)
          ? ConnectionChangedReasonType.ConnectionChangedEchoTest
          : agoraReason[reason];
      emit('onConnectionStateChanged', (h) => h.onConnectionStateChanged?.(conn(), agoraState[status], told));
    },
    notice: (n) => agoraNotice(n, engine),
    userJoined: (uid, elapsed) => emit('onUserJoined', (h) => h.onUserJoined?.(conn(), uid, elapsed)),
    userOffline: (uid, reason) =>
      emit('onUserOffline', (h) => h.onUserOffline?.(conn(), uid, agoraOfflineReason[reason])),
    roleChanged: (from, to) =>
      emit('onClientRoleChanged', (h) => h.onClientRoleChanged?.(conn(), agoraRole(from), agoraRole(to), {})),
    roleChangeFailed: (code, role) => {
      const reason =
        code === 'too_many_broadcasters'
          ? ClientRoleChangeFailedReason.ClientRoleChangeFailedTooManyBroadcasters
          : ClientRoleChangeFailedReason.ClientRoleChangeFailedNotAuthorized;
      emit('onClientRoleChangeFailed', (h) => h.onClientRoleChangeFailed?.(conn(), reason, agoraRole(role)));
    },
    tokenResult: (ok, code) => {
      if (!ok && code) emit('onError', (h) => h.onError?.(agoraErrorCode(code), `renewToken: ${code}`));
    },
    tokenExpiresAt: () => {},
    streamMessage: (uid, streamId, data, sentTs) =>
      emit('onStreamMessage', (h) =>
        h.onStreamMessage?.(conn(), uid, streamId, data, data.byteLength, sentTs),
      ),
    streamError: (uid, streamId, code, missed, cached) =>
      emit('onStreamMessageError', (h) =>
        h.onStreamMessageError?.(conn(), uid, streamId, code as ErrorCodeType, missed, cached),
      ),
    dataState: () => {},
    // The SDK keeps retrying; this says why it cannot connect (refused, not a ws:// URL, TLS to plain).
    connectionError: (e) => emit('onError', (h) => h.onError?.(ErrorCodeType.ErrFailed, e.message)),
  });
}

/** The connection machine's notices as Agora callbacks. */
export function agoraNotice(n: Notice, engine: AgoraEngineParts): void {
  const conn = engine.connection();
  const emit = engine.shell.emit.bind(engine.shell);
  switch (n.type) {
    case 'join_success':
      if (engine.echo()) return; // the test's channel is not one the app joined
      emit('onJoinChannelSuccess', (h) => h.onJoinChannelSuccess?.(conn, n.elapsed));
      return;
    case 'rejoin_success':
      if (engine.echo()) return;
      emit('onRejoinChannelSuccess', (h) => h.onRejoinChannelSuccess?.(conn, n.elapsed));
      return;
    case 'connection_lost':
      emit('onConnectionLost', (h) => h.onConnectionLost?.(conn));
      return;
    case 'connection_interrupted':
      if (engine.media.outageTold) return;
      emit('onConnectionInterrupted', (h) => h.onConnectionInterrupted?.(conn));
      return;
    case 'banned':
      emit('onConnectionBanned', (h) => h.onConnectionBanned?.(conn));
      return;
    case 'request_token':
      engine.shell.stopTokenWatch();
      emit('onRequestToken', (h) => h.onRequestToken?.(conn));
      return;
    case 'left': {
      engine.shell.stopTokenWatch();
      if (engine.echo()) return;
      const s = engine.shell.session?.stats();
      const stats = s && {
        duration: s.duration,
        txBytes: s.txBytes,
        rxBytes: s.rxBytes,
        userCount: s.userCount,
        connectTimeMs: s.connectTimeMs,
        lastmileDelay: s.lastRttMs,
      };
      emit('onLeaveChannel', (h) => h.onLeaveChannel?.(conn, stats ?? {}));
      return;
    }
    case 'error':
      emit('onError', (h) =>
        h.onError?.(agoraErrorCode(n.code), n.message ? `${n.code}: ${n.message}` : n.code),
      );
      return;
  }
}
