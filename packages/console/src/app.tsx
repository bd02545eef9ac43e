import { CONNECTION_STATE_MEANINGS, type ConnectionStateName } from '@holdfast/protocol';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { channelId, EventLog, type LogFilter } from './event-log.js';
import { useFeed } from './feed.js';
import { type ChannelRef, ChannelTree, MemberTable, sameChannel } from './members.js';
import { buildLanes, type Lane, type Marker } from './model.js';
import { STATE_COLOURS, timeOfDay } from './theme.js';
import { Timeline } from './timeline.js';

const RANGES = [
  { label: 'all', ms: 0 },
  { label: '5 min', ms: 300_000 },
  { label: '1 min', ms: 60_000 },
] as const;
const MIN_SPAN_MS = 6000;

/** Width of an element, kept current; the element may appear later (a callback ref). */
function useWidth(): [(el: HTMLElement | null) => void, number] {
  const [el, setEl] = useState<HTMLElement | null>(null);
  const [width, setWidth] = useState(900);
  useEffect(() => {
    if (!el) return;
    const observer = new ResizeObserver(([entry]) => entry && setWidth(Math.floor(entry.contentRect.width)));
    observer.observe(el);
    return () => observer.disconnect();
  }, [el]);
  return [setEl, width];
}

function Legend() {
  const states = Object.keys(CONNECTION_STATE_MEANINGS) as ConnectionStateName[];
  return (
    <div class="legend">
      {states.map((s) => (
        <span key={s} class="item" title={CONNECTION_STATE_MEANINGS[s]}>
          <i style={{ background: STATE_COLOURS[s] }} />
          {s}
        </span>
      ))}
      <span class="item" title="Nothing heard from the client: its report arrives once it is connected again">
        <i class="hatched" />
        no data yet
      </span>
      <span class="item muted">
        ● state change (reason) · ▲ what remote users saw — hover or click for advice
      </span>
    </div>
  );
}

function Detail({ pick }: { pick: { lane: Lane; marker: Marker } | undefined }) {
  if (!pick)
    return (
      <aside class="detail muted" id="detail">
        Click a marker for what it means and what to do.
      </aside>
    );
  const { lane, marker } = pick;
  return (
    <aside class="detail" id="detail">
      <div class="detail-head">
        <strong>{marker.title}</strong>
        <span class="muted">
          uid {lane.uid} · {timeOfDay(marker.at, true)}
        </span>
      </div>
      <p>{marker.meaning}</p>
      {marker.advice && (
        <p class="advice">
          <b>What to do:</b> {marker.advice}
        </p>
      )}
      {marker.state && (
        <p class="muted small">{`${marker.state}: ${CONNECTION_STATE_MEANINGS[marker.state]}`}</p>
      )}
    </aside>
  );
}

