import { MAX_REPORTED_STATES, type ReportedState } from '@holdfast/protocol';

/**
 * State changes the client went through, kept until they can be sent: the
 * server's console draws what the client saw during an outage from these.
 */
export class StateReports {
  #pending: ReportedState[] = [];

  push(report: ReportedState): void {
    this.#pending.push(report);
    if (this.#pending.length > MAX_REPORTED_STATES)
      this.#pending.splice(0, this.#pending.length - MAX_REPORTED_STATES);
  }

  /** Hands the pending reports to `send`; they are dropped only if it says they went out. */
  flush(send: (states: ReportedState[]) => boolean): void {
    if (this.#pending.length > 0 && send(this.#pending)) this.#pending = [];
  }
}
