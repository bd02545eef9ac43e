import type { RTCPeerConnection } from 'werift';

/** Resolves once the connection's ICE gathering is complete (host candidates: at once), or after `ms`. */
export function gathered(pc: RTCPeerConnection, ms = 2000): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    const sub = pc.iceGatheringStateChange.subscribe((s) => {
      if (s === 'complete') done();
    });
    function done() {
      clearTimeout(timer);
      sub.unSubscribe();
      resolve();
    }
  });
}

/** The local SDP after gathering: what goes to the client (candidates inside, no trickle). */
export async function localSdp(pc: RTCPeerConnection): Promise<string> {
  await gathered(pc);
  const sdp = pc.localDescription?.sdp;
  if (!sdp) throw new Error('no local description');
  return sdp;
}

/** Runs tasks one after another (one peer connection's negotiation steps never interleave). */
export class Serial {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(task, task);
    this.#tail = next.catch(() => undefined);
    return next;
  }
}
