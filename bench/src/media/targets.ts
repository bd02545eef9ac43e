import { fileURLToPath } from 'node:url';
import { LOOPBACK } from '../harness.js';
import { Child } from '../rpc.js';
import type { Capture, PublisherPage } from './chromium-publisher.js';
import { HoldfastWs } from './holdfast-ws.js';
import { startJanus } from './janus-server.js';
import { JanusSession } from './janus-ws.js';
import type { MediaSystemId, SubTarget } from './subscriber.js';

const dist = (file: string) => fileURLToPath(new URL(`./${file}`, import.meta.url));

/** The publisher's uid (Holdfast) and feed id (Janus). */
export const PUBLISHER = 1;

/** A transform of the publisher's SDPs on their way (the UDP relay of the network-cut test). */
export interface PublisherPath {
  offer(sdp: string): string;
  answer(sdp: string): Promise<string>;
}

/** One SFU under test, running, with the publisher's signalling done from Node. */
export interface MediaTarget {
  system: MediaSystemId;
  /** The process whose CPU is the server's (Holdfast's child; Janus itself, every thread). */
  pid: number;
  version: string;
  sub: SubTarget;
  /** Signs the publisher in and publishes the page's offer; resolves once its connection is up. */
  publish(page: PublisherPage, c: Capture, path?: PublisherPath): Promise<void>;
  /** CPU profile of the server (Holdfast only). */
  profile?: { start(): Promise<void>; stop(file: string): Promise<void> };
  /** What the server logged lately (Janus: warnings and errors). */
  log?: () => string;
  /** Holdfast's SFU test seam: cuts the publisher's media at the server. */
  block?: (blocked: boolean) => Promise<void>;
  stop(): Promise<void>;
}

/** `janusIface`: the interface Janus gathers on (janus-server.ts `janusInterface`). */
export async function startMediaTarget(
  system: MediaSystemId,
  trial: number,
  janusIface = '',
): Promise<MediaTarget> {
  return system === 'holdfast' ? startHoldfast(trial) : startJanusTarget(trial, janusIface);
}

async function startHoldfast(trial: number): Promise<MediaTarget> {
  const child = new Child('holdfast-media', dist('holdfast-server.js'));
  await child.ready;
  const { url } = await child.call<{ url: string; pid: number }>('start', { host: LOOPBACK });
  const channel = `media-${trial}`;
  let signalling: HoldfastWs | undefined;
  return {
    system: 'holdfast',
    pid: child.pid,
    version: 'werift 0.24.4',
    sub: { system: 'holdfast', url, channel, room: 0, feed: PUBLISHER },
    async publish(page, c, path) {
      signalling = await HoldfastWs.join(url, { channel, uid: PUBLISHER, role: 'broadcaster' });
      const offer = await page.offer(c);
      const answer = signalling.next('media_publish_answer');
      signalling.send({ type: 'media_publish', sdp: path ? path.offer(offer) : offer });
      const sdp = (await answer).sdp as string;
      await page.answer(path ? await path.answer(sdp) : sdp);
      await page.connected();
    },
    profile: {
      start: () => child.call('profileStart'),
      stop: (file) => child.call('profileStop', { file }),
    },
    block: (blocked) => child.call('block', { channel, uid: PUBLISHER, blocked }),
    async stop() {
      signalling?.close();
      await child.call('stop').catch(() => {});
      await child.stop();
    },
  };
}

async function startJanusTarget(trial: number, iface: string): Promise<MediaTarget> {
  const janus = await startJanus(iface);
  const room = 1000 + trial;
  let session: JanusSession | undefined;
  try {
    session = await JanusSession.open(janus.url);
    const handle = await session.attach();
    // A room for one publisher, at the plugin's defaults otherwise (bitrate 0: no REMB cap of its own).
    await session.message(handle, {
      request: 'create',
      room,
      publishers: 1,
      audiocodec: 'opus',
      videocodec: 'vp8',
      fir_freq: 0,
    });
    const s = session;
    return {
      system: 'janus',
      pid: janus.pid,
      version: `janus ${janus.version}`,
      log: () => janus.log(),
      sub: { system: 'janus', url: janus.url, channel: '', room, feed: PUBLISHER },
      async publish(page, c, path) {
        await s.message(handle, { request: 'join', room, ptype: 'publisher', id: PUBLISHER });
        const offer = await page.offer(c);
        const { jsep } = await s.message(
          handle,
          { request: 'publish' },
          { type: 'offer', sdp: path ? path.offer(offer) : offer, trickle: false },
        );
        if (!jsep) throw new Error('janus: no answer for the publisher');
        await page.answer(path ? await path.answer(jsep.sdp) : jsep.sdp);
        await page.connected();
      },
      async stop() {
        s.close();
        await janus.stop();
      },
    };
  } catch (err) {
    session?.close();
    await janus.stop();
    throw err;
  }
}
