import type {
  AdviceTimings,
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
  | { kind: 'left'; at: number; durationS: number | undefined; lastmileDelayMs: number | undefined }
  /** `--send`: the data stream the typed lines go out on (or the code createDataStream returned). */
  | { kind: 'stream_created'; at: number; streamId: number }
  /** A data-stream message from `uid`: the payload as UTF-8 text; latency = now − the sender's sentTs. */
  | {
      kind: 'stream_message';
      at: number;
      uid: number;
      streamId: number;
      bytes: number;
      text: string;
      latencyMs: number;
    }
  /** onStreamMessageError: late or lost messages of `uid`; `own`: this client's messages that were not sent. */
  | {
      kind: 'stream_error';
      at: number;
      uid: number;
      streamId: number;
      code: number;
      missed: number;
      cached: number;
      own: boolean;
    }
  /** A typed line sent as one message (sendStreamMessage returned 0). */
  | { kind: 'stream_sent'; at: number; streamId: number; bytes: number; text: string }
  /** A typed line not sent: the negative code sendStreamMessage returned, or the CLI's own check. */
  | { kind: 'stream_not_sent'; at: number; code: number; bytes: number; text: string }
  /** Standard input ended: nothing more to send, still in the channel. */
  | { kind: 'input_closed'; at: number };

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
  /** Data-stream messages this client sent (accepted by the SDK) and received. */
  messagesSent: number;
  messagesReceived: number;
  /** The SDK timings this client runs with: the advice quotes them (the seed's when absent). */
  timings?: AdviceTimings;
  /** Why the SDK cannot connect (its last onError while trying); the advice while it keeps trying. */
  connectProblem?: string;
}

/** What a view does: print one event, and (TTY only) keep a live status area up to date. */
export interface JoinView {
  event(event: JoinEvent, status: JoinStatus): void;
  /** Called a few times a second so timers ("for 3.2 s") stay current. */
  tick(status: JoinStatus): void;
  /** Clears any live area; the process is about to exit. */
  close(): void;
}
