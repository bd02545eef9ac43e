import { BlockList, isIP } from 'node:net';

/**
 * Which peers may tell the server a client's address (X-Forwarded-For): load balancers and
 * reverse proxies, given as addresses or CIDR blocks, IPv4 or IPv6. IPv4-mapped IPv6 addresses
 * (`::ffff:10.0.0.1`, what a dual-stack socket reports) are matched as the IPv4 address.
 */
export class TrustedProxies {
  readonly #list = new BlockList();
  readonly size: number;

  /** Throws a TypeError naming the entry when one is not an address or `address/prefix`. */
  constructor(entries: readonly string[] = []) {
    for (const entry of entries) this.#add(entry);
    this.size = entries.length;
  }

  #add(entry: string): void {
    const [rawAddress = '', prefixText, ...extra] = entry.trim().split('/');
    const mapped = mappedIpv4(rawAddress);
    const address = mapped ?? rawAddress;
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    let prefix = prefixText === undefined ? bits : Number(prefixText);
    // `::ffff:10.0.0.0/104` is the IPv4 block 10.0.0.0/8.
    if (mapped !== undefined && prefixText !== undefined) prefix -= 96;
    if (
      family === 0 ||
      extra.length > 0 ||
      (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) ||
      !(prefix >= 0 && prefix <= bits)
    )
      throw new TypeError(
        `trustedProxies: "${entry}" is not an IP address or CIDR block (e.g. 10.0.0.0/8, 192.0.2.7, fd00::/8)`,
      );
    this.#list.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
  }

  /** Whether `address` (a socket's peer address or a forwarded one) is a trusted proxy. */
  has(address: string): boolean {
    if (this.size === 0) return false;
    const a = normalizeAddress(address);
    const family = isIP(a);
    return family !== 0 && this.#list.check(a, family === 4 ? 'ipv4' : 'ipv6');
  }
}

/** `::ffff:192.0.2.1` → `192.0.2.1`; anything else → undefined. */
function mappedIpv4(address: string): string | undefined {
  const m = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return m && isIP(m[1]!) === 4 ? m[1] : undefined;
}

/** An address as kicking rules and logs name it: IPv4-mapped IPv6 as plain IPv4, IPv6 lower case. */
export function normalizeAddress(address: string): string {
  return mappedIpv4(address) ?? address.toLowerCase();
}

/**
 * One X-Forwarded-For entry as an address: `192.0.2.1`, `192.0.2.1:5678`, `2001:db8::1`,
 * `[2001:db8::1]:443`; undefined for anything else (`unknown`, garbage).
 */
export function parseForwardedEntry(entry: string): string | undefined {
  let text = entry.trim();
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(text);
  if (bracketed) text = bracketed[1]!;
  else if (/^[\d.]+:\d{1,5}$/.test(text)) text = text.slice(0, text.lastIndexOf(':'));
  return isIP(text) === 0 ? undefined : normalizeAddress(text);
}

/**
 * The client's address for a request that arrived from `peer`. Only a trusted peer's
 * X-Forwarded-For is read, from the right: each trusted proxy appends the address it received
 * the request from, so the right-most entry that is not itself a trusted proxy is the client
 * (anything left of it was written by the client and may be forged). An entry that is not an
 * address stops the walk at the hop that passed it on. An untrusted peer's header is ignored.
 */
export function clientAddress(
  peer: string,
  forwardedFor: string | readonly string[] | undefined,
  trusted: TrustedProxies,
): string {
  let client = normalizeAddress(peer);
  if (forwardedFor === undefined || !trusted.has(client)) return client;
  // Several X-Forwarded-For headers are one list, in order.
  const entries = (typeof forwardedFor === 'string' ? forwardedFor : forwardedFor.join(',')).split(',');
  for (let i = entries.length - 1; i >= 0; i--) {
    const address = parseForwardedEntry(entries[i]!);
    if (address === undefined) break;
    client = address;
    if (!trusted.has(address)) break;
  }
  return client;
}
