/** Shared by the codec's test files. */
export const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
export const malformed = (message: string) => ({ ok: false, code: 'malformed_frame', message });
export const tooLarge = (size: number, limit: number) => ({
  ok: false,
  code: 'frame_too_large',
  message: `frame of ${size} bytes exceeds the ${limit}-byte limit`,
});
