// Issue 16 item 7: one chaos scenario, run INSIDE a network namespace the test made
// (`ip netns exec <ns> node chaos-child.mjs '<spec JSON>'`), so its iptables rules and interface
// changes touch that namespace's own loopback and nothing of the host's.
//
// A real server on 127.0.0.1, observers connecting from 127.0.0.1, the faulted client from
// 127.0.0.2 (and the give-up clients from 127.0.0.3): a rule on a source/destination address hits
// that client alone. Every member sends data-stream messages all along; the test counts them.
// Prints one JSON line: the spec, the phase times (unix ms) and every callback of every client.
import { spawnSync } from 'node:child_process';
import {
  ChannelProfileType,
  ClientRoleType,
  createNERtcEngine,
  createRtcEngine,
  webSocketTransport,
} from '@holdfast/sdk';
import { startServer } from '@holdfast/server';
import { WebSocket } from 'ws';

const spec = JSON.parse(process.argv[2] ?? '{}');
const rate = spec.rate ?? 20;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const enc = new TextEncoder();
const dec = new TextDecoder();
const times = {};
const log = [];

function sh(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  const line = `${cmd} ${args.join(' ')}`;
  log.push(line);
  if (r.status !== 0) throw new Error(`${line} failed (${r.status}): ${r.stderr || r.error}`);
}

const server = await startServer({
  host: '127.0.0.1',
  port: 0,
  apps: [{ appId: 'demo' }],
  logLevel: 'silent',
  media: { enabled: false },
  timing: { offlineAfterMs: spec.offlineAfterMs ?? 20_000 },
});

const AGORA = [
  'onConnectionStateChanged',
  'onJoinChannelSuccess',
  'onRejoinChannelSuccess',
  'onConnectionInterrupted',
  'onConnectionLost',
  'onUserJoined',
  'onUserOffline',
  'onLeaveChannel',
  'onStreamMessage',
  'onStreamMessageError',
  'onError',
];
const NERTC = [
  'onConnectionStateChanged',
  'onJoinChannel',
  'onReconnectingStart',
  'onReJoinChannel',
  'onDisconnect',
  'onUserJoined',
  'onUserLeave',
];

/** A recorded engine: `events` are `{ name, args, at }` with `at` in unix ms. */
function agoraClient(name, uid, localAddress, { network = null, timing } = {}) {
  const events = [];
  const engine = createRtcEngine();
  const rc = engine.initialize({
    appId: 'demo',
    serverUrl: server.url,
    transport: webSocketTransport(WebSocket, { localAddress }),
    network: network === 'platform' ? undefined : null,
    timing,
  });
  if (rc !== 0) throw new Error(`initialize ${name}: ${rc}`);
  const handler = {};
  for (const cb of AGORA)
    handler[cb] = (...args) => {
      let rest = cb === 'onError' ? args : args.slice(1);
      // uid, streamId, text, sentTs
      if (cb === 'onStreamMessage') rest = [rest[0], rest[1], dec.decode(rest[2]), rest[4]];
      events.push({ name: cb, args: rest, at: Date.now() });
    };
  engine.registerEventHandler(handler);
  return { name, uid, localAddress, kind: 'agora', engine, events, sent: 0, stream: 0 };
}

function nertcClient(name, uid, localAddress, timing) {
  const events = [];
  const engine = createNERtcEngine();
  const callback = {};
  for (const cb of NERTC) callback[cb] = (...args) => events.push({ name: cb, args, at: Date.now() });
  const rc = engine.create({
    appKey: 'demo',
    serverUrl: server.url,
    channelEventCallback: callback,
    options: { network: null, timing, transport: webSocketTransport(WebSocket, { localAddress }) },
  });
  if (rc !== 0) throw new Error(`create ${name}: ${rc}`);
  return { name, uid, localAddress, kind: 'nertc', engine, events, sent: 0 };
}

async function until(what, pred, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}
const sawJoin = (c, uid) => c.events.some((e) => e.name === 'onUserJoined' && e.args[0] === uid);

const CHANNEL = 'chaos';
const join = (c) => {
  const rc =
    c.kind === 'agora'
      ? c.engine.joinChannel('', CHANNEL, c.uid, {
          clientRoleType: ClientRoleType.ClientRoleBroadcaster,
          channelProfile: ChannelProfileType.ChannelProfileCommunication,
        })
      : c.engine.joinChannel('', CHANNEL, c.uid);
  if (rc !== 0) throw new Error(`join ${c.name}: ${rc}`);
};

// ---------------------------------------------------------------- the faults, in this namespace only

/** iptables rules for one fault on one address (both directions unless said). */
function rulesFor(fault, addr) {
  switch (fault) {
    case 'loss':
      return ['-s', '-d'].map((dir) => [
        '-A',
        'INPUT',
        dir,
        addr,
        '-m',
        'statistic',
        '--mode',
        'random',
        '--probability',
        String(spec.lossProbability ?? 0.2),
        '-j',
        'DROP',
      ]);
    case 'blackhole':
      return ['-s', '-d'].map((dir) => ['-A', 'INPUT', dir, addr, '-j', 'DROP']);
    case 'rst':
      // The client's own packets are answered with a RST (to the client): its next segment — a
      // message, a ping, the ACK of a server keepalive — resets its socket; its SYNs are refused.
      return [['-A', 'INPUT', '-s', addr, '-p', 'tcp', '-j', 'REJECT', '--reject-with', 'tcp-reset']];
    default:
      return [];
  }
}

