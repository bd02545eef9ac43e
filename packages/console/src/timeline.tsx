import type { Band, Lane, Marker } from './model.js';
import { MEDIA_COLOURS, STATE_COLOURS, timeOfDay } from './theme.js';

const LABEL_W = 132;
const RIGHT_PAD = 56;
const AXIS_H = 26;
const ROW_H = 15;
const LABEL_ROWS = 3;
const BAND_H = 22;
const LANE_GAP = 16;
const LANE_H = LABEL_ROWS * ROW_H + BAND_H + LABEL_ROWS * ROW_H + LANE_GAP;
const CHAR_W = 6.4;

const STEPS = [100, 200, 500, 1e3, 2e3, 5e3, 1e4, 15e3, 3e4, 6e4, 12e4, 3e5, 6e5, 9e5, 18e5, 36e5];

export interface TimelineProps {
  lanes: Lane[];
  from: number;
  to: number;
  now: number;
  width: number;
  selectedUid: number | undefined;
  selectedMarker: string | undefined;
  onSelectUid(uid: number): void;
  onSelectMarker(lane: Lane, marker: Marker): void;
}

/**
 * Places labels in up to LABEL_ROWS rows so that they do not overlap: first row with room. A
 * label with no room anywhere is left out (-1); its marker still shows it on hover and click.
 */
function assignRows(markers: Marker[], x: (t: number) => number): Map<string, number> {
  const ends: number[] = Array(LABEL_ROWS).fill(Number.NEGATIVE_INFINITY);
  const rows = new Map<string, number>();
  for (const m of markers) {
    const left = x(m.at) + 4;
    const row = ends.findIndex((end) => left > end + 6);
    if (row >= 0) ends[row] = left + m.label.length * CHAR_W;
    rows.set(m.id, row);
  }
  return rows;
}

function markerColour(m: Marker): string {
  if (m.kind === 'state' && m.state) return STATE_COLOURS[m.state];
  if (m.kind === 'offline') return '#b91c1c';
  if (m.kind === 'joined') return '#15803d';
  if (m.kind === 'stream_refused') return '#c2410c';
  if (m.kind === 'media') return MEDIA_COLOURS[m.media ?? ''] ?? '#7c3aed';
  return '#64748b';
}

function BandRect({ band, x, y }: { band: Band; x: (t: number) => number; y: number }) {
  const left = x(band.from);
  const w = Math.max(1, x(band.to) - left);
  const unknown = band.state === 'unknown';
  const name = unknown ? 'no data from the client' : band.state;
  return (
    <g class="band">
      <rect
        x={left}
        y={y}
        width={w}
        height={BAND_H}
        fill={unknown ? 'url(#hatch)' : STATE_COLOURS[band.state as keyof typeof STATE_COLOURS]}
        rx={2}
      >
        <title>
          {unknown
            ? 'Nothing heard from the client since here: its own report of this stretch arrives once it is connected again.'
            : `${band.state} · ${band.reason}${band.inferred ? ' (the server saw it leave)' : ''}\n` +
              `${timeOfDay(band.from)} → ${timeOfDay(band.to)}`}
        </title>
      </rect>
      {w > name.length * 6.6 + 10 && (
        <text x={left + 6} y={y + BAND_H / 2 + 4} class={unknown ? 'band-text dark' : 'band-text'}>
          {name}
        </text>
      )}
    </g>
  );
}

function MarkerMark(props: {
  m: Marker;
  row: number;
  x: number;
  bandY: number;
  selected: boolean;
  onClick(): void;
}) {
  const { m, row, x, bandY, selected } = props;
  const colour = markerColour(m);
  const up = m.row === 'local';
  const edge = up ? bandY : bandY + BAND_H;
  const labelled = row >= 0;
  const textY = up ? bandY - 5 - Math.max(0, row) * ROW_H : bandY + BAND_H + 12 + Math.max(0, row) * ROW_H;
  const stemEnd = labelled ? (up ? textY - 4 : textY - 9) : up ? edge - 6 : edge + 10;
  return (
    // biome-ignore lint/a11y/useSemanticElements: SVG has no <button>; role, tabindex and keys are the ARIA way
    <g
      role="button"
      tabIndex={0}
      class={selected ? 'marker selected' : 'marker'}
      data-kind={m.kind}
      data-label={m.label}
      {...activate(props.onClick)}
    >
      <title>{`${m.title}\n${timeOfDay(m.at)}\n${m.meaning}${m.advice ? `\nWhat to do: ${m.advice}` : ''}`}</title>
      <line x1={x} x2={x} y1={edge} y2={stemEnd} stroke={colour} stroke-width={selected ? 2 : 1} />
      {m.row === 'local' ? (
        <circle cx={x} cy={edge} r={selected ? 5 : 3.5} fill="#fff" stroke={colour} stroke-width={2} />
      ) : (
        <path
          d={`M${x - 4.5} ${edge + 7} L${x} ${edge} L${x + 4.5} ${edge + 7} Z`}
          fill={colour}
          stroke={selected ? '#0f172a' : 'none'}
        />
      )}
      {labelled && (
        <text x={x + 4} y={textY} class="marker-text" fill={colour}>
          {m.label}
        </text>
      )}
      {/* An invisible target around the label (or the mark) makes small markers easy to hover and click. */}
      {labelled ? (
        <rect x={x - 6} y={textY - 11} width={m.label.length * CHAR_W + 12} height={14} fill="transparent" />
      ) : (
        <rect x={x - 6} y={up ? edge - 8 : edge} width={12} height={10} fill="transparent" />
      )}
    </g>
  );
}

