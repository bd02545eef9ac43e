import {
  ConnectionChangedReasonType as R,
  ConnectionStateType as S,
  UserOfflineReasonType,
} from '@holdfast/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { type NodeProcess, startThreeNodes } from './node-process.js';
import { joined, RecordingClients } from './recording-clients.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Three real node processes (`holdfast serve --redis <url>`, kill -9 able) sharing a Redis: presence
 * across nodes, a killed node's member resuming elsewhere with no flap, a killed node's members
 * Dropped at about the window (the orphan claim), a kicking rule reaching every node. `redisUrl`
 * is read when a test starts: `redis://…` (one server) or `redis+cluster://…` (a Redis Cluster).
 * The kill -9 tests take ~10-17 s; their 60 s bound is for a loaded machine (30 s ran out with
 * other suites in parallel at load average 20).
 */
export function threeNodeSuite(name: string, redisUrl: () => string): void {
  describe(name, () => {
    const rec = new RecordingClients();
    const nodes: NodeProcess[] = [];
    afterEach(async () => {
      rec.releaseAll();
      await Promise.all(nodes.splice(0).map((n) => n.stop()));
    });
    const client = (serverUrl: string | string[]) => rec.client(serverUrl);
    async function threeNodes(offlineMs = 4000) {
      const started = await startThreeNodes(redisUrl(), offlineMs);
      nodes.push(...started);
      return started;
    }

    it('3 nodes: clients on different nodes see each other join and leave with correct reasons', async () => {
      const [a, b, c] = await threeNodes();
      const ca = client(a.url);
      const cb = client(b.url);
      const cc = client(c.url);
      await joined(ca, 'r-presence', 1);
      await joined(cb, 'r-presence', 2);
      await joined(cc, 'r-presence', 3);
      await ca.waitFor((e) => e.name === 'onUserJoined' && e.args[0] === 3);
      await cc.waitFor((e) => e.name === 'onUserJoined' && e.args[0] === 1);
      cb.engine.leaveChannel();
      expect((await ca.waitFor((e) => e.name === 'onUserOffline')).args).toEqual([
        2,
        UserOfflineReasonType.UserOfflineQuit,
      ]);
      expect((await cc.waitFor((e) => e.name === 'onUserOffline')).args).toEqual([
        2,
        UserOfflineReasonType.UserOfflineQuit,
      ]);
    });

    it('kill -9 a node: its member resumes on another node inside the window with no remote flap', async () => {
      const [a, b, c] = await threeNodes(6000);
      const mover = client([a.url, b.url]);
      const watcher = client(c.url);
      await joined(watcher, 'r-move', 9);
      await joined(mover, 'r-move', 1);
      await watcher.waitFor((e) => e.name === 'onUserJoined' && e.args[0] === 1);
      await sleep(1200); // a heartbeat publishes the deadline
      await a.kill9();
      await mover.waitState(S.ConnectionStateConnected, R.ConnectionChangedRejoinSuccess, 8000);
      expect(mover.states()).not.toContainEqual([
        S.ConnectionStateReconnecting,
        R.ConnectionChangedKeepAliveTimeout,
      ]);
      await sleep(7000); // past window + heartbeat lapse: no ghost drop may happen
      expect(watcher.named('onUserOffline')).toEqual([]);
      expect(watcher.named('onUserJoined').filter((e) => e.args[0] === 1)).toHaveLength(1);
    }, 60_000);

    it('members of a killed node that do not come back are Dropped everywhere at about the window', async () => {
      const [a, b, c] = await threeNodes(4000);
      const ghost = client(a.url);
      const w1 = client(b.url);
      const w2 = client(c.url);
      await joined(w1, 'r-ghost', 2);
      await joined(w2, 'r-ghost', 3);
      await joined(ghost, 'r-ghost', 1);
      await w1.waitFor((e) => e.name === 'onUserJoined' && e.args[0] === 1);
      await w2.waitFor((e) => e.name === 'onUserJoined' && e.args[0] === 1);
      await sleep(1200);
      ghost.release();
      const killedAt = Date.now();
      await a.kill9();
      const off1 = await w1.waitFor((e) => e.name === 'onUserOffline', 10_000);
      const off2 = await w2.waitFor((e) => e.name === 'onUserOffline', 10_000);
      expect(off1.args).toEqual([1, UserOfflineReasonType.UserOfflineDropped]);
      expect(off2.args).toEqual([1, UserOfflineReasonType.UserOfflineDropped]);
      const after = w1.start + off1.at - killedAt;
      // Last data ≤ 1.5 s before the kill; deadlines are published every second; the node is dead after 3 s.
      expect(after).toBeGreaterThan(2000);
      expect(after).toBeLessThan(6500);
    }, 60_000);

    it('a kicking rule set through node A bans a user on node B', async () => {
      const [a, b, c] = await threeNodes();
      const victim = client(b.url);
      await joined(victim, 'r-kick', 5);
      const res = await fetch(`${a.httpUrl}/dev/v1/kicking-rule`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          appid: 'demo',
          cname: 'r-kick',
          uid: 5,
          time: 5,
          privileges: ['join_channel'],
        }),
      });
      expect(res.status).toBe(200);
      await victim.waitState(S.ConnectionStateFailed, R.ConnectionChangedBannedByServer, 5000);
      // The rule lives in Redis: node C refuses the rejoin too.
      const again = client(c.url);
      again.join('r-kick', 5);
      await again.waitState(S.ConnectionStateFailed, R.ConnectionChangedBannedByServer, 5000);
    });
  });
}
