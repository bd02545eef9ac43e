/**
 * Keeps only the ICE candidates of an SDP in 127.0.0.0/8. Every peer in the media bench (the SFUs,
 * Chromium, the wrtc subscribers) also gathers the machine's other addresses; with only loopback
 * candidates left in what each side sees (127.0.0.1, and Janus's 127.0.0.2: see janus-server.ts),
 * no media or connectivity check is sent to any other address.
 */
export function loopbackOnly(sdp: string): string {
  return sdp
    .split('\r\n')
    .filter((line) => !line.startsWith('a=candidate:') || / 127\.\d+\.\d+\.\d+ \d+ typ /.test(line))
    .join('\r\n');
}
