import { isValidAppId, isValidChannelName, MAX_UID } from '@holdfast/protocol';
import { z } from 'zod';

const appid = z.string().refine(isValidAppId, 'appid must be 1–64 of [A-Za-z0-9_-]');
const cname = z.string().refine(isValidChannelName, 'cname is not a valid channel name');
const uid = z.number().int().min(0).max(MAX_UID);
const ip = z.union([z.ipv4(), z.ipv6()]);

/** POST /dev/v1/kicking-rule */
export const CreateRule = z
  .object({
    appid,
    cname: cname.optional(),
    uid: uid.optional(),
    ip: ip.optional(),
    /** Minutes; 0 kicks once without banning. */
    time: z.number().int().min(0).max(1440),
    privileges: z.array(z.literal('join_channel')).min(1),
  })
  .strict()
  .refine((r) => r.cname !== undefined || r.uid !== undefined || r.ip !== undefined, {
    message: 'give at least one of cname, uid, ip',
  });

/** PUT /dev/v1/kicking-rule: change a rule's duration (minutes, from now). */
export const UpdateRule = z
  .object({ appid, id: z.number().int().positive(), time: z.number().int().min(0).max(1440) })
  .strict();

/** DELETE /dev/v1/kicking-rule */
export const DeleteRule = z.object({ appid, id: z.number().int().positive() }).strict();

/** POST /dev/v1/close-channel (Holdfast extension) */
export const CloseChannel = z.object({ appid, cname }).strict();

export const Pagination = z.object({
  page_no: z.coerce.number().int().min(0).default(0),
  page_size: z.coerce.number().int().min(1).max(500).default(100),
});

export { appid as AppIdSchema, cname as ChannelNameSchema };
