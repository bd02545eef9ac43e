import type { TrackLike } from './peer.js';

/**
 * Where a video is drawn: an HTML element the SDK fills with a `<video>` of its own (Agora
 * VideoCanvas with `view` an element; NERTC's canvas). `renderMode` is Agora's RenderModeType
 * (1 Hidden: crop to fill, 2 Fit: letterbox, 3 Adaptive: as Fit here); `mirror` true mirrors.
 */
export interface ViewBinding {
  view: HTMLElement;
  renderMode: number;
  mirror: boolean;
}

type MediaStreamCtor = new (tracks: TrackLike[]) => MediaStream;

interface Bound {
  binding: ViewBinding;
  video: HTMLVideoElement;
  track: TrackLike | undefined;
  /** The first frame of the current track was told. */
  told: boolean;
}

/**
 * The `<video>` elements the SDK puts in the app's views: the local preview and one per remote
 * user. A binding outlives its track (set it before the user publishes, as Agora suggests on
 * onUserJoined) and the track outlives its binding. `firstFrame` is told when the first frame of
 * a remote track is drawn (Agora onFirstRemoteVideoFrame).
 */
export class VideoViews {
  #local: Bound | undefined;
  #localTrack: TrackLike | undefined;
  #remote = new Map<number, Bound>();
  #remoteTracks = new Map<number, TrackLike>();

  constructor(private readonly firstFrame: (uid: number, width: number, height: number) => void) {}

  setLocal(binding: ViewBinding | undefined): void {
    this.#local = this.#rebind(this.#local, binding, true);
    this.#show(this.#local, this.#localTrack, undefined);
  }

  localTrack(track: TrackLike | undefined): void {
    this.#localTrack = track;
    this.#show(this.#local, track, undefined);
  }

  setRemote(uid: number, binding: ViewBinding | undefined): void {
    const bound = this.#rebind(this.#remote.get(uid), binding, false);
    if (bound) this.#remote.set(uid, bound);
    else this.#remote.delete(uid);
    this.#show(bound, this.#remoteTracks.get(uid), uid);
  }

  remoteTrack(uid: number, track: TrackLike | undefined): void {
    if (track) this.#remoteTracks.set(uid, track);
    else this.#remoteTracks.delete(uid);
    this.#show(this.#remote.get(uid), track, uid);
  }

  /** Leaving the channel: remote bindings and tracks are cleared (the local binding stays, as Agora's). */
  clearRemote(): void {
    for (const bound of this.#remote.values()) bound.video.remove();
    this.#remote.clear();
    this.#remoteTracks.clear();
  }

  #rebind(old: Bound | undefined, binding: ViewBinding | undefined, local: boolean): Bound | undefined {
    if (old && binding && old.binding.view === binding.view) {
      old.binding = binding;
      style(old.video, binding);
      return old;
    }
    old?.video.remove();
    if (!binding) return undefined;
    const video = binding.view.ownerDocument.createElement('video');
    video.autoplay = true;
    video.playsInline = true;
    // Remote audio plays through its own element; a local preview must never play the microphone.
    video.muted = true;
    video.dataset.holdfast = local ? 'local' : 'remote';
    style(video, binding);
    binding.view.appendChild(video);
    return { binding, video, track: undefined, told: false };
  }

  #show(bound: Bound | undefined, track: TrackLike | undefined, uid: number | undefined): void {
    if (!bound || bound.track === track) return;
    bound.track = track;
    bound.told = false;
    const Stream = bound.video.ownerDocument.defaultView?.MediaStream as MediaStreamCtor | undefined;
    bound.video.srcObject = track && Stream ? new Stream([track]) : null;
    if (!track) return;
    bound.video.play().catch(() => {});
    if (uid !== undefined) this.#watchFirstFrame(bound, track, uid);
  }

  #watchFirstFrame(bound: Bound, track: TrackLike, uid: number): void {
    const video = bound.video;
    const tell = () => {
      if (bound.told || bound.track !== track) return;
      bound.told = true;
      this.firstFrame(uid, video.videoWidth, video.videoHeight);
    };
    const rvfc = (video as { requestVideoFrameCallback?: (cb: () => void) => number })
      .requestVideoFrameCallback;
    if (typeof rvfc === 'function') rvfc.call(video, tell);
    else video.addEventListener('loadeddata', tell, { once: true });
  }
}

function style(video: HTMLVideoElement, binding: ViewBinding): void {
  video.style.width = '100%';
  video.style.height = '100%';
  video.style.objectFit = binding.renderMode === 1 ? 'cover' : 'contain';
  video.style.transform = binding.mirror ? 'scaleX(-1)' : '';
}
