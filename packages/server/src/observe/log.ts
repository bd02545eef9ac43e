import { type DestinationStream, type Logger, pino } from 'pino';

/** json: one JSON object a line (for collectors); pretty: a short line for people; auto: pretty on a terminal. */
export type LogFormat = 'json' | 'pretty' | 'auto';

export const LOG_FORMATS: readonly LogFormat[] = ['json', 'pretty', 'auto'];

const LEVEL_NAMES: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO ',
  40: 'WARN ',
  50: 'ERROR',
  60: 'FATAL',
};
const LEVEL_COLOURS: Record<number, string> = { 10: '90', 20: '90', 30: '36', 40: '33', 50: '31', 60: '35' };
/** Fields every line has; the pretty format shows them in its own way or not at all. */
const OWN_FIELDS = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'node']);

const fieldValue = (v: unknown): string => {
  if (typeof v === 'string') return /[\s="]/.test(v) || v === '' ? JSON.stringify(v) : v;
  if (v && typeof v === 'object' && 'message' in v && typeof v.message === 'string')
    return JSON.stringify(v.message);
  return JSON.stringify(v) ?? String(v);
};

/**
 * One pino JSON line as a line for a person: `12:04:05.123 WARN  [node] message key=value …`.
 * A line that is not JSON is passed through as it is.
 */
export function prettyLine(json: string, colour = false): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const level = typeof o.level === 'number' ? o.level : 30;
  const time = new Date(typeof o.time === 'number' ? o.time : Date.now()).toISOString().slice(11, 23);
  let name = LEVEL_NAMES[level] ?? String(level);
  if (colour) name = `\u001b[${LEVEL_COLOURS[level] ?? '0'}m${name}\u001b[0m`;
  const fields = Object.entries(o)
    .filter(([k]) => !OWN_FIELDS.has(k))
    .map(([k, v]) => `${k}=${fieldValue(v)}`);
  const node = o.node === undefined ? '' : ` [${String(o.node)}]`;
  return `${time} ${name}${node} ${String(o.msg ?? '')}${fields.length ? ` ${fields.join(' ')}` : ''}\n`;
}

/** A pino destination that writes {@link prettyLine}s to `out`. */
export function prettyStream(out: NodeJS.WritableStream & { isTTY?: boolean }): DestinationStream {
  const colour = out.isTTY === true && !process.env.NO_COLOR;
  return { write: (line: string) => void out.write(prettyLine(line, colour)) };
}

/**
 * The server's logger: to stderr (stdout is for the banner), JSON or pretty. Writes are
 * synchronous so nothing is lost when the process exits right after a line.
 */
export function createLogger(level: string, format: LogFormat = 'json'): Logger {
  const pretty = format === 'pretty' || (format === 'auto' && process.stderr.isTTY === true);
  return pino({ level }, pretty ? prettyStream(process.stderr) : pino.destination({ dest: 2, sync: true }));
}
