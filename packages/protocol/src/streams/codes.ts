import { ErrorCodeType } from '../enums/agora.js';
import type { StreamRefusalCode } from './frames.js';
import type { StreamRefusal } from './limits.js';

/**
 * What `createDataStream` / `sendStreamMessage` return: Agora methods return the negated `ErrorCodeType`.
 * Values are taken from {@link ErrorCodeType} (enums/agora.ts already holds every one), not repeated here.
 */
export const StreamReturnCode = {
  Ok: ErrorCodeType.ErrOk,
  /** -2: unknown stream id, or an empty/invalid payload. */
  InvalidArgument: -ErrorCodeType.ErrInvalidArgument,
  /**
   * -5: an audience member in live broadcasting tried to send. Agora documents sendStreamMessage as
   * "broadcaster users only" without naming a code. We use ErrRefused rather than -2 because the arguments
   * are valid — the caller's *role* is what is refused — so an app can tell "wrong stream id" (-2) from
   * "switch to broadcaster first" (-5); and -5 is an existing ErrorCodeType ("request is rejected"), so no
   * invented number reaches apps.
   */
  AudienceCannotSend: -ErrorCodeType.ErrRefused,
  TooOften: -ErrorCodeType.ErrTooOften,
  NotInChannel: -ErrorCodeType.ErrNotInChannel,
  SizeTooLarge: -ErrorCodeType.ErrSizeTooLarge,
  BitrateLimit: -ErrorCodeType.ErrBitrateLimit,
  TooManyDataStreams: -ErrorCodeType.ErrTooManyDataStreams,
} as const;
export type StreamReturnCode = (typeof StreamReturnCode)[keyof typeof StreamReturnCode];

/** The (positive) code of `onStreamMessageError`: 117 ErrStreamMessageTimeout. */
export const STREAM_MESSAGE_TIMEOUT_CODE = ErrorCodeType.ErrStreamMessageTimeout;

/** The `sendStreamMessage` return value for a limiter refusal. */
export function refusalToReturnCode(reason: StreamRefusal): StreamReturnCode {
  switch (reason) {
    case 'too_large':
      return StreamReturnCode.SizeTooLarge;
    case 'too_often':
      return StreamReturnCode.TooOften;
    case 'bitrate':
      return StreamReturnCode.BitrateLimit;
  }
}

/**
 * The `code` of `onStreamMessageError` for one of the sender's own messages the server refused
 * (`remoteUid` is then the sender's own uid): the same ErrorCodeType the call would have returned.
 */
export function refusalErrorCode(code: StreamRefusalCode): number {
  switch (code) {
    case 'too_large':
      return ErrorCodeType.ErrSizeTooLarge;
    case 'too_often':
      return ErrorCodeType.ErrTooOften;
    case 'bitrate':
      return ErrorCodeType.ErrBitrateLimit;
    case 'not_broadcaster':
      return ErrorCodeType.ErrRefused;
    case 'not_sent':
      return ErrorCodeType.ErrStreamMessageTimeout;
  }
}
