import type { RoleResultFrame, TokenResultFrame, WireRole } from '@holdfast/protocol';
import type { SessionListener } from './session-types.js';

/**
 * The session's numbered requests (set_role, renew_token) and their results: which role change a
 * `role_result` answers, and what the listener is told of each result.
 */
export class Requests {
  #nextId = 1;
  readonly #roles = new Map<number, { from: WireRole; to: WireRole }>();

  constructor(private readonly listener: SessionListener) {}

  /** An id for a role change from `from` to `to`, remembered until its result. */
  role(from: WireRole, to: WireRole): number {
    const id = this.#nextId++;
    this.#roles.set(id, { from, to });
    return id;
  }

  /** An id for a token renewal. */
  token(): number {
    return this.#nextId++;
  }

  /** A role result; `refused` learns the role the session stays in before the listener is told. */
  roleResult(frame: RoleResultFrame, refused: (role: WireRole) => void): void {
    const pending = this.#roles.get(frame.id);
    this.#roles.delete(frame.id);
    if (frame.ok) {
      if (pending) this.listener.roleChanged(pending.from, pending.to);
      return;
    }
    refused(frame.role);
    this.listener.roleChangeFailed(frame.code, frame.role);
  }

  tokenResult(frame: TokenResultFrame): void {
    this.listener.tokenResult(frame.ok, frame.ok ? undefined : frame.code);
    if (frame.ok) this.listener.tokenExpiresAt(frame.tokenExpiresAt);
  }
}