export function App() {
  const feed = useFeed();
  const [picked, setPicked] = useState<ChannelRef | undefined>();
  const [uid, setUid] = useState<number | undefined>();
  const [marker, setMarker] = useState<{ lane: Lane; marker: Marker } | undefined>();
  const [range, setRange] = useState<number>(0);
  const [filter, setFilter] = useState<LogFilter>({ channel: '', uid: '' });
  const [plotRef, width] = useWidth();

  const snapshot = feed.snapshot;
  const now = Date.now() + feed.skew;
  const history = useMemo(() => {
    const seen = new Map<string, ChannelRef>();
    for (const e of feed.events)
      seen.set(channelId(e.appId, e.channel), { appId: e.appId, channel: e.channel });
    return [...seen.values()];
  }, [feed.events]);

  // Until someone picks a channel, follow the most recent activity.
  const latest = feed.events.at(-1);
  const firstLive = snapshot?.apps.flatMap((a) =>
    a.channels.map((c) => ({ appId: a.appId, channel: c.channel })),
  )[0];
  const selected = picked ?? (latest ? { appId: latest.appId, channel: latest.channel } : firstLive);

  const app = snapshot?.apps.find((a) => a.appId === selected?.appId);
  const channel = app?.channels.find((c) => c.channel === selected?.channel);
  const offline = new Map(snapshot?.apps.map((a) => [a.appId, a.offlineAfterMs]));
  const lanes = useMemo(
    () =>
      [
        ...buildLanes(
          feed.events.filter((e) => selected && sameChannel(selected, e)),
          {
            now,
            lastSeen: feed.lastSeen,
            silentAfterMs: (snapshot?.pingIntervalMs ?? 5000) * 2 + 500,
            offlineAfterMs: (id) => offline.get(id),
          },
        ).values(),
      ].sort((a, b) => a.uid - b.uid),
    // `now` moves with every snapshot (each second), which is when lanes need redrawing.
    [feed.events, feed.lastSeen, snapshot, selected?.appId, selected?.channel],
  );
  const byUid = new Map(lanes.map((l) => [l.uid, l]));

  const first = Math.min(
    ...lanes.flatMap((l) => [...l.bands.map((b) => b.from), ...l.markers.map((m) => m.at)]),
  );
  const span = Math.max(MIN_SPAN_MS, Number.isFinite(first) ? now - first : 0);
  const to = now + span * 0.04;
  const from = range ? now - range : now - span * 1.04;

  const selectUid = (next: number) => {
    setUid(uid === next ? undefined : next);
    if (selected)
      setFilter({
        channel: channelId(selected.appId, selected.channel),
        uid: uid === next ? '' : String(next),
      });
  };

  return (
    <div class="page">
      <header class="top">
        <h1>
          Holdfast <span>console</span>
        </h1>
        <span class={feed.live ? 'live on' : 'live'} id="live">
          {feed.live ? 'live' : 'connecting…'}
        </span>
        <span class="muted">
          node {snapshot?.node ?? '…'} · {timeOfDay(now)}
        </span>
      </header>
      <aside class="side">
        <ChannelTree
          snapshot={snapshot}
          history={history}
          selected={selected}
          onSelect={(ref) => {
            setPicked(ref);
            setUid(undefined);
            setMarker(undefined);
            setFilter({ channel: channelId(ref.appId, ref.channel), uid: '' });
          }}
        />
      </aside>
      <main class="main">
        {selected ? (
          <>
            <section class="card">
              <header class="card-head">
                <h2>
                  {selected.channel} <span class="muted">in {selected.appId}</span>
                </h2>
                <span class="muted meta">
                  {channel ? `${channel.userCount} member${channel.userCount === 1 ? '' : 's'}` : 'empty now'}
                  {app ? ` · offline window ${app.offlineAfterMs / 1000} s` : ''}
                </span>
              </header>
              <MemberTable
                channel={channel}
                lanes={byUid}
                now={now}
                pingIntervalMs={snapshot?.pingIntervalMs}
                selectedUid={uid}
                onSelectUid={selectUid}
              />
            </section>
            <section class="card">
              <header class="card-head">
                <h2>Connection timeline</h2>
                <div class="ranges">
                  {RANGES.map((r) => (
                    <button
                      key={r.label}
                      type="button"
                      class={range === r.ms ? 'on' : ''}
                      onClick={() => setRange(r.ms)}
                    >
                      {r.label}
                    </button>
                  ))}
                </div>
              </header>
              <Legend />
              <div class="plot" ref={plotRef}>
                {lanes.length ? (
                  <Timeline
                    lanes={lanes}
                    from={from}
                    to={to}
                    now={now}
                    width={width}
                    selectedUid={uid}
                    selectedMarker={marker ? `${marker.lane.key}/${marker.marker.id}` : undefined}
                    onSelectUid={selectUid}
                    onSelectMarker={(lane, m) => setMarker({ lane, marker: m })}
                  />
                ) : (
                  <p class="muted empty">No events for this channel yet.</p>
                )}
              </div>
              <Detail pick={marker} />
            </section>
          </>
        ) : (
          <section class="card">
            <p class="muted empty">
              No channels yet. Join one, for example with `holdfast join room-1` or at /demo/.
            </p>
          </section>
        )}
        <EventLog
          events={feed.events}
          channels={history.map((h) => channelId(h.appId, h.channel))}
          filter={filter}
          onFilter={setFilter}
        />
      </main>
    </div>
  );
}
