import type { ObservedEvent } from '@holdfast/server';
import { describeEvent } from './markers.js';
import { timeOfDay } from './theme.js';

const SHOWN = 400;

export interface LogFilter {
  /** `appId/channel`, or '' for every channel. */
  channel: string;
  /** A uid as typed, or '' for every uid. */
  uid: string;
}

export const channelId = (appId: string, channel: string) => `${appId}/${channel}`;

/** Every observed event, newest first, filterable by channel and uid. */
export function EventLog(props: {
  events: readonly ObservedEvent[];
  channels: string[];
  filter: LogFilter;
  onFilter(filter: LogFilter): void;
}) {
  const { filter } = props;
  const uid = filter.uid.trim();
  const rows: ObservedEvent[] = [];
  for (let i = props.events.length - 1; i >= 0 && rows.length < SHOWN; i--) {
    const e = props.events[i]!;
    if (filter.channel && channelId(e.appId, e.channel) !== filter.channel) continue;
    if (uid && String(e.uid) !== uid) continue;
    rows.push(e);
  }
  return (
    <section class="log">
      <header>
        <h2>Event log</h2>
        <label>
          channel{' '}
          <select
            name="channel"
            value={filter.channel}
            onChange={(ev) => props.onFilter({ ...filter, channel: (ev.target as HTMLSelectElement).value })}
          >
            <option value="">all</option>
            {props.channels.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <label>
          uid{' '}
          <input
            name="uid"
            inputMode="numeric"
            placeholder="all"
            value={filter.uid}
            onInput={(ev) => props.onFilter({ ...filter, uid: (ev.target as HTMLInputElement).value })}
          />
        </label>
        <span class="muted small">
          {rows.length === SHOWN ? `newest ${SHOWN}` : `${rows.length} event${rows.length === 1 ? '' : 's'}`}
        </span>
      </header>
      <div class="log-scroll">
        <table>
          <tbody>
            {rows.map((e, i) => (
              <tr key={`${e.at}-${e.sessionTag}-${i}`} class={`ev-${e.type}`}>
                <td class="mono muted">{timeOfDay(e.at, true)}</td>
                <td class="mono">{channelId(e.appId, e.channel)}</td>
                <td class="num strong">{e.uid}</td>
                <td class="kind">{e.type.replace('_', ' ')}</td>
                <td>{describeEvent(e)}</td>
                <td class="mono muted">{e.node}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {rows.length === 0 && <p class="muted empty">No events yet.</p>}
      </div>
    </section>
  );
}
