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

/** The SDP without any ICE candidate (the other side learns the sender's address from its checks). */
export function withoutCandidates(sdp: string): string {
  return sdp
    .split('\r\n')
    .filter((line) => !line.startsWith('a=candidate:') && line !== 'a=end-of-candidates')
    .join('\r\n');
}

/** The first UDP host candidate's address in an SDP. */
export function firstUdpCandidate(sdp: string): { host: string; port: number } | undefined {
  const m = / udp \d+ (\S+) (\d+) typ host/i.exec(sdp);
  return m?.[1] && m[2] ? { host: m[1], port: Number(m[2]) } : undefined;
}

/** The SDP with every media section's candidates replaced by one UDP host candidate, `host`:`port`. */
export function onlyCandidate(sdp: string, port: number, host = '127.0.0.1'): string {
  const out: string[] = [];
  let placed = false;
  for (const line of sdp.split('\r\n')) {
    if (line.startsWith('m=')) placed = false;
    if (line.startsWith('a=candidate:')) {
      if (!placed) out.push(`a=candidate:1 1 udp 2130706431 ${host} ${port} typ host`);
      placed = true;
      continue;
    }
    out.push(line);
  }
  return out.join('\r\n');
}
