import {
  ConnectionChangedReasonType as R,
  ConnectionStateType as S,
  UserOfflineReasonType,
} from '@holdfast/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { startCluster } from './support/cluster.js';
import type { RecordingClient } from './support/recorder.js';
import { joined, RecordingClients } from './support/recording-clients.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let cluster: Awaited<ReturnType<typeof startCluster>> | undefined;
const rec = new RecordingClients();

afterEach(async () => {
  rec.releaseAll();
  await cluster?.close();
  cluster = undefined;
});

const client = (serverUrl: string | string[]) => rec.client(serverUrl);

describe('three nodes on one in-process engine', () => {
  it('members on different nodes see each other join and leave with the right reasons', async () => {
    cluster = await startCluster(3);
    const [a, b, c] = cluster.nodes.map((n) => client(n.url)) as [
      RecordingClient,
      RecordingClient,
      RecordingClient,
    ];
    await joined(a, 'x', 1);
    await joined(b, 'x', 2);
    await joined(c, 'x', 3);
    await a.waitFor((e) => e.name === 'onUserJoined' && e.args[0] === 3);
    await c.waitFor((e) => e.name === 'onUserJoined' && e.args[0] === 1);
    expect(
      c
        .named('onUserJoined')
        .map((e) => e.args[0])
        .sort(),
    ).toEqual([1, 2]);
    b.engine.leaveChannel();
    const off = await a.waitFor((e) => e.name === 'onUserOffline');
    expect(off.args).toEqual([2, UserOfflineReasonType.UserOfflineQuit]);
    await c.waitFor((e) => e.name === 'onUserOffline' && e.args[0] === 2);
  });

  it('a node dies: its member resumes on another node inside the window, with no remote flap', async () => {
    cluster = await startCluster(3, undefined, 4000);
    const [na, nb, nc] = cluster.nodes;
    const mover = client([na!.url, nb!.url]);
    const watcher = client(nc!.url);
    await joined(watcher, 'move', 9);
    await joined(mover, 'move', 1);
    await watcher.waitFor((e) => e.name === 'onUserJoined' && e.args[0] === 1);
    await sleep(600); // let a heartbeat publish the deadline
    await na!.kill();
    const back = await mover.waitState(S.ConnectionStateConnected, R.ConnectionChangedRejoinSuccess, 5000);
    expect(mover.states()).not.toContainEqual([
      S.ConnectionStateReconnecting,
      R.ConnectionChangedKeepAliveTimeout,
    ]);
    // Events after the move reach it through node B.
    const late = client(nc!.url);
    await joined(late, 'move', 3);
    await mover.waitFor(
      (e) => e.name === 'onUserJoined' && e.args[0] === 3,
      3000,
      mover.events.indexOf(back),
    );
    await sleep(4500); // past the window: nobody may have announced the mover as gone
    expect(watcher.named('onUserOffline')).toEqual([]);
    expect(watcher.named('onUserJoined').filter((e) => e.args[0] === 1)).toHaveLength(1);
  });

  it('members of a dead node that do not come back are Dropped everywhere after the window', async () => {
    cluster = await startCluster(3, undefined, 2000);
    const [na, nb, nc] = cluster.nodes;
    const ghost = client(na!.url);
    const w1 = client(nb!.url);
    const w2 = client(nc!.url);
    await joined(w1, 'ghost', 2);
    await joined(w2, 'ghost', 3);
    await joined(ghost, 'ghost', 1);
    await w1.waitFor((e) => e.name === 'onUserJoined' && e.args[0] === 1);
    await sleep(400);
    ghost.release(); // the client goes away too
    const killedAt = Date.now();
    await na!.kill();
    const off1 = await w1.waitFor((e) => e.name === 'onUserOffline', 6000);
    const off2 = await w2.waitFor((e) => e.name === 'onUserOffline', 6000);
    expect(off1.args).toEqual([1, UserOfflineReasonType.UserOfflineDropped]);
    expect(off2.args).toEqual([1, UserOfflineReasonType.UserOfflineDropped]);
    // Window 2 s after the last data, and the dead node's heartbeat (3 × 250 ms) must lapse.
    const after = w1.start + off1.at - killedAt;
    expect(after).toBeGreaterThan(1000);
    expect(after).toBeLessThan(3500);
    expect(w1.named('onUserOffline')).toHaveLength(1);
  });

  it('a kicking rule set through node A bans a user on node B', async () => {
    cluster = await startCluster(2);
    const [na, nb] = cluster.nodes;
    const victim = client(nb!.url);
    await joined(victim, 'kick', 5);
    const res = await fetch(`${na!.httpUrl}/dev/v1/kicking-rule`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ appid: 'demo', uid: 5, time: 5, privileges: ['join_channel'] }),
    });
    expect(res.status).toBe(200);
    await victim.waitState(S.ConnectionStateFailed, R.ConnectionChangedBannedByServer, 3000);
  });

  it('a graceful node shutdown hands its members over: they resume elsewhere, no flap', async () => {
    cluster = await startCluster(2, undefined, 4000);
    const [na, nb] = cluster.nodes;
    const mover = client([na!.url, nb!.url]);
    const watcher = client(nb!.url);
    await joined(watcher, 'drain', 2);
    await joined(mover, 'drain', 1);
    await watcher.waitFor((e) => e.name === 'onUserJoined' && e.args[0] === 1);
    await na!.close();
    await mover.waitState(S.ConnectionStateConnected, R.ConnectionChangedRejoinSuccess, 5000);
    await sleep(500);
    expect(watcher.named('onUserOffline')).toEqual([]);
  });
});
