import { isIP } from 'node:net';

/**
 * The PROXY protocol header a load balancer (HAProxy, AWS NLB, nginx `proxy_protocol`) puts in
 * front of a TCP connection to say whose it is: version 1 (one text line) or version 2 (binary).
 * `ok` gives the header's length and the client's address (`undefined` for LOCAL / UNKNOWN: a
 * health check, use the socket's own peer); `incomplete` asks for more bytes; `error` says why
 * these bytes are not a PROXY header.
 */
export type ProxyHeader =
  | { kind: 'ok'; length: number; source: string | undefined }
  | { kind: 'incomplete' }
  | { kind: 'error'; reason: string };

const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const V1_PREFIX = Buffer.from('PROXY ');
/** A v1 line is at most 107 bytes with its CRLF. */
const V1_MAX = 107;
/** Most of a v2 header this server reads (its addresses and a few TLVs; AWS adds ~ 40 bytes). */
const V2_MAX = 16 + 536;

export function parseProxyHeader(buf: Buffer): ProxyHeader {
  if (startsLike(buf, V2_SIGNATURE)) return buf.length < 16 ? { kind: 'incomplete' } : parseV2(buf);
  if (startsLike(buf, V1_PREFIX))
    return buf.length < V1_PREFIX.length ? { kind: 'incomplete' } : parseV1(buf);
  return { kind: 'error', reason: 'the connection does not start with a PROXY protocol header' };
}

/** Whether `buf` starts with `prefix`, or is a start of it. */
function startsLike(buf: Buffer, prefix: Buffer): boolean {
  const n = Math.min(buf.length, prefix.length);
  return n > 0 && buf.subarray(0, n).equals(prefix.subarray(0, n));
}

function parseV1(buf: Buffer): ProxyHeader {
  const end = buf.indexOf('\r\n');
  if (end < 0)
    return buf.length >= V1_MAX
      ? { kind: 'error', reason: 'PROXY v1 line too long' }
      : { kind: 'incomplete' };
  if (end + 2 > V1_MAX) return { kind: 'error', reason: 'PROXY v1 line too long' };
  const parts = buf.subarray(0, end).toString('latin1').split(' ');
  if (parts[1] === 'UNKNOWN') return { kind: 'ok', length: end + 2, source: undefined };
  const family = parts[1] === 'TCP4' ? 4 : parts[1] === 'TCP6' ? 6 : 0;
  const [, , src = '', dst = '', sport = '', dport = ''] = parts;
  const port = (p: string) => /^\d{1,5}$/.test(p) && Number(p) <= 65_535;
  if (
    parts.length !== 6 ||
    family === 0 ||
    isIP(src) !== family ||
    isIP(dst) !== family ||
    !port(sport) ||
    !port(dport)
  )
    return { kind: 'error', reason: 'malformed PROXY v1 line' };
  return { kind: 'ok', length: end + 2, source: src };
}

function parseV2(buf: Buffer): ProxyHeader {
  const versionCommand = buf[12]!;
  const family = buf[13]!;
  const length = 16 + buf.readUInt16BE(14);
  if (versionCommand >> 4 !== 2) return { kind: 'error', reason: 'unsupported PROXY protocol version' };
  if (length > V2_MAX) return { kind: 'error', reason: 'PROXY v2 header too long' };
  if (buf.length < length) return { kind: 'incomplete' };
  const command = versionCommand & 0x0f;
  if (command === 0) return { kind: 'ok', length, source: undefined }; // LOCAL
  if (command !== 1) return { kind: 'error', reason: 'unknown PROXY v2 command' };
  const transport = family >> 4;
  if (transport === 1 && length >= 16 + 12)
    return { kind: 'ok', length, source: [...buf.subarray(16, 20)].join('.') };
  if (transport === 2 && length >= 16 + 36) {
    const groups: string[] = [];
    for (let i = 0; i < 8; i++) groups.push(buf.readUInt16BE(16 + 2 * i).toString(16));
    return { kind: 'ok', length, source: compressIpv6(groups) };
  }
  // AF_UNSPEC or AF_UNIX: no client address to give.
  if (transport === 0 || transport === 3) return { kind: 'ok', length, source: undefined };
  return { kind: 'error', reason: 'malformed PROXY v2 address block' };
}

/** Eight hex groups as the canonical text form (the longest run of zero groups as `::`). */
function compressIpv6(groups: string[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}
