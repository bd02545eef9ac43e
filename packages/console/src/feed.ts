import type { ConsoleHello, ConsoleSnapshot, ObservedEvent } from '@holdfast/server';
import { useEffect, useReducer } from 'preact/hooks';
import { applyDelta, type ConsoleDelta } from './delta.js';

/** Most events kept in the page; the server keeps its own recent window too. */
const MAX_EVENTS = 5000;

export interface Feed {
  snapshot: ConsoleSnapshot | undefined;
  events: ObservedEvent[];
  /** The stream is open. */
  live: boolean;
  /** Latest last-data time seen per session, kept after the session leaves the snapshot. */
  lastSeen: Map<string, number>;
  /** Server time minus this browser's time, ms. */
  skew: number;
}

type Action =
  | { type: 'hello'; hello: ConsoleHello }
  | { type: 'observed'; event: ObservedEvent }
  | { type: 'snapshot'; snapshot: ConsoleSnapshot }
  | { type: 'delta'; delta: ConsoleDelta }
  | { type: 'live'; live: boolean };

function remember(lastSeen: Map<string, number>, snapshot: ConsoleSnapshot): Map<string, number> {
  const next = new Map(lastSeen);
  for (const app of snapshot.apps)
    for (const c of app.channels)
      for (const m of c.members)
        if (m.live) next.set(m.sessionTag, Math.max(next.get(m.sessionTag) ?? 0, m.live.lastSeenAt));
  return next;
}

function reduce(feed: Feed, action: Action): Feed {
  switch (action.type) {
    case 'hello': {
      const { snapshot, events } = action.hello;
      return {
        ...feed,
        snapshot,
        events: events.slice(-MAX_EVENTS),
        lastSeen: remember(feed.lastSeen, snapshot),
        skew: snapshot.now - Date.now(),
      };
    }
    case 'observed': {
      const events = feed.events.length >= MAX_EVENTS ? feed.events.slice(1) : feed.events.slice();
      events.push(action.event);
      return { ...feed, events };
    }
    case 'snapshot':
      return {
        ...feed,
        snapshot: action.snapshot,
        lastSeen: remember(feed.lastSeen, action.snapshot),
        skew: action.snapshot.now - Date.now(),
      };
    case 'delta': {
      // A delta before any hello has nothing to apply to; the hello that follows brings it all.
      if (!feed.snapshot) return feed;
      return reduce(feed, { type: 'snapshot', snapshot: applyDelta(feed.snapshot, action.delta) });
    }
    case 'live':
      return { ...feed, live: action.live };
  }
}

/**
 * The server's live feed (Server-Sent Events at `api/events`, relative to /console/): a `hello`
 * with the snapshot and recent events, then each observed event and, every second, a `delta`
 * (the channels that changed) or now and then a whole `snapshot`.
 * EventSource reconnects by itself; each reconnect starts with a fresh `hello`.
 */
export function useFeed(url = 'api/events'): Feed {
  const [feed, dispatch] = useReducer(reduce, {
    snapshot: undefined,
    events: [],
    live: false,
    lastSeen: new Map(),
    skew: 0,
  });
  useEffect(() => {
    const source = new EventSource(url);
    const on = <T>(name: string, handle: (data: T) => void) =>
      source.addEventListener(name, (ev) => handle(JSON.parse((ev as MessageEvent<string>).data) as T));
    on<ConsoleHello>('hello', (hello) => dispatch({ type: 'hello', hello }));
    on<ObservedEvent>('observed', (event) => dispatch({ type: 'observed', event }));
    on<ConsoleSnapshot>('snapshot', (snapshot) => dispatch({ type: 'snapshot', snapshot }));
    on<ConsoleDelta>('delta', (delta) => dispatch({ type: 'delta', delta }));
    source.onopen = () => dispatch({ type: 'live', live: true });
    source.onerror = () => dispatch({ type: 'live', live: false });
    return () => source.close();
  }, [url]);
  return feed;
}
