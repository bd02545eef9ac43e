import { describe, expect, it } from 'vitest';
import {
  LocalAudioStreamReason,
  LocalAudioStreamState,
  LocalVideoStreamReason,
  LocalVideoStreamState,
  QualityType,
  RemoteAudioState,
  RemoteAudioStateReason,
  RemoteVideoState,
  RemoteVideoStateReason,
  RenderModeType,
  VideoMirrorModeType,
  VideoSourceType,
} from './enums/agora.js';
import { NERtcNetworkStatus } from './enums/nertc.js';

// Every table below is copied by hand from ../shared/MEDIA-FACTS.md §C.1, §C.4 and §E.2.
const values = (o: Record<string, number>) => Object.values(o);

describe('Agora media enums (MEDIA-FACTS §C.4)', () => {
  it('RemoteAudioState / RemoteVideoState: Stopped 0 … Failed 4', () => {
    expect(values(RemoteAudioState)).toEqual([0, 1, 2, 3, 4]);
    expect(RemoteVideoState).toEqual({
      RemoteVideoStateStopped: 0,
      RemoteVideoStateStarting: 1,
      RemoteVideoStateDecoding: 2,
      RemoteVideoStateFrozen: 3,
      RemoteVideoStateFailed: 4,
    });
  });

  it('RemoteAudioStateReason 0–9 and RemoteVideoStateReason 0–13', () => {
    expect(RemoteAudioStateReason.RemoteAudioReasonNetworkCongestion).toBe(1);
    expect(RemoteAudioStateReason.RemoteAudioReasonNetworkRecovery).toBe(2);
    expect(RemoteAudioStateReason.RemoteAudioReasonRemoteMuted).toBe(5);
    expect(RemoteAudioStateReason.RemoteAudioReasonRemoteOffline).toBe(7);
    expect(values(RemoteAudioStateReason)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(RemoteVideoStateReason.RemoteVideoStateReasonLocalMuted).toBe(3);
    expect(RemoteVideoStateReason.RemoteVideoStateReasonRemoteUnmuted).toBe(6);
    expect(RemoteVideoStateReason.RemoteVideoStateReasonCodecNotSupport).toBe(13);
    expect(values(RemoteVideoStateReason)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
  });

  it('local audio and video stream states and reasons', () => {
    expect(values(LocalAudioStreamState)).toEqual([0, 1, 2, 3]);
    expect(LocalAudioStreamState.LocalAudioStreamStateRecording).toBe(1);
    expect(values(LocalVideoStreamState)).toEqual([0, 1, 2, 3]);
    expect(LocalVideoStreamState.LocalVideoStreamStateCapturing).toBe(1);
    expect(values(LocalAudioStreamReason)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(LocalAudioStreamReason.LocalAudioStreamReasonNoRecordingDevice).toBe(6);
    expect(LocalVideoStreamReason.LocalVideoStreamReasonDeviceNotFound).toBe(8);
    expect(LocalVideoStreamReason.LocalVideoStreamReasonDeviceInterrupt).toBe(14);
    expect(LocalVideoStreamReason.LocalVideoStreamReasonDeviceFatalError).toBe(15);
    expect(LocalVideoStreamReason.LocalVideoStreamReasonDeviceSystemPressure).toBe(101);
  });

  it('QualityType 0–8', () => {
    expect(QualityType).toEqual({
      QualityUnknown: 0,
      QualityExcellent: 1,
      QualityGood: 2,
      QualityPoor: 3,
      QualityBad: 4,
      QualityVbad: 5,
      QualityDown: 6,
      QualityUnsupported: 7,
      QualityDetecting: 8,
    });
  });

  it('VideoCanvas enums (§C.1)', () => {
    expect(RenderModeType).toEqual({ RenderModeHidden: 1, RenderModeFit: 2, RenderModeAdaptive: 3 });
    expect(values(VideoMirrorModeType)).toEqual([0, 1, 2]);
    expect(VideoSourceType.VideoSourceCameraPrimary).toBe(0);
    expect(VideoSourceType.VideoSourceRemote).toBe(9);
    expect(VideoSourceType.VideoSourceSpeechDriven).toBe(15);
    expect(VideoSourceType.VideoSourceUnknown).toBe(100);
  });
});

describe('NERTC media enums (MEDIA-FACTS §E.2)', () => {
  it('NERtcNetworkStatus 0–6, no Unsupported or Detecting', () => {
    expect(NERtcNetworkStatus).toEqual({
      unknown: 0,
      excellent: 1,
      good: 2,
      poor: 3,
      bad: 4,
      veryBad: 5,
      down: 6,
    });
  });
});
