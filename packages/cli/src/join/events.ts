import type {
  ConnectionChangedReasonType,
  ConnectionStateType,
  ErrorCodeType,
  UserOfflineReasonType,
} from '@holdfast/protocol';

/** Everything `holdfast join` shows, as data: the views turn these into lines. `at` is unix ms. */
export type JoinEvent =
  | { kind: 'state'; at: number; state: ConnectionStateType; reason: ConnectionChangedReasonType }
  | { kind: 'joined'; at: number; channel: string; uid: number; elapsedMs: number; rejoin: boolean }
  | { kind: 'member_joined'; at: number; uid: number }
  | { kind: 'member_offline'; at: number; uid: number; reason: UserOfflineReasonType }
  | { kind: 'role'; at: number; role: string }
  | { kind: 'error'; at: number; code: ErrorCodeType | number; message: string }
  | { kind: 'token'; at: number; message: string }
  | { kind: 'stats'; at: number; rttMs: number | undefined; members: readonly number[] }
  | { kind: 'left'; at: number; durationS: number | undefined; lastmileDelayMs: number | undefined };

/** The live picture both views render from. */
export interface JoinStatus {
  channel: string;
  server: string;
  uid: number;
  state: ConnectionStateType;
  reason: ConnectionChangedReasonType;
  /** When the current state began, unix ms. */
  since: number;
  rttMs: number | undefined;
  members: ReadonlySet<number>;
}

/** What a view does: print one event, and (TTY only) keep a live status area up to date. */
export interface JoinView {
  event(event: JoinEvent, status: JoinStatus): void;
  /** Called a few times a second so timers ("for 3.2 s") stay current. */
  tick(status: JoinStatus): void;
  /** Clears any live area; the process is about to exit. */
  close(): void;
}
