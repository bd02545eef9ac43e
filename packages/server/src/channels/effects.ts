import type { WireOfflineReason } from '@holdfast/protocol';
import type { Logger } from 'pino';
import type { Engine, SessionRecord } from '../engine/types.js';
import { isAnnounced } from '../engine/types.js';
import type { ObservedEvent, Observer } from '../observe/observer.js';
import type { ObservedPayload, SessionEffect } from '../session/machine.js';
import type { MemberHooks } from './hooks.js';
import type { LiveSession } from './live-session.js';
import type { LocalSessions } from './local-sessions.js';
import { sessionTag } from './session-id.js';

export interface EffectContext {
  engine: Engine;
  local: LocalSessions;
  observer: Observer;
  log: Logger;
  nodeId: string;
  now: () => number;
  /** A local session was dropped from this node (its media is closed). */
  dropped?: (live: LiveSession) => void;
  /** Told when this node removes a member (webhooks). */
  hooks?: MemberHooks | undefined;
}

/** The session an effect is about: a local session, or the record of another node's (a claimed orphan). */
export type Subject = LiveSession | { record: SessionRecord };

const refOf = (s: Subject) => ('record' in s ? { appId: s.record.appId, channel: s.record.channel } : s.ref);
const idOf = (s: Subject) => ('record' in s ? s.record.id : s.id);
const uidOf = (s: Subject) => ('record' in s ? s.record.uid : s.uid);
const tagOf = (s: Subject) => ('record' in s ? sessionTag(s.record.id) : s.tag);

/**
 * Runs a session machine's effects in order. Transport and local effects are immediate; engine
 * effects are awaited one after another. An engine effect that fails does not stop the rest: it is
 * kept and tried again later ({@link EffectRunner.retry}, at every heartbeat), so a member record or
 * session whose cleanup met a Redis outage is not left behind for good.
 */
export class EffectRunner {
  #retry: Array<() => Promise<void>> = [];
  /** Engine effects that failed (each try; /metrics reads this at scrape time). */
  failures = 0;
  /** `user_offline` events this node published, by reason. */
  readonly offline: Record<WireOfflineReason, number> = {
    quit: 0,
    dropped: 0,
    become_audience: 0,
    kicked: 0,
  };

  constructor(private readonly ctx: EffectContext) {}

  get pendingRetries(): number {
    return this.#retry.length;
  }

  async run(subject: Subject, effects: readonly SessionEffect[]): Promise<void> {
    for (const effect of effects) {
      const work = this.#work(subject, effect);
      if (!work) continue;
      try {
        await work();
      } catch (err) {
        this.failures++;
        this.ctx.log.warn(
          { err, effect: effect.type, session: tagOf(subject) },
          'session effect failed (will retry)',
        );
        this.#retry.push(work);
      }
    }
  }

  /** Tries the failed engine effects again; those that fail again stay queued. */
  async retry(): Promise<void> {
    const due = this.#retry.splice(0);
    for (const work of due)
      try {
        await work();
      } catch {
        this.failures++;
        this.#retry.push(work);
      }
  }

  /** The effect as work to run (engine effects), or undefined after running it at once. */
  #work(subject: Subject, effect: SessionEffect): (() => Promise<void>) | undefined {
    const { engine, local } = this.ctx;
    const live = 'record' in subject ? undefined : subject;
    switch (effect.type) {
      case 'send':
        live?.transports.get(effect.attachment)?.send(effect.frame);
        return undefined;
      case 'end_transport': {
        const t = live?.transports.get(effect.attachment);
        live?.transports.delete(effect.attachment);
        t?.end(effect.code, effect.message);
        return undefined;
      }
      case 'drop_local':
        if (live) {
          local.drop(live);
          this.ctx.dropped?.(live);
        }
        return undefined;
      case 'observe':
        if (live) this.observe(live, effect.event);
        return undefined;
      case 'unwatch':
        return () => engine.unwatchChannel(refOf(subject));
      case 'delete_session':
        return () => engine.deleteSession(idOf(subject));
      case 'release_member': {
        const ref = refOf(subject);
        const uid = uidOf(subject);
        return async () => {
          const removed = await engine.removeMember(ref, uid, idOf(subject));
          if (removed) this.ctx.hooks?.left(ref, removed, effect.cause);
          // A local session's machine knows what the others saw (its `visible`, in `effect.offline`),
          // whatever the removed record's role says (an audience join over an announced broadcaster
          // that failed half-way); a dead node's orphan has only its record to go by.
          const seen = removed !== undefined && ('record' in subject ? isAnnounced(removed) : true);
          if (seen && effect.offline !== 'none') {
            await engine.publishEvent(ref, { kind: 'user_offline', uid, reason: effect.offline });
            this.offline[effect.offline]++;
          }
        };
      }
      case 'notify_owner': {
        if (!('record' in subject)) return undefined;
        const { record } = subject;
        return () =>
          engine.publish({
            kind: 'end_session',
            sessionId: record.id,
            nodeId: record.nodeId,
            code: 'session_expired',
          });
      }
      case 'publish_event': {
        const ref = refOf(subject);
        const uid = uidOf(subject);
        const event =
          effect.event.kind === 'user_joined'
            ? { kind: 'user_joined' as const, uid }
            : { kind: 'user_offline' as const, uid, reason: effect.event.reason };
        return () =>
          engine.publishEvent(ref, event).then(() => {
            if (event.kind === 'user_offline') this.offline[event.reason]++;
          });
      }
    }
  }

  observe(live: LiveSession, event: ObservedPayload | ObservedBody): void {
    this.ctx.observer.emit({
      at: this.ctx.now(),
      node: this.ctx.nodeId,
      appId: live.ref.appId,
      channel: live.ref.channel,
      uid: live.uid,
      sessionTag: live.tag,
      ...event,
    } as ObservedEvent);
  }
}

type BaseKey = 'at' | 'node' | 'appId' | 'channel' | 'uid' | 'sessionTag';
/** An observed event without the fields the runner fills in. */
export type ObservedBody = ObservedEvent extends infer E
  ? E extends ObservedEvent
    ? Omit<E, BaseKey>
    : never
  : never;
