import { createHash } from 'node:crypto';
import { TestClock } from '@holdfast/protocol';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestRedis } from '../testing/redis-server.js';
import { ADOPT_EVERY_MS, startWebhooks } from './index.js';
import type { WebhookEvent } from './types.js';

const URL_ = 'http://127.0.0.1:9/hook';
const PREFIX = 'obc:';
const lane = createHash('sha256').update(URL_).digest('hex').slice(0, 16);
const outboxKey = (node: string) => `${PREFIX}{node-wide}:wh:ob:${lane}:${node}`;

let redis: TestRedis;
let r: Redis;
beforeAll(async () => {
  redis = await TestRedis.start();
  r = new Redis(redis.url);
});
afterAll(async () => {
  r?.disconnect();
  await redis?.kill();
});

/** Events kept in Redis for the URL, by any node. */
async function keptIds(): Promise<string[]> {
  const keys = await r.keys(`${PREFIX}{node-wide}:wh:ob:*`);
  const ids: string[] = [];
  for (const k of keys) ids.push(...(await r.hkeys(k)));
  return ids.sort();
}

describe('webhooks outbox: a take-over in flight when the node closes', () => {
  it('events taken over from a dead node while close() runs stay kept in Redis for another node (not lost)', async () => {
    const clock = new TestClock();
    const wh = startWebhooks(
      { urls: [URL_], secret: 'outbox-close-secret-0123456789' },
      {
        nodeId: 'n',
        clock,
        log: pino({ level: 'silent' }),
        engine: {},
        redis: { url: redis.url, prefix: PREFIX },
        post: async () => ({ ok: false, detail: 'down' }),
      },
    )!;
    // The start-up take-over round finds nothing; then node "dead" (no alive key) is found keeping two events.
    await new Promise((res) => setTimeout(res, 200));
    const events: WebhookEvent[] = ['e1', 'e2'].map((id, i) => ({
      id,
      event: 'user_joined',
      appId: 'a',
      channel: 'c',
      uid: i + 1,
      at: clock.now() + i,
      nodeId: 'dead',
    }));
    for (const [i, e] of events.entries())
      await r.hset(outboxKey('dead'), e.id, JSON.stringify({ s: i + 1, e }));
    await r.sadd(`${PREFIX}{node-wide}:wh:nodes:${lane}`, 'dead');
    // The next round starts, and the node closes before its Redis answers.
    clock.advance(ADOPT_EVERY_MS);
    await wh.close(0);
    await new Promise((res) => setTimeout(res, 300));
    expect(await keptIds()).toEqual(['e1', 'e2']);
  });
});