/** Click, Enter or Space: what a button answers to. */
function activate(run: () => void) {
  return {
    onClick: run,
    onKeyDown: (ev: KeyboardEvent) => {
      if (ev.key !== 'Enter' && ev.key !== ' ') return;
      ev.preventDefault();
      run();
    },
  };
}

function ticks(from: number, to: number, width: number): { step: number; at: number[] } {
  const span = Math.max(1, to - from);
  const want = Math.max(2, Math.floor(width / 95));
  const step = STEPS.find((s) => span / s <= want) ?? STEPS.at(-1)!;
  const at: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) at.push(t);
  return { step, at };
}

/**
 * Per-member timelines, like the seed's T0–T7 figure: for each uid a band of connection states
 * over time (colour = state; hatched = nothing heard from the client yet), its state changes
 * above the band with the reason, and what remote users saw below it (joined, offline + reason).
 * Plain SVG: a few hundred elements at most, no charting library needed.
 */
export function Timeline(props: TimelineProps) {
  const { lanes, from, to, now, width } = props;
  const plotW = Math.max(100, width - LABEL_W - RIGHT_PAD);
  const x = (t: number) => LABEL_W + ((Math.min(Math.max(t, from), to) - from) / (to - from || 1)) * plotW;
  const height = AXIS_H + lanes.length * LANE_H + 12;
  const { step, at } = ticks(from, to, plotW);

  return (
    <svg class="timeline" width={width} height={height} viewBox={`0 0 ${width} ${height}`}>
      <title>Connection state of each member over time, with reasons and what remote users saw</title>
      <defs>
        <pattern id="hatch" width="7" height="7" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
          <rect width="7" height="7" fill="#e2e8f0" />
          <line x1="0" y1="0" x2="0" y2="7" stroke="#94a3b8" stroke-width="3" />
        </pattern>
      </defs>
      {at.map((t) => (
        <g key={t} class="tick">
          <line x1={x(t)} x2={x(t)} y1={AXIS_H - 6} y2={height} />
          <text x={x(t)} y={AXIS_H - 10} text-anchor="middle">
            {timeOfDay(t, step < 1000)}
          </text>
        </g>
      ))}
      {now <= to && now >= from && (
        <g class="now">
          <line x1={x(now)} x2={x(now)} y1={AXIS_H - 4} y2={height} />
          <text x={x(now)} y={height - 2} text-anchor="middle">
            now
          </text>
        </g>
      )}
      {lanes.map((lane, i) => {
        const top = AXIS_H + i * LANE_H;
        const bandY = top + LABEL_ROWS * ROW_H + 2;
        const visible = lane.markers.filter((m) => m.at >= from && m.at <= to);
        const local = visible.filter((m) => m.row === 'local');
        const remote = visible.filter((m) => m.row === 'remote');
        const rows = new Map([...assignRows(local, x), ...assignRows(remote, x)]);
        const selected = props.selectedUid === lane.uid;
        return (
          <g key={lane.key} class={selected ? 'lane selected' : 'lane'} data-uid={lane.uid}>
            <rect class="lane-bg" x={0} y={top} width={width} height={LANE_H - LANE_GAP / 2} />
            {/* biome-ignore lint/a11y/useSemanticElements: SVG has no <button> (see MarkerMark) */}
            <g role="button" tabIndex={0} class="lane-label" {...activate(() => props.onSelectUid(lane.uid))}>
              <text x={10} y={bandY + 9} class="uid">{`uid ${lane.uid}`}</text>
              <text x={10} y={bandY + 23} class="lane-state" fill={STATE_COLOURS[lane.state]}>
                {lane.state === 'unknown' ? 'no data' : lane.state}
              </text>
              <text x={10} y={top + 12} class="row-name">
                its states
              </text>
              <text x={10} y={bandY + BAND_H + 27} class="row-name">
                remote users saw
              </text>
            </g>
            {lane.bands
              .filter((b) => b.to >= from && b.from <= to)
              .map((b) => (
                <BandRect key={`${b.from}-${b.state}`} band={b} x={x} y={bandY} />
              ))}
            {visible.map((m) => (
              <MarkerMark
                key={m.id}
                m={m}
                row={rows.get(m.id) ?? 0}
                x={x(m.at)}
                bandY={bandY}
                selected={props.selectedMarker === `${lane.key}/${m.id}`}
                onClick={() => props.onSelectMarker(lane, m)}
              />
            ))}
          </g>
        );
      })}
    </svg>
  );
}
