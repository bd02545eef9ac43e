/** One codec of an SDP m-section, as `keepCodecs` shows it to its filter. */
export interface SdpCodec {
  /** The m-section's kind (`audio`, `video`, …) and mid. */
  kind: string;
  mid: string | undefined;
  payloadType: number;
  /** From `a=rtpmap`, lower case: `video/h264`. */
  mimeType: string;
  /** The `a=fmtp` parameters ('' without one). */
  fmtp: string;
}

/**
 * Removes the codecs `keep` refuses from every m-section of an SDP (their payload types in the
 * m= line and their rtpmap, fmtp and rtcp-fb lines), and the RTX formats repairing them. werift
 * negotiates codecs by MIME type alone; this is where a format's parameters are looked at. An
 * m-section can be left without any codec: `emptyMedia` finds it (werift would refuse the whole
 * description with "m line not found").
 */
export function keepCodecs(sdp: string, keep: (c: SdpCodec) => boolean): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp.split(eol);
  const out: string[] = [];
  let section: string[] = [];
  const flush = () => {
    out.push(...filterSection(section, keep));
    section = [];
  };
  for (const line of lines) {
    if (line.startsWith('m=')) flush();
    section.push(line);
  }
  flush();
  return out.join(eol);
}

function filterSection(lines: string[], keep: (c: SdpCodec) => boolean): string[] {
  const m = lines[0]?.match(/^m=(\S+) (\S+) (\S+)((?: \d+)*)$/);
  if (!m) return lines;
  const kind = m[1] ?? '';
  const pts = (m[4] ?? '').trim().split(' ').filter(Boolean).map(Number);
  const mid = lines.find((l) => l.startsWith('a=mid:'))?.slice(6);
  const rtpmap = new Map<number, string>();
  const fmtp = new Map<number, string>();
  for (const l of lines) {
    const r = l.match(/^a=rtpmap:(\d+) ([^/\s]+)/);
    if (r) rtpmap.set(Number(r[1]), `${kind}/${r[2]}`.toLowerCase());
    const f = l.match(/^a=fmtp:(\d+) (.*)$/);
    if (f) fmtp.set(Number(f[1]), f[2] ?? '');
  }
  const dropped = new Set<number>();
  for (const pt of pts) {
    const mimeType = rtpmap.get(pt);
    if (!mimeType || mimeType.endsWith('/rtx')) continue;
    if (!keep({ kind, mid, payloadType: pt, mimeType, fmtp: fmtp.get(pt) ?? '' })) dropped.add(pt);
  }
  // RTX of a dropped codec goes with it.
  for (const pt of pts) {
    const apt = (fmtp.get(pt) ?? '').match(/apt=(\d+)/);
    if (rtpmap.get(pt)?.endsWith('/rtx') && apt && dropped.has(Number(apt[1]))) dropped.add(pt);
  }
  const left = pts.filter((pt) => !dropped.has(pt));
  if (dropped.size === 0) return lines;
  const ptOf = (l: string) => l.match(/^a=(?:rtpmap|fmtp|rtcp-fb):(\d+) /)?.[1];
  return [
    `m=${m[1]} ${m[2]} ${m[3]} ${left.join(' ')}`,
    ...lines.slice(1).filter((l) => {
      const pt = ptOf(l);
      return pt === undefined || !dropped.has(Number(pt));
    }),
  ];
}

/** The kinds of the m-sections that list no format (all were removed). */
export function emptyMedia(sdp: string): string[] {
  return [...sdp.matchAll(/^m=(\S+) \S+ \S+ ?$/gm)].map((m) => m[1] ?? '');
}

/**
 * An answer's rejected m-sections (port 0: the browser has none of the offered formats, e.g. H.264
 * in a browser without it) given back the format that was offered, so werift accepts the answer
 * (it refuses a whole answer with an m-section without a known codec: "negotiate codecs failed").
 * `offered(mid)` is that format's payload type and rtpmap name (`H264/90000`). Returns the SDP
 * and the mids it filled in.
 */
export function fillRejected(
  sdp: string,
  offered: (mid: string) => { payloadType: number; rtpmap: string } | undefined,
): { sdp: string; rejected: string[] } {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const sections = sdp.split(/(?=^m=)/m);
  const TRANSPORT = /^a=(ice-ufrag|ice-pwd|ice-options|fingerprint|setup|candidate|end-of-candidates)/;
  // The bundle's transport, as an open m-section carries it.
  const open = sections.find((x) => /^m=\S+ [1-9]/.test(x) && /^a=ice-ufrag:/m.test(x)) ?? '';
  const transport = open.split(eol).filter((l) => TRANSPORT.test(l) && !/^a=(candidate|end-of)/.test(l));
  const rejected: string[] = [];
  const out = sections.map((section) => {
    const m = section.match(/^m=(\S+) 0 (\S+)[^\r\n]*/);
    if (!m || /^a=rtpmap:/m.test(section)) return section;
    const mid = section.match(/^a=mid:(\S+)/m)?.[1];
    const format = mid === undefined ? undefined : offered(mid);
    if (!mid || !format) return section;
    rejected.push(mid);
    // Chromium gives a rejected m-section ICE credentials of its own; werift applies every
    // m-section's to the bundle's one transport (another ufrag restarts its ICE, none too), so
    // it gets the bundle's.
    const lines = section.split(eol).filter((l) => !TRANSPORT.test(l));
    lines[0] = `m=${m[1]} 0 ${m[2]} ${format.payloadType}`;
    lines.splice(1, 0, `a=rtpmap:${format.payloadType} ${format.rtpmap}`, ...transport);
    return lines.join(eol);
  });
  return { sdp: out.join(''), rejected };
}
