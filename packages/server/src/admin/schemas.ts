import { isValidAppId, isValidChannelName, MAX_UID } from '@holdfast/protocol';
import { z } from 'zod';

const appid = z.string().refine(isValidAppId, 'appid must be 1–64 of [A-Za-z0-9_-]');
const cname = z.string().refine(isValidChannelName, 'cname is not a valid channel name');
const uid = z.number().int().min(0).max(MAX_UID);
const ip = z.union([z.ipv4(), z.ipv6()]);

/** Minutes, 0–1440; 0 kicks once without banning. */
const time = z.number().int().min(0).max(1440);
/** Agora's seconds form, 10–86430 (0 kicks once, like `time: 0`); it wins when both are given. */
const timeInSeconds = z
  .number()
  .int()
  .refine((s) => s === 0 || (s >= 10 && s <= 86_430), 'time_in_seconds must be 0 or 10–86430');
const DURATION = { message: 'give time (minutes) or time_in_seconds' };
const hasDuration = (r: { time?: number; time_in_seconds?: number }) =>
  r.time !== undefined || r.time_in_seconds !== undefined;

/** A rule's duration in ms: `time_in_seconds` when given, else `time` minutes. */
export function ruleDurationMs(r: { time?: number; time_in_seconds?: number }): number {
  return r.time_in_seconds !== undefined ? r.time_in_seconds * 1000 : (r.time ?? 0) * 60_000;
}

/** POST /dev/v1/kicking-rule */
export const CreateRule = z
  .object({
    appid,
    cname: cname.optional(),
    uid: uid.optional(),
    ip: ip.optional(),
    time: time.optional(),
    time_in_seconds: timeInSeconds.optional(),
    privileges: z.array(z.literal('join_channel')).min(1),
  })
  .strict()
  .refine((r) => r.cname !== undefined || r.uid !== undefined || r.ip !== undefined, {
    message: 'give at least one of cname, uid, ip',
  })
  .refine(hasDuration, DURATION);

/** PUT /dev/v1/kicking-rule: change a rule's duration (from now). */
export const UpdateRule = z
  .object({
    appid,
    id: z.number().int().positive(),
    time: time.optional(),
    time_in_seconds: timeInSeconds.optional(),
  })
  .strict()
  .refine(hasDuration, DURATION);

/** DELETE /dev/v1/kicking-rule */
export const DeleteRule = z.object({ appid, id: z.number().int().positive() }).strict();

/** POST /dev/v1/close-channel (Holdfast extension) */
export const CloseChannel = z.object({ appid, cname }).strict();

export const Pagination = z.object({
  page_no: z.coerce.number().int().min(0).default(0),
  page_size: z.coerce.number().int().min(1).max(500).default(100),
});

export { appid as AppIdSchema, cname as ChannelNameSchema };
