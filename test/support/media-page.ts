import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './chromium.js';

/** Headless Chromium with fake camera and microphone, allowed to do WebRTC over loopback. */
export async function mediaBrowser(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const browser = await launchChromium({ media: true });
  browser.context.setDefaultTimeout(15_000);
  return browser;
}

/**
 * A page that speaks the wire protocol by hand (no SDK): joins, publishes its fake camera and
 * microphone if asked, and answers the server's subscriber offers. `window.hf` exposes the
 * connections and every media frame received, for assertions.
 */
export async function rawMediaPage(
  context: BrowserContext,
  httpUrl: string,
  o: {
    channel: string;
    uid: number;
    publish: boolean;
    /** Echo test: this page's own tracks come back after this many ms. */
    echo?: number;
    role?: 'broadcaster' | 'audience';
    profile?: 'communication' | 'live';
    /** 'h264': the camera is sent in H.264 (its packetization-mode 1 42e01f format first, as the SDK does). */
    videoCodec?: 'h264';
    /** Plays a browser without H.264: the server's offers are applied with H.264 renamed (unknown). */
    noH264?: boolean;
  },
): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${httpUrl}/healthz`);
  await page.evaluate(
    async (o) => {
      const w = window as unknown as Record<string, unknown>;
      const frames: Array<Record<string, unknown>> = [];
      w.frames_ = frames;
      const ws = new WebSocket(o.url);
      const gathered = (pc: RTCPeerConnection) =>
        new Promise<void>((resolve) => {
          if (pc.iceGatheringState === 'complete') return resolve();
          pc.addEventListener(
            'icegatheringstatechange',
            () => pc.iceGatheringState === 'complete' && resolve(),
          );
        });
      const waitFrame = (type: string) =>
        new Promise<Record<string, unknown>>((resolve) => {
          const hit = frames.find((f) => f.type === type);
          if (hit) return resolve(hit);
          const i = setInterval(() => {
            const f = frames.find((x) => x.type === type);
            if (f) {
              clearInterval(i);
              resolve(f);
            }
          }, 10);
        });
      let sub = new RTCPeerConnection();
      w.sub = sub;
      ws.onmessage = async (ev) => {
        const f = JSON.parse(ev.data as string) as Record<string, unknown>;
        frames.push(f);
        if (f.type === 'media_sub_answer')
          await sub.setRemoteDescription({ type: 'answer', sdp: f.sdp as string });
        if (f.type === 'media_offer') {
          const sdp = o.noH264 ? (f.sdp as string).replaceAll('H264/90000', 'X264/90000') : (f.sdp as string);
          await sub.setRemoteDescription({ type: 'offer', sdp });
          await sub.setLocalDescription(await sub.createAnswer());
          await gathered(sub);
          ws.send(
            JSON.stringify({ type: 'media_answer', version: f.version, sdp: sub.localDescription!.sdp }),
          );
        }
      };
      await new Promise((r) => (ws.onopen = r));
      ws.send(
        JSON.stringify({
          type: 'join',
          v: 1,
          appId: 'demo',
          channel: o.channel,
          uid: o.uid,
          role: o.role,
          profile: o.profile,
        }),
      );
      await waitFrame('joined');
      setInterval(() => ws.send(JSON.stringify({ type: 'ping', t: Date.now() })), 3000);
      w.ws = ws;
      // Repairs the subscriber connection the way the SDK does: an ICE restart offered by the client.
      w.repairSub = async () => {
        // Right after setLocalDescription of a restart offer Chromium still says gathering is
        // 'complete' (the old gathering): wait for the new one's end (a null candidate).
        const regathered = new Promise<void>((resolve) => {
          const h = (e: RTCPeerConnectionIceEvent) => {
            if (e.candidate) return;
            sub.removeEventListener('icecandidate', h);
            resolve();
          };
          sub.addEventListener('icecandidate', h);
        });
        await sub.setLocalDescription(await sub.createOffer({ iceRestart: true }));
        await regathered;
        ws.send(JSON.stringify({ type: 'media_sub_offer', sdp: sub.localDescription!.sdp }));
      };
      // The last resort of a repair: new connections for everything (media_reset), then subscribe again.
      w.resetMedia = () => {
        sub.close();
        sub = new RTCPeerConnection();
        w.sub = sub;
        ws.send(JSON.stringify({ type: 'media_reset' }));
        ws.send(JSON.stringify({ type: 'media_subscribe', audio: true, video: true }));
      };
      if (o.publish) {
        const stream = await navigator.mediaDevices.getUserMedia({
          audio: true,
          video: { width: 320, height: 240 },
        });
        const pc = new RTCPeerConnection();
        w.pub = pc;
        for (const t of stream.getTracks()) {
          const tr = pc.addTransceiver(t, { direction: 'sendonly' });
          if (t.kind !== 'video' || o.videoCodec !== 'h264') continue;
          const caps = RTCRtpSender.getCapabilities('video')?.codecs ?? [];
          const h264 = (c: { mimeType: string; sdpFmtpLine?: string }) =>
            c.mimeType === 'video/H264' &&
            /packetization-mode=1/.test(c.sdpFmtpLine ?? '') &&
            /profile-level-id=42e01f/.test(c.sdpFmtpLine ?? '');
          tr.setCodecPreferences([...caps.filter(h264), ...caps.filter((c) => !h264(c))]);
        }
        await pc.setLocalDescription(await pc.createOffer());
        await gathered(pc);
        ws.send(JSON.stringify({ type: 'media_publish', sdp: pc.localDescription!.sdp }));
        const answer = await Promise.race([waitFrame('media_publish_answer'), waitFrame('media_error')]);
        if (answer.type === 'media_publish_answer')
          await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp as string });
      }
      w.publishedAt = Date.now();
      ws.send(
        JSON.stringify({
          type: 'media_subscribe',
          audio: true,
          video: true,
          ...(o.echo ? { echo: { delayMs: o.echo } } : {}),
        }),
      );
    },
    {
      ...o,
      role: o.role ?? 'broadcaster',
      profile: o.profile ?? 'communication',
      url: httpUrl.replace('http', 'ws'),
    },
  );
  return page;
}

/** Inbound RTP totals of the page's subscriber connection, per kind. */
export function inbound(
  page: Page,
): Promise<{ framesDecoded: number; videoPackets: number; audioPackets: number }> {
  return page.evaluate(async () => {
    const sub = (window as unknown as { sub: RTCPeerConnection }).sub;
    let framesDecoded = 0;
    let videoPackets = 0;
    let audioPackets = 0;
    (await sub.getStats()).forEach((r: Record<string, unknown>) => {
      if (r.type !== 'inbound-rtp') return;
      if (r.kind === 'video') {
        framesDecoded += (r.framesDecoded as number) ?? 0;
        videoPackets += (r.packetsReceived as number) ?? 0;
      } else audioPackets += (r.packetsReceived as number) ?? 0;
    });
    return { framesDecoded, videoPackets, audioPackets };
  });
}
