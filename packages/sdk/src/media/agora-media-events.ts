import {
  ConnectionChangedReasonType,
  ConnectionStateType,
  ErrorCodeType as E,
  LocalAudioStreamReason as LAR,
  LocalAudioStreamState as LAS,
  LocalVideoStreamReason as LVR,
  LocalVideoStreamState as LVS,
  type QualityType,
  type RemoteAudioState,
  type RemoteAudioStateReason,
  RemoteVideoState,
  type RemoteVideoStateReason,
  VideoSourceType,
} from '@holdfast/protocol';
import type { EngineShell } from '../engine/engine-shell.js';
import type { IRtcEngineEventHandler, RtcConnection, RtcStats } from '../engine/types.js';
import type { CaptureFailure } from './devices.js';
import type { LocalPhase } from './local-phases.js';
import type { MediaListener } from './media-session.js';
import type { RemoteCause, RemotePhase } from './remote-state.js';
import { quality } from './stats.js';
import type { VolumeMeter } from './volume.js';

type Shell = EngineShell<IRtcEngineEventHandler>;

const PHASE: Record<RemotePhase, number> = {
  stopped: RemoteVideoState.RemoteVideoStateStopped,
  starting: RemoteVideoState.RemoteVideoStateStarting,
  decoding: RemoteVideoState.RemoteVideoStateDecoding,
  frozen: RemoteVideoState.RemoteVideoStateFrozen,
  failed: RemoteVideoState.RemoteVideoStateFailed,
};
// RemoteAudioStateReason and RemoteVideoStateReason share 0–7 (MEDIA-FACTS §C.4).
const CAUSE: Record<RemoteCause, number> = {
  internal: 0,
  network_congestion: 1,
  network_recovery: 2,
  local_muted: 3,
  local_unmuted: 4,
  remote_muted: 5,
  remote_unmuted: 6,
  remote_offline: 7,
};
const LOCAL_AUDIO: Record<LocalPhase, LAS> = {
  stopped: LAS.LocalAudioStreamStateStopped,
  capturing: LAS.LocalAudioStreamStateRecording,
  encoding: LAS.LocalAudioStreamStateEncoding,
  failed: LAS.LocalAudioStreamStateFailed,
};
const LOCAL_VIDEO: Record<LocalPhase, LVS> = {
  stopped: LVS.LocalVideoStreamStateStopped,
  capturing: LVS.LocalVideoStreamStateCapturing,
  encoding: LVS.LocalVideoStreamStateEncoding,
  failed: LVS.LocalVideoStreamStateFailed,
};
const AUDIO_FAILURE: Record<CaptureFailure, LAR> = {
  no_permission: LAR.LocalAudioStreamReasonDeviceNoPermission,
  busy: LAR.LocalAudioStreamReasonDeviceBusy,
  not_found: LAR.LocalAudioStreamReasonNoRecordingDevice,
  failure: LAR.LocalAudioStreamReasonFailure,
};
const VIDEO_FAILURE: Record<CaptureFailure, LVR> = {
  no_permission: LVR.LocalVideoStreamReasonDeviceNoPermission,
  busy: LVR.LocalVideoStreamReasonDeviceBusy,
  not_found: LVR.LocalVideoStreamReasonDeviceNotFound,
  failure: LVR.LocalVideoStreamReasonCaptureFailure,
};
/** media_error codes as Agora error codes (onError): refused, not ready, failed. */
const ERROR: Record<string, E> = {
  not_broadcaster: E.ErrRefused,
  media_unavailable: E.ErrNotReady,
};

/**
 * The media layer's listener for the Agora profile: each MediaSession event as Agora's callbacks,
 * in Agora's numbering. `outage` is told when a media outage is told (true) or over (false).
 */
