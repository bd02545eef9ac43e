import type { JoinEvent, JoinStatus, JoinView } from './events.js';
import { ANSI_PAINT, formatEvent, formatStatus, NO_PAINT, type Paint } from './format.js';

interface Output {
  write(text: string): unknown;
  columns?: number;
}

/** Plain lines, one per event, nothing redrawn: for pipes, logs and scripts. */
export function plainView(out: Output, paint: Paint = NO_PAINT): JoinView {
  return {
    event: (e) => out.write(`${formatEvent(e, paint)}\n`),
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

/**
 * A terminal view: events scroll as lines (coloured) and a status block (state, reason,
 * advice, RTT, members) stays under them, redrawn in place. Every status line is cut to the
 * terminal width so that it never wraps: the redraw counts lines to move back over.
 */
export function ttyView(out: Output, paint: Paint = ANSI_PAINT, now: () => number = Date.now): JoinView {
  let drawn = 0;
  const clear = () => {
    // Back to the first status line, then clear to the end of the screen.
    if (drawn > 0) out.write(`\u001b[${drawn}F\u001b[J`);
    drawn = 0;
  };
  const draw = (status: JoinStatus) => {
    const width = Math.max(20, out.columns ?? 80);
    const lines = formatStatus(status, now(), paint).map((l) => fit(l, width));
    out.write(`${lines.join('\n')}\n`);
    drawn = lines.length;
  };
  return {
    event(e: JoinEvent, status: JoinStatus) {
      clear();
      out.write(`${formatEvent(e, paint)}\n`);
      draw(status);
    },
    tick(status) {
      clear();
      draw(status);
    },
    close: clear,
  };
}
