/**
 * Identifier rules shared by the SDK (checked before anything is sent) and the
 * server (checked again, because raw clients exist). API-FACTS §3.1.
 */

/** Longest channel name, in bytes. */
export const MAX_CHANNEL_NAME_BYTES = 64;
/** Largest uid: uids are 32-bit unsigned; 0 asks the server to assign one. */
export const MAX_UID = 0xffff_ffff;

// a-z, A-Z, 0-9, space and the 26 symbols ! # $ % & ( ) + - : ; < = . > ? @ [ ] ^ _ { } | ~ ,
const CHANNEL_NAME = /^[a-zA-Z0-9 !#$%&()+\-:;<=.>?@[\]^_{}|~,]+$/;
const APP_ID = /^[A-Za-z0-9_-]{1,64}$/;
const HEX32 = /^[0-9a-fA-F]{32}$/;

export type ChannelNameProblem = 'empty' | 'too_long' | 'bad_character' | 'not_a_string';

/** Returns why a channel name is invalid, or `undefined` when it is valid. */
export function channelNameProblem(name: unknown): ChannelNameProblem | undefined {
  if (typeof name !== 'string') return 'not_a_string';
  if (name.length === 0) return 'empty';
  // Every allowed character is ASCII, so length in bytes equals length in chars
  // for valid names; a non-ASCII name fails the charset test below anyway.
  if (name.length > MAX_CHANNEL_NAME_BYTES) return 'too_long';
  if (!CHANNEL_NAME.test(name)) return 'bad_character';
  return undefined;
}

export function isValidChannelName(name: unknown): name is string {
  return channelNameProblem(name) === undefined;
}

/** A uid on the wire: an integer in [0, 2^32-1]; 0 means "assign one". */
export function isValidUid(uid: unknown): uid is number {
  return typeof uid === 'number' && Number.isInteger(uid) && uid >= 0 && uid <= MAX_UID;
}

/** App IDs: 1–64 of [A-Za-z0-9_-]. Apps with a certificate use 32 hex characters. */
export function isValidAppId(appId: unknown): appId is string {
  return typeof appId === 'string' && APP_ID.test(appId);
}

export function isHex32(value: unknown): value is string {
  return typeof value === 'string' && HEX32.test(value);
}
