import type { JoinEvent, JoinStatus, JoinView } from './events.js';
import { ANSI_PAINT, formatEvent, formatStatus, NO_PAINT, type Paint } from './format.js';

interface Output {
  write(text: string): unknown;
  columns?: number;
}

/** Plain lines, one per event, nothing redrawn: for pipes, logs and scripts. */
export function plainView(out: Output, paint: Paint = NO_PAINT): JoinView {
  return {
    event: (e, status) => out.write(`${formatEvent(e, paint, status.timings)}\n`),
    tick: () => {},
    close: () => {},
  };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point
const ANSI = /\u001b\[[0-9;]*m/g;

/** Cuts `line` to `width` visible characters, keeping its escapes. */
function fit(line: string, width: number): string {
  if (line.replace(ANSI, '').length <= width) return line;
  let visible = 0;
  let out = '';
  for (let i = 0; i < line.length; ) {
    ANSI.lastIndex = i;
    const m = ANSI.exec(line);
    if (m && m.index === i) {
      out += m[0];
      i += m[0].length;
      continue;
    }
    if (visible >= width - 1) break;
    out += line[i];
    visible++;
    i++;
  }
  return `${out}…\u001b[0m`;
}

/** The line being typed (`--send` on a terminal): its text and the cursor, in UTF-16 units. */
export interface InputState {
  text: string;
  cursor: number;
}

/** Terminal columns a character takes: 2 for East Asian wide ones and emoji, 1 otherwise. */
function columns(c: string): number {
  const cp = c.codePointAt(0) ?? 0;
  const wide =
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd);
  return wide ? 2 : 1;
}

const PROMPT = '› ';
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * The input line as drawn: the prompt and as much of the text as fits in `width - 1` columns
 * (never the last column, so the terminal does not wrap), scrolled so the cursor shows, with `…`
 * where text is cut off on the left; control characters show as `·`. `col` is the cursor's column.
 */
export function inputLine(input: InputState, width: number): { line: string; col: number } {
  const chars = [...input.text].map((c) => (CONTROL.test(c) ? '·' : c));
  const at = [...input.text.slice(0, input.cursor)].length;
  const w = chars.map(columns);
  const room = Math.max(4, width - 1 - PROMPT.length);
  let start = 0;
  let before = w.slice(0, at).reduce((a, b) => a + b, 0);
  // Drop characters on the left until the cursor fits, with a column for the `…`.
  while (before > (start > 0 ? room - 2 : room - 1)) before -= w[start++]!;
  let used = start > 0 ? 1 : 0;
  let line = start > 0 ? '…' : '';
  for (let i = start; i < chars.length && used + w[i]! <= room; i++) {
    line += chars[i];
    used += w[i]!;
  }
  return { line: `${PROMPT}${line}`, col: PROMPT.length + (start > 0 ? 1 : 0) + before };
}

/**
 * A terminal view: events scroll as lines (coloured) and a status block (state, reason,
 * advice, RTT, members) stays under them, redrawn in place. Every status line is cut to the
 * terminal width so that it never wraps: the redraw counts lines to move back over. With
 * `input` (`--send`), the line being typed is the block's last line and the cursor stays on it.
 */
export function ttyView(
  out: Output,
  paint: Paint = ANSI_PAINT,
  now: () => number = Date.now,
  input?: () => InputState | undefined,
): JoinView {
  let drawn = 0;
  const clear = () => {
    // Back to the first status line (from the line under the block, or from the input line),
    // then clear to the end of the screen.
    if (drawn > 0) out.write(`\u001b[${drawn}F\u001b[J`);
    drawn = 0;
  };
  const draw = (status: JoinStatus) => {
    const width = Math.max(20, out.columns ?? 80);
    const typing = input?.();
    const hint = typing ? 'type a line and press Enter to send it · Ctrl-C to leave' : undefined;
    const lines = formatStatus(status, now(), paint, hint).map((l) => fit(l, width));
    let text = `${lines.join('\n')}\n`;
    if (typing) {
      const { line, col } = inputLine(typing, width);
      // The input line is not followed by a newline: the cursor stays on it, at `col`.
      text += `${line}\r${col > 0 ? `\u001b[${col}C` : ''}`;
    }
    out.write(text);
    drawn = lines.length;
  };
  return {
    event(e: JoinEvent, status: JoinStatus) {
      clear();
      out.write(`${formatEvent(e, paint, status.timings)}\n`);
      draw(status);
    },
    tick(status) {
      clear();
      draw(status);
    },
    close: clear,
  };
}
