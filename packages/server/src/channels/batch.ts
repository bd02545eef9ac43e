/**
 * The `batch` frame's bytes, built from `event` frames already encoded: `{"type":"batch","frames":[`
 * then the frames separated by commas, then `]}`: no JSON work, one copy of each frame.
 */
const HEAD = Buffer.from('{"type":"batch","frames":[');
const COMMA = Buffer.from(',');
const TAIL = Buffer.from(']}');

/**
 * Largest batch the server builds. Far below the 4 MB a client accepts (MAX_SERVER_FRAME_BYTES):
 * a turn with more than this for one client goes out as several batches.
 */
export const MAX_BATCH_BYTES = 256 * 1024;

/** One `batch` frame holding `frames` (event frames, JSON text, in order). */
export function batchOf(frames: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [HEAD];
  frames.forEach((f, i) => {
    if (i > 0) parts.push(COMMA);
    parts.push(f);
  });
  parts.push(TAIL);
  return Buffer.concat(parts);
}

/** Splits `frames` into runs of at most `maxBytes` each (a bigger frame alone in its run). */
export function chunkFrames(frames: readonly Buffer[], maxBytes = MAX_BATCH_BYTES): Buffer[][] {
  const out: Buffer[][] = [];
  let run: Buffer[] = [];
  let size = 0;
  for (const f of frames) {
    if (run.length > 0 && size + f.length + 1 > maxBytes) {
      out.push(run);
      run = [];
      size = 0;
    }
    run.push(f);
    size += f.length + 1;
  }
  if (run.length) out.push(run);
  return out;
}
