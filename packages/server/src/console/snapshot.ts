import type { LiveSession } from '../channels/live-session.js';
import { sessionTag } from '../channels/session-id.js';
import { DEFAULT_SERVER_TIMING, pingIntervalFor } from '../config.js';
import type { ServerContext } from '../context.js';
import type { MemberRecord } from '../engine/types.js';
import { mediaReports } from './media-reports.js';
import type { ConsoleApp, ConsoleLiveInfo, ConsoleMember, ConsoleSnapshot } from './types.js';

/** Enough for a person to read; a channel list longer than this is cut (and says so). */
const MAX_CHANNELS_PER_APP = 200;
const MAX_MEMBERS_PER_CHANNEL = 500;

/**
 * The member's data-stream counters, read (never computed) here: the relay and the session count
 * them as messages go by. Left out while all are 0, so channels without data streams look as before.
 */
function streamCounts(live: LiveSession): Pick<ConsoleLiveInfo, 'streams'> {
  const sent = live.streams?.sent ?? 0;
  const refused = live.streams?.refused ?? 0;
  const received = live.streamsReceived;
  return sent || refused || received ? { streams: { sent, received, refused } } : {};
}

/** The member's last media report, when it sent one. */
function mediaOf(live: LiveSession): Pick<ConsoleLiveInfo, 'media'> {
  const media = mediaReports.get(live);
  return media ? { media } : {};
}

/**
 * When the nodes holding `members` (those this node does not) last had data from each: their
 * published offline deadlines (engine data) less the offline window.
 */
async function remoteSeen(
  ctx: ServerContext,
  members: readonly MemberRecord[],
  local: ReadonlyMap<string, LiveSession>,
  offlineAfterMs: number,
): Promise<Map<string, number>> {
  const ids = members.filter((m) => !local.has(m.sessionId)).map((m) => m.sessionId);
  const out = new Map<string, number>();
  if (ids.length === 0) return out;
  for (const [id, deadline] of await ctx.engine.deadlinesOf(ids)) out.set(id, deadline - offlineAfterMs);
  return out;
}

/**
 * Builds the console's picture: every app, its channels and members from the engine (so members
 * held by other nodes are listed too), and, for sessions this node holds, the live details only
 * it knows (RTT, last data, whether a transport is attached).
 */
export async function buildSnapshot(ctx: ServerContext): Promise<ConsoleSnapshot> {
  const local = new Map<string, LiveSession>();
  for (const live of ctx.service.localSessions()) local.set(live.id, live);
  const defaultOffline = ctx.options.timing?.offlineAfterMs ?? DEFAULT_SERVER_TIMING.offlineAfterMs;

  const apps: ConsoleApp[] = [];
  for (const app of ctx.apps.list()) {
    const all = await ctx.engine.listChannels(app.appId);
    all.sort((a, b) => a.channel.localeCompare(b.channel));
    const listed = all.slice(0, MAX_CHANNELS_PER_APP);
    const channels = await Promise.all(
      listed.map(async (c) => {
        const records = await ctx.engine.listMembers({ appId: app.appId, channel: c.channel });
        records.sort((a, b) => a.uid - b.uid);
        const shown = records.slice(0, MAX_MEMBERS_PER_CHANNEL);
        const offlineAfterMs = app.offlineAfterMs ?? defaultOffline;
        const remote = await remoteSeen(ctx, shown, local, offlineAfterMs);
        const members = shown.map((m): ConsoleMember => {
          const live = local.get(m.sessionId);
          const seen = remote.get(m.sessionId);
          return {
            uid: m.uid,
            role: m.role,
            profile: m.profile,
            sessionTag: live?.tag ?? sessionTag(m.sessionId),
            joinedAt: m.joinedAt,
            node: m.nodeId,
            ...(live
              ? {
                  live: {
                    rttMs: live.rttMs,
                    lastSeenAt: live.lastSeenAt,
                    attached: live.conn !== undefined,
                    remote: live.remote,
                    ...streamCounts(live),
                    ...mediaOf(live),
                  },
                }
              : seen !== undefined
                ? { seen: { lastSeenAt: seen } }
                : {}),
          };
        });
        return { ...c, members };
      }),
    );
    apps.push({
      appId: app.appId,
      tokens: app.appCertificate !== undefined,
      offlineAfterMs: app.offlineAfterMs ?? defaultOffline,
      channels,
      truncated: all.length > listed.length,
    });
  }
  return {
    node: ctx.nodeId,
    now: ctx.clock.now(),
    pingIntervalMs: pingIntervalFor(ctx.options.timing ?? {}, defaultOffline),
    apps,
  };
}
