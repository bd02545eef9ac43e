import { thin } from './stats.js';

/** A CDF plot as a self-contained SVG (no dependencies): one step line per series (at most 400 steps). */
export interface Series {
  label: string;
  values: number[];
}

const COLORS = ['#1b6ac9', '#d1495b', '#edae49', '#00798c', '#6a4c93', '#30a14e'];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function niceTicks(min: number, max: number, log: boolean): number[] {
  if (log) {
    const out: number[] = [];
    for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++)
      for (const m of [1, 2, 5]) {
        const v = m * 10 ** e;
        if (v >= min && v <= max) out.push(v);
      }
    return out;
  }
  const span = max - min;
  const step0 = 10 ** Math.floor(Math.log10(span / 5));
  const step = [1, 2, 5, 10].map((m) => m * step0).find((s) => span / s <= 8) ?? step0 * 10;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + 1e-9; v += step)
    out.push(Math.round(v * 1000) / 1000);
  return out;
}

const fmt = (v: number) => (v >= 1000 ? `${v / 1000} s` : `${v} ms`);

export function cdfSvg(
  title: string,
  xLabel: string,
  series: Series[],
  opts: { log?: boolean } = {},
): string {
  const W = 720;
  const H = 400;
  const L = 64;
  const R = 20;
  const T = 40;
  const B = 56;
  const all = series.flatMap((s) => s.values).filter((v) => Number.isFinite(v));
  const log = opts.log ?? false;
  let min = log ? Math.max(1, Math.min(...all) * 0.8) : 0;
  let max = Math.max(...all) * (log ? 1.25 : 1.05);
  if (!Number.isFinite(max) || max <= min) {
    min = log ? 1 : 0;
    max = 10;
  }
  const x = (v: number) =>
    L +
    (log ? Math.log10(Math.max(v, min) / min) / Math.log10(max / min) : (v - min) / (max - min)) *
      (W - L - R);
  const y = (q: number) => T + (1 - q) * (H - T - B);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`,
  ];
  for (const q of [0, 0.25, 0.5, 0.75, 0.9, 0.99, 1]) {
    parts.push(
      `<line x1="${L}" x2="${W - R}" y1="${y(q)}" y2="${y(q)}" stroke="#ddd"/>`,
      `<text x="${L - 6}" y="${y(q) + 4}" text-anchor="end">${q === 0.99 ? 'p99' : q === 0.9 ? 'p90' : q}</text>`,
    );
  }
  for (const v of niceTicks(min, max, log)) {
    parts.push(
      `<line x1="${x(v)}" x2="${x(v)}" y1="${T}" y2="${H - B}" stroke="#eee"/>`,
      `<text x="${x(v)}" y="${H - B + 16}" text-anchor="middle">${fmt(v)}</text>`,
    );
  }
  parts.push(
    `<text x="${(L + W - R) / 2}" y="${H - 14}" text-anchor="middle">${esc(xLabel)}</text>`,
    `<text transform="translate(16 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">fraction of clients</text>`,
    `<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="none" stroke="#888"/>`,
  );
  series.forEach((s, i) => {
    const v = thin(
      s.values.filter((n) => Number.isFinite(n)),
      400,
    );
    if (v.length === 0) return;
    const color = COLORS[i % COLORS.length];
    let d = `M${x(v[0]!).toFixed(1)},${y(0).toFixed(1)}`;
    v.forEach((val, k) => {
      d += `L${x(val).toFixed(1)},${y(k / v.length).toFixed(1)}L${x(val).toFixed(1)},${y((k + 1) / v.length).toFixed(1)}`;
    });
    parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"/>`);
    const ly = T + 14 + i * 18;
    parts.push(
      `<line x1="${L + 12}" x2="${L + 36}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="3"/>`,
      `<text x="${L + 42}" y="${ly + 4}">${esc(s.label)} (n=${s.values.length})</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
