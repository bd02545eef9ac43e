import type { Effect, Notice, Reason, Status, TimerName } from '../connection/types.js';

/** What the driver offers the machine's effects: one method per thing an effect can do. */
export interface EffectPorts {
  state(status: Status, reason: Reason): void;
  notice(notice: Notice): void;
  open(): void;
  close(): void;
  sendJoin(): void;
  sendLeave(): void;
  forgetSession(): void;
  arm(timer: TimerName, at: number): void;
  cancelTimers(): void;
  stopPinger(): void;
  /** Keeps `effects` until the current dispatch has drained its queue (see `when_settled`). */
  defer(status: Status, effects: Effect[]): void;
  syncMembers(resumed: boolean): void;
  startPinger(): void;
  watchToken(): void;
  restoreRole(): void;
}

type Runners = { [K in Effect['type']]: (effect: Extract<Effect, { type: K }>, ports: EffectPorts) => void };

/** The whole mapping from effect data to driver work, one row per effect type. */
const RUNNERS: Runners = {
  state: (e, p) => p.state(e.status, e.reason),
  notify: (e, p) => p.notice(e.notice),
  open: (_, p) => p.open(),
  close: (_, p) => p.close(),
  send_join: (_, p) => p.sendJoin(),
  send_leave: (_, p) => p.sendLeave(),
  forget_session: (_, p) => p.forgetSession(),
  arm: (e, p) => p.arm(e.timer, e.at),
  cancel_all: (_, p) => {
    // Leaving a state flushes everything that ticks, the keepalive pinger as much as the machine's timers.
    p.cancelTimers();
    p.stopPinger();
  },
  when_settled: (e, p) => p.defer(e.status, e.effects),
  sync_members: (e, p) => p.syncMembers(e.resumed),
  start_pinger: (_, p) => p.startPinger(),
  watch_token: (_, p) => p.watchToken(),
  restore_role: (_, p) => p.restoreRole(),
};

/** Executes one effect. */
export function runEffect(effect: Effect, ports: EffectPorts): void {
  (RUNNERS[effect.type] as (e: Effect, p: EffectPorts) => void)(effect, ports);
}