export function agoraMediaListener(
  shell: Shell,
  connection: () => RtcConnection,
  volume: VolumeMeter,
  outage: (told: boolean) => void,
): MediaListener {
  const emit = shell.emit.bind(shell);
  const conn = () => connection();
  return {
    local: (kind, phase, failure) => {
      if (kind === 'audio') {
        const reason = failure ? AUDIO_FAILURE[failure] : LAR.LocalAudioStreamReasonOk;
        emit('onLocalAudioStateChanged', (h) =>
          h.onLocalAudioStateChanged?.(conn(), LOCAL_AUDIO[phase], reason),
        );
      } else {
        const reason = failure ? VIDEO_FAILURE[failure] : LVR.LocalVideoStreamReasonOk;
        emit('onLocalVideoStateChanged', (h) =>
          h.onLocalVideoStateChanged?.(VideoSourceType.VideoSourceCameraPrimary, LOCAL_VIDEO[phase], reason),
        );
      }
    },
    firstLocalVideoFrame: (w, h, elapsed) =>
      emit('onFirstLocalVideoFrame', (x) =>
        x.onFirstLocalVideoFrame?.(VideoSourceType.VideoSourceCameraPrimary, w, h, elapsed),
      ),
    remote: (e, elapsed) => {
      const c = conn();
      if (e.type === 'first_decoded') {
        emit('onFirstRemoteVideoDecoded', (h) =>
          h.onFirstRemoteVideoDecoded?.(c, e.uid, e.width, e.height, elapsed),
        );
      } else if (e.type === 'phase') {
        const state = PHASE[e.phase];
        const reason = CAUSE[e.cause];
        if (e.kind === 'audio')
          emit('onRemoteAudioStateChanged', (h) =>
            h.onRemoteAudioStateChanged?.(
              c,
              e.uid,
              state as RemoteAudioState,
              reason as RemoteAudioStateReason,
              elapsed,
            ),
          );
        else
          emit('onRemoteVideoStateChanged', (h) =>
            h.onRemoteVideoStateChanged?.(
              c,
              e.uid,
              state as RemoteVideoState,
              reason as RemoteVideoStateReason,
              elapsed,
            ),
          );
      } else {
        const { from, to, uid } = e;
        // Mute ↔ unmute (and a user first seen muted) is onUserMute*; video on ↔ off is onUserEnableVideo.
        const muteChange =
          (from === 'on' && to === 'muted') ||
          (from !== undefined && from === 'muted' && to === 'on') ||
          (from === undefined && to === 'muted');
        if (muteChange && e.kind === 'audio')
          emit('onUserMuteAudio', (h) => h.onUserMuteAudio?.(c, uid, to === 'muted'));
        if (muteChange && e.kind === 'video')
          emit('onUserMuteVideo', (h) => h.onUserMuteVideo?.(c, uid, to === 'muted'));
        if (e.kind === 'video' && from !== undefined && (from === 'off') !== (to === 'off'))
          emit('onUserEnableVideo', (h) => h.onUserEnableVideo?.(c, uid, to !== 'off'));
      }
    },
    firstRemoteVideoFrame: (uid, w, h, elapsed) =>
      emit('onFirstRemoteVideoFrame', (x) => x.onFirstRemoteVideoFrame?.(conn(), uid, w, h, elapsed)),
    // Agora has one connection to its servers: media that cannot flow for 4 s is that connection
    // interrupted (the seed's Connected means "can publish or subscribe to audio and video").
    link: (change, elapsed) => {
      const c = conn();
      const S = ConnectionStateType;
      const R = ConnectionChangedReasonType;
      if (change === 'up') {
        outage(false);
        emit('onConnectionStateChanged', (h) =>
          h.onConnectionStateChanged?.(c, S.ConnectionStateConnected, R.ConnectionChangedRejoinSuccess),
        );
        emit('onRejoinChannelSuccess', (h) => h.onRejoinChannelSuccess?.(c, elapsed));
        return;
      }
      const reason = change === 'down' ? R.ConnectionChangedInterrupted : R.ConnectionChangedLost;
      outage(true);
      emit('onConnectionStateChanged', (h) =>
        h.onConnectionStateChanged?.(c, S.ConnectionStateReconnecting, reason),
      );
      if (change === 'down') emit('onConnectionInterrupted', (h) => h.onConnectionInterrupted?.(c));
      else emit('onConnectionLost', (h) => h.onConnectionLost?.(c));
    },
    stats: (report) => {
      const c = conn();
      const session = shell.session?.stats();
      const t = report.transport;
      const stats: RtcStats = {
        duration: session?.duration,
        txBytes: t.txBytes + (session?.txBytes ?? 0),
        rxBytes: t.rxBytes + (session?.rxBytes ?? 0),
        userCount: session?.userCount,
        connectTimeMs: session?.connectTimeMs,
        lastmileDelay: t.rttMs ?? session?.lastRttMs,
        txAudioBytes: t.txAudioBytes,
        txVideoBytes: t.txVideoBytes,
        rxAudioBytes: t.rxAudioBytes,
        rxVideoBytes: t.rxVideoBytes,
        txKBitRate: t.txKBitRate,
        rxKBitRate: t.rxKBitRate,
        txAudioKBitRate: t.txAudioKBitRate,
        rxAudioKBitRate: t.rxAudioKBitRate,
        txVideoKBitRate: t.txVideoKBitRate,
        rxVideoKBitRate: t.rxVideoKBitRate,
        txPacketLossRate: t.txPacketLossRate,
        rxPacketLossRate: t.rxPacketLossRate,
      };
      emit('onRtcStats', (h) => h.onRtcStats?.(c, stats));
      const tx = report.txQuality as QualityType;
      const rx = report.rxQuality as QualityType;
      emit('onNetworkQuality', (h) => h.onNetworkQuality?.(c, 0, tx, rx));
      for (const r of report.remote) {
        const frozen = { totalFrozenTime: r.totalFrozenTime, frozenRate: r.frozenRate };
        if (r.kind === 'video')
          emit('onRemoteVideoStats', (h) =>
            h.onRemoteVideoStats?.(c, {
              uid: r.uid,
              delay: r.jitterBufferMs,
              width: r.width,
              height: r.height,
              receivedBitrate: r.bitrate,
              decoderOutputFrameRate: r.fps,
              rendererOutputFrameRate: r.fps,
              packetLossRate: r.lossRate,
              ...frozen,
            }),
          );
        else
          emit('onRemoteAudioStats', (h) =>
            h.onRemoteAudioStats?.(c, {
              uid: r.uid,
              quality: quality(r.lossRate, t.rttMs, r.bitrate > 0) as QualityType,
              networkTransportDelay: t.rttMs !== undefined ? Math.round(t.rttMs / 2) : undefined,
              jitterBufferDelay: r.jitterBufferMs,
              audioLossRate: r.lossRate,
              receivedBitrate: r.bitrate,
              ...frozen,
            }),
          );
      }
    },
    volume: (local, remote) => {
      const c = conn();
      const { self, others, total } = volume.measure(local, remote);
      emit('onAudioVolumeIndication', (h) => h.onAudioVolumeIndication?.(c, [self], 1, self.volume ?? 0));
      if (others.length)
        emit('onAudioVolumeIndication', (h) => h.onAudioVolumeIndication?.(c, others, others.length, total));
    },
    error: (code, message) =>
      emit('onError', (h) => h.onError?.(ERROR[code] ?? E.ErrFailed, `media: ${message}`)),
  };
}
