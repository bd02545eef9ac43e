import {
  channelNameProblem,
  isValidUid,
  type JoinFrame,
  MAX_UID,
  PROTOCOL_VERSION,
  type WireErrorCode,
} from '@holdfast/protocol';
import type { AppRegistry } from '../auth/apps.js';
import {
  type ChannelRef,
  type ChannelStore,
  type MemberRecord,
  type RuleStore,
  ruleMatches,
} from '../engine/types.js';

export type Admission =
  | { ok: true; ref: ChannelRef; tokenExpiresAt: number | undefined }
  | { ok: false; code: WireErrorCode; message: string };

/** `::ffff:127.0.0.1` → `127.0.0.1`, so kicking rules can name plain IPv4 addresses. */
export function normalizeIp(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/**
 * Everything that must hold before a join (or resume) touches channel state:
 * protocol version, app, channel name, uid, token, kicking rules. Each refusal
 * carries the reason code the client's state machine maps to a state.
 */
export async function admit(
  frame: JoinFrame,
  remoteAddress: string,
  apps: AppRegistry,
  engine: RuleStore,
  now: number,
): Promise<Admission> {
  if (frame.v !== PROTOCOL_VERSION)
    return {
      ok: false,
      code: 'unsupported_version',
      message: `protocol version ${frame.v} is not supported (server speaks ${PROTOCOL_VERSION})`,
    };
  if (!apps.has(frame.appId))
    return { ok: false, code: 'invalid_app_id', message: `unknown app id "${frame.appId.slice(0, 64)}"` };
  const nameProblem = channelNameProblem(frame.channel);
  if (nameProblem)
    return {
      ok: false,
      code: 'invalid_channel_name',
      message: `invalid channel name (${nameProblem}): at most 64 bytes of a-z A-Z 0-9 space and !#$%&()+-:;<=.>?@[]^_{}|~,`,
    };
  if (!isValidUid(frame.uid))
    return { ok: false, code: 'invalid_uid', message: 'uid must be an integer in [0, 4294967295]' };
  const auth = apps.authorize(frame.appId, frame.channel, frame.uid, frame.token, now);
  if (!auth.ok) return auth;
  const who = { appId: frame.appId, channel: frame.channel, uid: frame.uid, ip: normalizeIp(remoteAddress) };
  const rules = await engine.listRules(frame.appId);
  const rule = rules.find((r) => r.expiresAt !== r.createdAt && ruleMatches(r, who, now));
  if (rule)
    return {
      ok: false,
      code: 'banned',
      message: `banned by kicking rule ${rule.id} until ${new Date(rule.expiresAt).toISOString()}`,
    };
  return {
    ok: true,
    ref: { appId: frame.appId, channel: frame.channel },
    tokenExpiresAt: auth.tokenExpiresAt,
  };
}

/** A broadcaster limit that never refuses (re-admitting a member that already holds its seat). */
export const UNLIMITED = 2 ** 31;

/**
 * Admits `member` atomically (uid claim and broadcaster limit in one engine step). Uid 0 picks a
 * free uid in [1, 2^32-1]: a random candidate claimed only if nobody holds it, again until one is.
 */
export async function admitMember(
  engine: ChannelStore,
  ref: ChannelRef,
  member: MemberRecord,
  opts: { maxBroadcasters: number; random: () => number },
): Promise<
  { ok: true; uid: number; previous?: MemberRecord } | { ok: false; reason: 'too_many_broadcasters' }
> {
  for (;;) {
    const fresh = member.uid === 0;
    const uid = fresh ? 1 + Math.floor(opts.random() * MAX_UID) : member.uid;
    const result = await engine.admitMember(
      ref,
      { ...member, uid },
      { maxBroadcasters: opts.maxBroadcasters, fresh },
    );
    if (result.ok) return { ok: true, uid, ...(result.previous ? { previous: result.previous } : {}) };
    if (result.reason === 'too_many_broadcasters') return { ok: false, reason: result.reason };
  }
}
