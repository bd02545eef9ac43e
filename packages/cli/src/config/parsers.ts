import { InvalidArgumentError } from 'commander';
import type { z } from 'zod';
import type { AppSchema, IceServerSchema } from './schema.js';

/*
 * How a `holdfast serve` flag or variable's text becomes a value (settings.ts names which parser
 * each setting uses): each throws InvalidArgumentError with the reason.
 */

export const int =
  (min: number, max = Number.MAX_SAFE_INTEGER, what = 'an integer') =>
  (text: string): number => {
    const n = Number(text);
    if (!/^\d+$/.test(text.trim()) || !Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(
        `must be ${what} (${min}–${max === Number.MAX_SAFE_INTEGER ? '…' : max})`,
      );
    return n;
  };
export const ms = int(1, Number.MAX_SAFE_INTEGER, 'a positive number of ms');
export const count = int(0, Number.MAX_SAFE_INTEGER, 'a non-negative integer');
export const port = int(0, 65_535, 'a port');
export const nonEmpty = (text: string): string => {
  if (text.trim() === '') throw new InvalidArgumentError('must not be empty');
  return text;
};
/** The text as it is, once `check` (which throws a TypeError with the reason) accepts it. */
export const checked =
  (check: (text: string) => unknown) =>
  (text: string): string => {
    try {
      check(text);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
    return text;
  };
export const httpUrl = (text: string): string => {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    throw new InvalidArgumentError(`"${text}": expected an http:// or https:// URL`);
  return text;
};
export const oneOf =
  (values: readonly string[]) =>
  (text: string): string => {
    if (!values.includes(text)) throw new InvalidArgumentError(`must be one of ${values.join(', ')}`);
    return text;
  };

/**
 * `key=value` pairs after a comma (`,offline-after-ms=40000`), camelCase or kebab-case keys, into
 * an object with camelCase keys; `known` names the accepted keys.
 */
function pairs(parts: string[], known: readonly string[], what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of parts) {
    const eq = part.indexOf('=');
    const key = (eq > 0 ? part.slice(0, eq) : part).replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
    if (eq <= 0 || !known.includes(key))
      throw new InvalidArgumentError(
        `unknown ${what} option "${part}" (known: ${known.map((k) => `${k}=…`).join(', ')})`,
      );
    out[key] = part.slice(eq + 1);
  }
  return out;
}

/**
 * `--app <appId>[:<certificate>|:@<file>][,offline-after-ms=<ms>]`: an app, its certificate (or
 * the file it is in) and its own remote offline window.
 */
export function parseAppSpec(spec: string): z.infer<typeof AppSchema> {
  const [head = '', ...rest] = spec.split(',');
  const colon = head.indexOf(':');
  const appId = colon < 0 ? head : head.slice(0, colon);
  const cert = colon < 0 ? undefined : head.slice(colon + 1);
  if (!appId || cert === '' || cert?.includes(':'))
    throw new InvalidArgumentError(
      `"${spec}": expected <appId>[:<certificate>|:@<file>][,offline-after-ms=<ms>]`,
    );
  const opts = pairs(rest, ['offlineAfterMs'], '--app');
  return {
    appId,
    ...(cert?.startsWith('@') ? { appCertificateFile: cert.slice(1) } : cert ? { appCertificate: cert } : {}),
    ...(opts.offlineAfterMs !== undefined ? { offlineAfterMs: ms(opts.offlineAfterMs) } : {}),
  };
}

/** `--ice-server <url>[,username=<name>][,credential=<secret>|,credential=@<file>]`. */
export function parseIceServerSpec(spec: string): z.infer<typeof IceServerSchema> {
  const [urls = '', ...rest] = spec.split(',');
  if (!/^(stun|stuns|turn|turns):\S+$/.test(urls))
    throw new InvalidArgumentError(`"${spec}": expected a stun:, stuns:, turn: or turns: URL first`);
  const opts = pairs(rest, ['username', 'credential'], '--ice-server');
  const credential = opts.credential;
  return {
    urls,
    ...(opts.username !== undefined ? { username: opts.username } : {}),
    ...(credential?.startsWith('@')
      ? { credentialFile: credential.slice(1) }
      : credential !== undefined
        ? { credential }
        : {}),
  };
}

/** `--media-ports 40000-40100`: the UDP ports for media, inclusive. */
export function parsePortRange(text: string): [number, number] {
  const m = /^(\d+)-(\d+)$/.exec(text.trim());
  const range = m ? ([Number(m[1]), Number(m[2])] as [number, number]) : undefined;
  if (!range || range[0] < 1 || range[1] > 65_535 || range[0] > range[1])
    throw new InvalidArgumentError(`"${text}": expected MIN-MAX, two ports with MIN <= MAX`);
  return range;
}

/** An on/off variable: true/false, 1/0, yes/no, on/off. */
export function parseBool(text: string): boolean {
  const t = text.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(t)) return true;
  if (['0', 'false', 'no', 'off'].includes(t)) return false;
  throw new InvalidArgumentError('must be true or false');
}
