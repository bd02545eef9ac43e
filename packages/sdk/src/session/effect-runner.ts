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

/** Executes one effect. The whole mapping from effect data to driver work is this switch. */
export function runEffect(effect: Effect, ports: EffectPorts): void {
  switch (effect.type) {
    case 'state':
      ports.state(effect.status, effect.reason);
      return;
    case 'notify':
      ports.notice(effect.notice);
      return;
    case 'open':
      ports.open();
      return;
    case 'close':
      ports.close();
      return;
    case 'send_join':
      ports.sendJoin();
      return;
    case 'send_leave':
      ports.sendLeave();
      return;
    case 'forget_session':
      ports.forgetSession();
      return;
    case 'arm':
      ports.arm(effect.timer, effect.at);
      return;
    case 'cancel_all':
      // Leaving a state flushes everything that ticks, the keepalive pinger as much as the machine's timers.
      ports.cancelTimers();
      ports.stopPinger();
      return;
    case 'when_settled':
      ports.defer(effect.status, effect.effects);
      return;
    case 'sync_members':
      ports.syncMembers(effect.resumed);
      return;
    case 'start_pinger':
      ports.startPinger();
      return;
    case 'watch_token':
      ports.watchToken();
      return;
    case 'restore_role':
      ports.restoreRole();
      return;
  }
}
