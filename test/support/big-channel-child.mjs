// Many lean members of one channel in one process (test/big-channel.test.ts, issue 16 item 4).
// Usage: node big-channel-child.mjs <serverUrl> <channel> <firstUid> <count> <concurrency>
// Opens `count` raw WebSocket clients (uids firstUid..), each joining `channel` as a communication
// broadcaster, at most `concurrency` joins in flight; every client pings every 3 s. Prints one JSON
// line `{ type: 'opened', joined, refused, latencies }` when every join has an answer. Then, for each
// line on stdin `{ type: 'check', events: [[seq, kind, uid], ...], uids: [...] }` (the channel's log
// and every uid that joined), prints `{ type: 'checked', ... }`: per client, whether its member list
// equals the others' uids, and which of the events it should have seen it saw neither as an event
// nor covered by a snapshot (`sync`).
import { createInterface } from 'node:readline';
import { WebSocket } from 'ws';

const [url, channel, first, count, concurrency] = process.argv.slice(2);
const clients = [];
let refused = 0;
const refusals = {};
const latencies = [];

/** One member: its list of remote members, every event seq it saw, and the snapshots it got. */
function open(uid) {
  return new Promise((resolve) => {
    const started = performance.now();
    const c = { uid, joinedSeq: -1, members: new Set(), seen: [], syncSeq: 0, syncs: 0, frames: 0 };
    const ws = new WebSocket(`${url}/?tag=${uid}`, { perMessageDeflate: false });
    c.ws = ws;
    let done = false;
    const finish = (ok, code) => {
      if (done) return;
      done = true;
      if (ok) latencies.push(performance.now() - started);
      else {
        refused++;
        refusals[code] = (refusals[code] ?? 0) + 1;
      }
      resolve();
    };
    const apply = (f) => {
      if (f.type === 'event') {
        c.seen.push(f.seq);
        if (f.event.kind === 'user_joined') c.members.add(f.event.uid);
        else if (f.event.kind === 'user_offline') c.members.delete(f.event.uid);
      } else if (f.type === 'sync') {
        c.syncs++;
        c.syncSeq = Math.max(c.syncSeq, f.seq);
        c.members = new Set(f.members.map((m) => m.uid));
      } else if (f.type === 'batch') for (const inner of f.frames) apply(inner);
    };
    ws.on('open', () =>
      ws.send(
        JSON.stringify({
          type: 'join',
          v: 1,
          appId: 'demo',
          channel,
          uid,
          role: 'broadcaster',
          profile: 'communication',
          batch: true,
        }),
      ),
    );
    ws.on('message', (data) => {
      c.frames++;
      const f = JSON.parse(data.toString());
      if (f.type === 'joined') {
        c.joinedSeq = f.seq;
        c.members = new Set(f.members.map((m) => m.uid));
        clients.push(c);
        finish(true);
      } else if (f.type === 'end') {
        c.ended = f.code;
        finish(false, f.code);
      } else apply(f);
    });
    ws.on('error', () => {});
    ws.on('close', (code) => {
      c.closed = code;
      finish(false, `close ${code}`);
    });
  });
}

// From the start: members that joined early must not reach the server's offline window meanwhile.
setInterval(() => {
  for (const c of clients) if (c.ws.readyState === WebSocket.OPEN) c.ws.send('{"type":"ping","t":0}');
}, 3000);
let next = Number(first);
const last = Number(first) + Number(count);
await Promise.all(
  Array.from({ length: Number(concurrency) }, async () => {
    while (next < last) await open(next++);
  }),
);
process.stdout.write(
  `${JSON.stringify({ type: 'opened', joined: clients.length, refused, refusals, latencies })}\n`,
);

function check(events, uids) {
  let complete = 0;
  let silentGaps = 0;
  let gapClients = 0;
  let syncs = 0;
  let closed = 0;
  const endings = {};
  const examples = [];
  for (const c of clients) {
    syncs += c.syncs;
    if (c.closed !== undefined) {
      closed++;
      const why = c.ended ?? `close ${c.closed}`;
      endings[why] = (endings[why] ?? 0) + 1;
    }
    const want = uids.filter((u) => u !== c.uid);
    if (want.length === c.members.size && want.every((u) => c.members.has(u))) complete++;
    else if (examples.length < 3)
      examples.push({ uid: c.uid, has: c.members.size, want: want.length, syncs: c.syncs });
    const seen = new Set(c.seen);
    let missed = 0;
    for (const [seq, , uid] of events)
      if (seq > c.joinedSeq && uid !== c.uid && seq > c.syncSeq && !seen.has(seq)) missed++;
    silentGaps += missed;
    if (missed) gapClients++;
  }
  return {
    type: 'checked',
    clients: clients.length,
    complete,
    silentGaps,
    gapClients,
    syncs,
    closed,
    endings,
    examples,
  };
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const msg = JSON.parse(line);
  if (msg.type === 'check') process.stdout.write(`${JSON.stringify(check(msg.events, msg.uids))}\n`);
  if (msg.type === 'exit') process.exit(0);
});
