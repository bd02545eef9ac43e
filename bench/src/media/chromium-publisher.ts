import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium, type Page } from 'playwright-core';
import { procCpuMs, processTree } from './proc-cpu.js';
import { loopbackOnly } from './sdp.js';

/**
 * Debian's headless Chromium as the one publisher: its fake camera and microphone
 * (`--use-fake-device-for-media-stream`), WebRTC over loopback. The flags are test/support/chromium.ts's
 * with `media: true` (copied: the bench does not import the test tree).
 */
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  // The fake camera at 30 fps (its default is 20).
  '--use-fake-device-for-media-stream=fps=30',
  '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--autoplay-policy=no-user-gesture-required',
];

export interface Capture {
  width: number;
  height: number;
  fps: number;
  /** The video sender's cap (RTCRtpEncodingParameters.maxBitrate), bit/s; the same for every system. */
  maxBitrate: number;
}

/** What the publisher's outbound RTP totals are (getStats `outbound-rtp`). */
export interface PublisherStats {
  at: number;
  audioPackets: number;
  videoPackets: number;
  videoBytes: number;
  framesEncoded: number;
  keyFramesEncoded: number;
  /** The sender's bandwidth estimate (candidate-pair availableOutgoingBitrate), bit/s. */
  availableOutgoingBitrate: number;
}

export class ChromiumPublisher {
  private constructor(
    readonly browser: Browser,
    private readonly http: Server,
    readonly origin: string,
  ) {}

  /** CPU time of every Chromium process this bench started (browser, renderer, GPU, utility), ms. */
  cpuMs(): number {
    return processTree(process.pid)
      .filter((pid) => {
        try {
          return /chrom/i.test(readFileSync(`/proc/${pid}/comm`, 'utf8'));
        } catch {
          return false;
        }
      })
      .reduce((a, pid) => a + (procCpuMs(pid) || 0), 0);
  }

  static async launch(): Promise<ChromiumPublisher> {
    // getUserMedia needs a secure context: a blank page from 127.0.0.1 is one.
    const http = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>publisher</title>');
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ARGS,
    });
    return new ChromiumPublisher(browser, http, `http://127.0.0.1:${(http.address() as AddressInfo).port}/`);
  }

  async page(): Promise<PublisherPage> {
    const page = await this.browser.newPage();
    await page.goto(this.origin);
    return new PublisherPage(page);
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => {});
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }
}

/** One publisher connection in a page: offers, takes the answer, pauses and resumes its tracks. */
export class PublisherPage {
  constructor(readonly page: Page) {}

  /** getUserMedia + a send-only connection with both tracks; resolves with the gathered offer. */
  async offer(c: Capture): Promise<string> {
    const sdp = await this.page.evaluate(async (c) => {
      const w = window as unknown as Record<string, unknown>;
      const stream = await navigator.mediaDevices.getUserMedia({
        audio: true,
        video: { width: c.width, height: c.height, frameRate: c.fps },
      });
      const pc = new RTCPeerConnection({ iceServers: [] });
      w.pc = pc;
      w.tracks = stream.getTracks();
      for (const t of stream.getTracks())
        pc.addTransceiver(t, {
          direction: 'sendonly',
          ...(t.kind === 'video' ? { sendEncodings: [{ maxBitrate: c.maxBitrate }] } : {}),
        });
      await pc.setLocalDescription(await pc.createOffer());
      if (pc.iceGatheringState !== 'complete')
        await new Promise<void>((resolve) =>
          pc.addEventListener('icegatheringstatechange', () => {
            if (pc.iceGatheringState === 'complete') resolve();
          }),
        );
      return pc.localDescription?.sdp ?? '';
    }, c);
    return loopbackOnly(sdp);
  }

  async answer(sdp: string): Promise<void> {
    await this.page.evaluate(async (sdp) => {
      const pc = (window as unknown as { pc: RTCPeerConnection }).pc;
      await pc.setRemoteDescription({ type: 'answer', sdp });
    }, loopbackOnly(sdp));
  }

  /** Resolves once the connection is `connected`. */
  async connected(timeoutMs = 10_000): Promise<void> {
    await this.page.waitForFunction(
      () => (window as unknown as { pc: RTCPeerConnection }).pc.connectionState === 'connected',
      undefined,
      { timeout: timeoutMs, polling: 50 },
    );
  }

  /** Stops sending (`replaceTrack(null)` on both senders) or sends again (the original tracks); resolves when done. */
  async pause(paused: boolean): Promise<void> {
    await this.page.evaluate(async (paused) => {
      const w = window as unknown as { pc: RTCPeerConnection; tracks: MediaStreamTrack[] };
      await Promise.all(
        w.pc.getSenders().map((s, i) => s.replaceTrack(paused ? null : (w.tracks[i] ?? null))),
      );
    }, paused);
  }

  async stats(): Promise<PublisherStats> {
    return this.page.evaluate(async () => {
      const pc = (window as unknown as { pc: RTCPeerConnection }).pc;
      const out = {
        at: performance.timeOrigin + performance.now(),
        audioPackets: 0,
        videoPackets: 0,
        videoBytes: 0,
        framesEncoded: 0,
        keyFramesEncoded: 0,
        availableOutgoingBitrate: 0,
      };
      (await pc.getStats()).forEach((r: Record<string, unknown>) => {
        if (r.type === 'outbound-rtp' && r.kind === 'audio') out.audioPackets += Number(r.packetsSent ?? 0);
        if (r.type === 'outbound-rtp' && r.kind === 'video') {
          out.videoPackets += Number(r.packetsSent ?? 0);
          out.videoBytes += Number(r.bytesSent ?? 0);
          out.framesEncoded += Number(r.framesEncoded ?? 0);
          out.keyFramesEncoded += Number(r.keyFramesEncoded ?? 0);
        }
        if (r.type === 'candidate-pair' && r.nominated && r.availableOutgoingBitrate)
          out.availableOutgoingBitrate = Number(r.availableOutgoingBitrate);
      });
      return out;
    });
  }

  async close(): Promise<void> {
    await this.page
      .evaluate(() => (window as unknown as { pc?: RTCPeerConnection }).pc?.close())
      .catch(() => {});
    await this.page.close().catch(() => {});
  }
}