function applyFault() {
  if (spec.fault === 'ipchange') {
    // A new network interface comes up with an address (a Wi-Fi joining, a VPN): the SDK's
    // interface watcher sees a new local address set at its next 2 s poll.
    sh('ip', ['link', 'set', 'hfv0', 'up']);
    sh('ip', ['link', 'set', 'hfv1', 'up']);
    return;
  }
  for (const addr of spec.targets) for (const rule of rulesFor(spec.fault, addr)) sh('iptables', rule);
}
function liftFault() {
  if (spec.fault === 'ipchange') return;
  sh('iptables', ['-F', 'INPUT']);
}

if (spec.fault === 'ipchange') {
  // Prepared down (Node lists only interfaces that are up); IPv6 off so no link-local address
  // turns up later as a second change.
  sh('sysctl', ['-qw', 'net.ipv6.conf.all.disable_ipv6=1']);
  sh('sysctl', ['-qw', 'net.ipv6.conf.default.disable_ipv6=1']);
  sh('ip', ['link', 'add', 'hfv0', 'type', 'veth', 'peer', 'name', 'hfv1']);
  sh('ip', ['addr', 'add', '127.0.0.9/32', 'dev', 'hfv0']);
}

// ---------------------------------------------------------------- the run

const a = agoraClient('A', 1, '127.0.0.2', { network: spec.fault === 'ipchange' ? 'platform' : null });
const b = agoraClient('B', 2, '127.0.0.1');
const c = agoraClient('C', 3, '127.0.0.1');
const clients = [a, b, c];
const senders = [a, b];
if (spec.giveup) {
  const timing = { failAfterMs: spec.giveupAfterMs ?? 6000 };
  clients.push(agoraClient('D', 4, '127.0.0.3', { timing }), nertcClient('E', 5, '127.0.0.3', timing));
}

let exitCode = 0;
const result = { spec, times, clients: {}, sent: {}, log, error: undefined };
try {
  times.start = Date.now();
  for (const cl of [c, b, ...clients.filter((x) => x !== c && x !== b)]) join(cl);
  const uids = clients.map((x) => x.uid);
  await until(
    'everyone joined and seen',
    () => clients.every((x) => uids.every((u) => u === x.uid || sawJoin(x, u))),
    10_000,
  );
  times.joined = Date.now();
  for (const s of senders) s.stream = s.engine.createDataStream({ ordered: true });
  let tick = 0;
  const timer = setInterval(() => {
    tick++;
    for (const s of senders) {
      const data = enc.encode(`${s.name}-${s.sent}`);
      const rc = s.engine.sendStreamMessage(s.stream, data, data.length);
      if (rc !== 0) log.push(`send ${s.name}-${s.sent} returned ${rc} at tick ${tick}`);
      else s.sent++;
    }
  }, 1000 / rate);
  await sleep(spec.baselineMs ?? 1500);

  times.fault = Date.now();
  applyFault();
  await sleep(spec.faultMs);
  times.lift = Date.now();
  liftFault();
  // Back in the channel (a resume, or a fresh session after the offline window).
  await until('A connected again', () => a.engine.getConnectionState() === 3, 20_000).catch((e) =>
    log.push(String(e)),
  );
  times.rejoined = Date.now();
  await sleep(spec.tailMs ?? 2000);
  clearInterval(timer);
  times.stop = Date.now();
  for (const s of senders) result.sent[s.uid] = s.sent;
  // Messages are ordered per sender: once a receiver has a sender's last one, everything before it
  // has arrived or been reported missed. Wait for that (or give up and report what came).
  const lastOf = (r, s) =>
    r.events.some((e) => e.name === 'onStreamMessage' && e.args[2] === `${s.name}-${s.sent - 1}`);
  await until(
    'deliveries settled',
    () => lastOf(c, a) && lastOf(c, b) && lastOf(a, b) && lastOf(b, a),
    10_000,
  ).catch((e) => log.push(String(e)));
  await sleep(300);
  times.settled = Date.now();
  a.engine.leaveChannel();
  await until(
    'C saw A quit',
    () => c.events.some((e) => e.name === 'onUserOffline' && e.args[1] === 0),
    3000,
  ).catch((e) => log.push(String(e)));
  times.end = Date.now();
} catch (err) {
  result.error = String(err?.stack ?? err);
  exitCode = 1;
} finally {
  try {
    liftFault();
  } catch {}
  for (const cl of clients) {
    result.clients[cl.name] = {
      uid: cl.uid,
      kind: cl.kind,
      localAddress: cl.localAddress,
      events: cl.events,
    };
    try {
      cl.engine.release();
    } catch {}
  }
  await server.close().catch(() => {});
  process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(exitCode));
}
