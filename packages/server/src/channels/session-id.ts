import { hash, randomFillSync, timingSafeEqual } from 'node:crypto';

const POOL_BYTES = 6 * 1024;
let pool = Buffer.alloc(0);
let offset = POOL_BYTES;

/**
 * `bytes` bytes from the CSPRNG as base64url. The bytes come from a pool refilled 6 KB at a time:
 * one `getrandom` per few hundred joins instead of one per join (which cost a third of the CPU of a
 * join on a small VM), exactly as Node's own `randomUUID()` caches entropy. Each pool byte is
 * handed out once.
 */
function randomText(bytes: number): string {
  if (offset + bytes > POOL_BYTES) {
    pool = randomFillSync(Buffer.allocUnsafe(POOL_BYTES));
    offset = 0;
  }
  const text = pool.toString('base64url', offset, offset + bytes);
  offset += bytes;
  return text;
}

/**
 * A new session id: 12 bytes from the CSPRNG, base64url (16 characters). Unguessable, but not a
 * secret: it names the session in the client's `joined` frame and in the engine. What lets a client
 * resume its session is the resume secret ({@link newResumeSecret}).
 */
export function newSessionId(): string {
  return randomText(12);
}

/**
 * A new resume secret: 24 bytes (192 bits) from the CSPRNG, base64url (32 characters). Sent once,
 * in the client's own `joined` frame; the server keeps only its hash ({@link hashResumeSecret}).
 */
export function newResumeSecret(): string {
  return randomText(24);
}

/** What the engine stores instead of the secret: SHA-256, base64url (43 characters). */
export function hashResumeSecret(secret: string): string {
  return hash('sha256', secret, 'base64url');
}

/** Whether `presented` is the secret whose hash is `stored`, compared in constant time. */
export function resumeSecretMatches(stored: string | undefined, presented: string): boolean {
  if (stored === undefined) return false;
  const want = Buffer.from(stored, 'base64url');
  const got = hash('sha256', presented, 'buffer');
  return want.length === got.length && timingSafeEqual(want, got);
}

/**
 * What the console and the event feed show for a session: the first 8 hex characters of the
 * SHA-256 of its id. Enough to tell a member's sessions apart; says nothing about the id.
 */
export function sessionTag(sessionId: string): string {
  return hash('sha256', sessionId, 'hex').slice(0, 8);
}
