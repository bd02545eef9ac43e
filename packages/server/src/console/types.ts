import type { ReportedMedia, WireProfile, WireRole } from '@holdfast/protocol';
import type { ObservedEvent } from '../observe/observer.js';

/** What this node knows about a session it holds itself (other nodes' sessions have no such part). */
export interface ConsoleLiveInfo {
  /** Round-trip time the client last reported, ms (0 until it has measured one). */
  rttMs: number;
  /** When anything last arrived from the client, server unix ms. */
  lastSeenAt: number;
  /** A transport is attached; false while the session waits for a resume. */
  attached: boolean;
  /** Remote address of the attached (or last) transport. */
  remote: string;
  /** Data-stream messages, since the session began; absent while all are 0. */
  streams?: ConsoleStreamCounts;
  /** The media figures the client last reported (every 2 s while it has media); absent before. */
  media?: ConsoleMediaInfo;
}

/**
 * A member's media as its client reported it: publishing (audio/video on, muted, off), kbit/s and
 * loss % both ways, the media RTT and the media connection's state; `at` when it arrived (server
 * ms) — a client with media reports every 2 s, so an older one is stale.
 */
export type ConsoleMediaInfo = ReportedMedia & { at: number };

/** One member's data-stream messages, counted by the node that holds its session. */
export interface ConsoleStreamCounts {
  /** Sent by the member and accepted by the server (into the channel; a duplicate resend is not counted again). */
  sent: number;
  /** Other members' messages the server sent to this member's connection (a resume's replay is not counted). */
  received: number;
  /** Sent by the member and refused by the server (limits, role, not stored): they reached nobody. */
  refused: number;
}

export interface ConsoleMember {
  uid: number;
  role: WireRole;
  profile: WireProfile;
  /**
   * The session's tag: the first 8 hex characters of the SHA-256 of its id. The id is not shown
   * anywhere in the console (it is not a secret, but nothing here needs it).
   */
  sessionTag: string;
  /** When the member joined, server unix ms. */
  joinedAt: number;
  /** The server node holding the session. */
  node: string;
  live?: ConsoleLiveInfo;
  /**
   * For a member another node holds (no `live`): what the engine knows — when that node last had
   * data from it, server unix ms (its published offline deadline less the offline window: about
   * 1 s coarse). Absent when the node has published no deadline yet.
   */
  seen?: { lastSeenAt: number };
}

export interface ConsoleChannel {
  channel: string;
  userCount: number;
  broadcasterCount: number;
  members: ConsoleMember[];
}

export interface ConsoleApp {
  appId: string;
  /** The app has a certificate: joins need a token. */
  tokens: boolean;
  /** This app's remote offline window, ms. */
  offlineAfterMs: number;
  channels: ConsoleChannel[];
  /** More channels exist than the snapshot lists. */
  truncated: boolean;
}

/** Apps → channels → members, as the console lists them. */
export interface ConsoleSnapshot {
  node: string;
  /** Server time, unix ms. */
  now: number;
  /** How often clients ping: the server hears from a healthy client at least this often. */
  pingIntervalMs: number;
  apps: ConsoleApp[];
}

/**
 * `GET /console/api/snapshot`, and the first message (`hello`) of the event stream: the apps
 * with their channels and members, and the recent observed events, oldest first.
 */
export interface ConsoleHello {
  snapshot: ConsoleSnapshot;
  events: ObservedEvent[];
}

export type { ObservedEvent };

/**
 * The live feed's `delta` event: what changed since the previous snapshot or delta. Every app is
 * listed with its header; `channels` holds only channels that are new or changed (whole, members
 * included), `removed` the names of channels no longer listed, `order` the listing when channels came or
 * went. Applied to the snapshot from the `hello` (and each delta since), it gives the server's.
 */
export interface ConsoleDelta {
  node: string;
  now: number;
  pingIntervalMs: number;
  apps: Array<
    Omit<ConsoleApp, 'channels'> & {
      channels: ConsoleChannel[];
      removed: string[];
      /** Every listed channel's name in order; present only when channels came or went. */
      order?: string[];
    }
  >;
}
