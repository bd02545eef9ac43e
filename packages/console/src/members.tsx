import type { ConsoleChannel, ConsoleLiveInfo, ConsoleSnapshot } from '@holdfast/server';
import { lastData, lastDataLate, remoteState } from './liveness.js';
import { mediaCells } from './media-markers.js';
import type { Lane } from './model.js';
import { ago, MEDIA_COLOURS, STATE_COLOURS } from './theme.js';

export interface ChannelRef {
  appId: string;
  channel: string;
}

export const sameChannel = (a: ChannelRef | undefined, b: ChannelRef) =>
  a !== undefined && a.appId === b.appId && a.channel === b.channel;

/** Apps → channels, with member counts; a channel that only has history is listed under its app too. */
export function ChannelTree(props: {
  snapshot: ConsoleSnapshot | undefined;
  history: ChannelRef[];
  selected: ChannelRef | undefined;
  onSelect(ref: ChannelRef): void;
}) {
  const apps = props.snapshot?.apps ?? [];
  return (
    <nav class="tree" aria-label="apps and channels">
      {apps.map((app) => {
        const live = new Set(app.channels.map((c) => c.channel));
        const past = props.history.filter((h) => h.appId === app.appId && !live.has(h.channel));
        return (
          <section key={app.appId}>
            <h3>
              {app.appId}
              <span class="muted">{app.tokens ? ' · tokens' : ' · dev mode'}</span>
            </h3>
            {app.channels.length === 0 && past.length === 0 && <p class="muted small">no channels</p>}
            <ul>
              {app.channels.map((c) => (
                <li key={c.channel}>
                  <button
                    type="button"
                    class={sameChannel(props.selected, { appId: app.appId, channel: c.channel }) ? 'on' : ''}
                    onClick={() => props.onSelect({ appId: app.appId, channel: c.channel })}
                  >
                    <span class="name">{c.channel}</span>
                    <span class="count" title="members (broadcasters)">
                      {c.userCount}
                      {c.broadcasterCount !== c.userCount ? ` (${c.broadcasterCount})` : ''}
                    </span>
                  </button>
                </li>
              ))}
              {past.map((h) => (
                <li key={h.channel}>
                  <button
                    type="button"
                    class={sameChannel(props.selected, h) ? 'on past' : 'past'}
                    onClick={() => props.onSelect(h)}
                  >
                    <span class="name">{h.channel}</span>
                    <span class="count">empty</span>
                  </button>
                </li>
              ))}
            </ul>
            {app.truncated && <p class="muted small">more channels than shown</p>}
          </section>
        );
      })}
    </nav>
  );
}

/**
 * The members of one channel: uid, role, state, connected since, RTT, last data, messages, media
 * (publishing, bitrate, loss, media RTT, media connection), session tag, node, address.
 */
export function MemberTable(props: {
  channel: ConsoleChannel | undefined;
  lanes: Map<number, Lane>;
  now: number;
  /** The clients' ping interval: last data is flagged only past it (the keepalive rule). */
  pingIntervalMs?: number;
  selectedUid: number | undefined;
  onSelectUid(uid: number): void;
}) {
  const members = props.channel?.members ?? [];
  const pingIntervalMs = props.pingIntervalMs ?? 5950;
  if (members.length === 0) return <p class="muted empty">Nobody is in this channel now.</p>;
  return (
    <table class="members">
      <thead>
        <tr>
          <th>uid</th>
          <th>role</th>
          <th>state</th>
          <th>connected since</th>
          <th>RTT</th>
          <th>last data</th>
          <th title="data-stream messages since the session began: sent (accepted by the server), received, refused">
            messages
          </th>
          <th title="what the member publishes, and the media figures its client reports every 2 s: kbit/s sent ↑ and received ↓, loss % of what it sends / receives, media RTT, and its media connection's state">
            media
          </th>
          <th title="the session's tag: the first 8 hex characters of a hash of its id (the id itself is never shown)">
            session
          </th>
          <th>node</th>
          <th>address</th>
        </tr>
      </thead>
      <tbody>
        {members.map((m) => {
          const lane = props.lanes.get(m.uid);
          // Another node's member has no timeline here: its state is what the engine says of it.
          const state = lane?.state ?? remoteState(m, props.now, pingIntervalMs);
          const seen = lastData(m);
          const since = new Date(m.joinedAt);
          return (
            <tr
              key={m.uid}
              data-uid={m.uid}
              class={props.selectedUid === m.uid ? 'on' : ''}
              onClick={() => props.onSelectUid(m.uid)}
            >
              <td class="num strong">{m.uid}</td>
              <td>{m.role}</td>
              <td>
                <span class="dot" style={{ background: STATE_COLOURS[state] }} />
                {state === 'unknown' ? 'no data' : state}
              </td>
              <td title={since.toISOString()}>
                {since.toLocaleTimeString()} <span class="muted">({ago(props.now - m.joinedAt)})</span>
              </td>
              <td class="num">{m.live ? (m.live.rttMs ? `${m.live.rttMs} ms` : '–') : '?'}</td>
              <td class="num">
                {seen ? (
                  <span
                    class={lastDataLate(props.now - seen.at, pingIntervalMs, seen.viaEngine) ? 'warn' : ''}
                    title={
                      seen.viaEngine
                        ? `as node ${m.node} published it (engine data, about 1 s coarse)`
                        : undefined
                    }
                  >
                    {ago(props.now - seen.at)} ago
                    {m.live && !m.live.attached ? ' · socket closed' : ''}
                    {seen.viaEngine ? ` · node ${m.node}` : ''}
                  </span>
                ) : (
                  <span class="muted">on another node</span>
                )}
              </td>
              <td class="num">
                {m.live ? <StreamCounts counts={m.live.streams} /> : <span class="muted">?</span>}
              </td>
              <td class="media">
                {m.live ? <MediaCell media={m.live.media} now={props.now} /> : <span class="muted">?</span>}
              </td>
              <td class="mono">{m.sessionTag}</td>
              <td class="mono">{m.node}</td>
              <td class="mono">{m.live?.remote ?? ''}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** `audio + video · ↑ 812 kbps · ↓ 640 kbps · loss 0 % / 1.5 % · RTT 3 ms · up`, greyed when stale. */
function MediaCell({ media, now }: { media: ConsoleLiveInfo['media']; now: number }) {
  const c = mediaCells(media, now);
  if (!c) return <span class="muted">–</span>;
  return (
    <span
      class={c.stale ? 'muted' : ''}
      data-link={c.link}
      title={c.stale ? 'no media report for over 6 s' : ''}
    >
      <span class="publishing">{c.publishing}</span> · <span class="rates">{c.rates}</span> · loss {c.loss} ·
      RTT {c.rtt} · <span class="dot" style={{ background: MEDIA_COLOURS[c.link] }} />
      <span class="link">{c.link}</span>
    </span>
  );
}

/** `3 sent · 5 received`, and the refused ones when there are any. */
function StreamCounts({ counts }: { counts: ConsoleLiveInfo['streams'] }) {
  if (!counts) return <span class="muted">–</span>;
  return (
    <span>
      {counts.sent} sent · {counts.received} received
      {counts.refused > 0 && <span class="warn"> · {counts.refused} refused</span>}
    </span>
  );
}
