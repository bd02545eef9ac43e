import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { MAX_UID } from '@holdfast/protocol';
import {
  ChannelProfileType,
  ClientRoleType,
  type EngineTiming,
  type WebSocketConstructor,
  webSocketTransport,
} from '@holdfast/sdk';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { WebSocket } from 'ws';
import { errorName, NO_PAINT } from '../join/format.js';
import { LiveJoin } from '../join/live-join.js';
import { tapRtt } from '../join/rtt-tap.js';
import { type InputState, plainView, ttyView } from '../join/views.js';

interface JoinOpts {
  server: string;
  appId: string;
  uid: number;
  token: string;
  role: 'broadcaster' | 'audience';
  profile: 'communication' | 'live';
  plain?: boolean;
  color: boolean;
  statsEvery?: number;
  interruptedAfterMs?: number;
  lostAfterMs?: number;
  failAfterMs?: number;
  send?: boolean;
}

function integer(name: string, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n > max)
      throw new InvalidArgumentError(`${name} must be an integer from 0 to ${max}`);
    return n;
  };
}

export function registerJoin(program: Command): void {
  program
    .command('join')
    .description('join a channel and watch its connection state, reasons, members and RTT live')
    .argument('<channel>', 'channel name')
    .option('--server <url>', 'Holdfast server', 'ws://127.0.0.1:7700')
    .option('--app-id <appId>', 'App ID', 'demo')
    .option('--uid <uid>', 'uid (0 = the server assigns one)', integer('--uid', Number(MAX_UID)), 0)
    .option('--token <token>', 'AccessToken2 (needed when the app has a certificate)', '')
    .addOption(
      new Option('--role <role>', 'client role').choices(['broadcaster', 'audience']).default('broadcaster'),
    )
    .addOption(
      new Option('--profile <profile>', 'channel profile: live announces broadcasters only')
        .choices(['communication', 'live'])
        .default('communication'),
    )
    .option(
      '--send',
      'send each line typed on standard input as one data-stream message (at most 1,024 bytes) on one ordered stream',
    )
    .option('--plain', 'plain lines even on a terminal (the default when output is not a terminal)')
    .option('--no-color', 'no colours on a terminal (NO_COLOR=1 does the same)')
    .option(
      '--stats-every <seconds>',
      'print a stats line (RTT, members) this often; 0 = never (default: 10 piped, 0 on a terminal)',
      integer('--stats-every'),
    )
    .option(
      '--interrupted-after-ms <ms>',
      'Reconnecting/Interrupted after this long without data (default 4000)',
      integer('--interrupted-after-ms'),
    )
    .option(
      '--lost-after-ms <ms>',
      'Lost this long after Interrupted (default 10000)',
      integer('--lost-after-ms'),
    )
    .option(
      '--fail-after-ms <ms>',
      'Failed/JoinFailed after this long reconnecting (default 1200000)',
      integer('--fail-after-ms'),
    )
    .addHelpText(
      'after',
      `
Each state change is one line: time, state, reason name and number, what it means and what to do
(the troubleshooting table of the connection-state docs). Members joining and going offline, with
the reason, are lines too. On a terminal a live status block (state, RTT, members) stays at the
bottom; piped, every line is plain and starts with "<time> <kind>" for scripts. Ctrl-C leaves the
channel (remote users see Quit). Exit status: 0 after leaving, 1 when the SDK gave up (Failed, or an
invalid token), 2 when the join was refused at once.

Data streams: every message other members send shows as "stream message uid=… stream=… bytes=…
latency=…ms | <text>" (the payload as UTF-8, control characters escaped; latency is now minus the
sender's send time, so it includes any clock difference), and late or lost messages as "stream
error … code=… missed=… cached=…". With --send, each line typed (or piped) on standard input is sent
as one message on one stream (createDataStream({ ordered: true })): "stream sent", or "stream
not_sent code=…" with what the code means (-12 more than 60 messages in 1 s, -115 more than 30 KB in
1 s, -113 not in the channel, -5 an audience member in live broadcasting cannot send, -114 over
1,024 bytes). Lines typed before the join go out once joined; while reconnecting they wait in the
SDK and go out after the resume. When standard input ends, holdfast join stays in the channel.

Examples:
  holdfast join room-1                                   # app "demo" on ws://127.0.0.1:7700
  holdfast join room-1 --uid 42 --role audience --profile live
  holdfast join room-1 --server ws://rtc.example.com:7700 --app-id <32-hex> --uid 42 --token 007eJx…
  holdfast join room-1 --plain | grep ' state '          # just the state changes
  holdfast join room-1 --uid 1 --send                    # chat: run it in two terminals (uid 1 and 2)
  echo "deploy done" | holdfast join room-1 --send       # send a line from a script (Ctrl-C to leave)`,
    )
    .action(async (channel: string, opts: JoinOpts) => {
      process.exitCode = await runJoin(channel, opts);
    });
}

async function runJoin(channel: string, opts: JoinOpts): Promise<number> {
  const out = process.stdout;
  const tty = out.isTTY === true && !opts.plain;
  const colour = tty && opts.color && !process.env.NO_COLOR;
  // --send on a terminal: readline edits the line (in raw mode, echoing nothing itself) and the
  // view draws it as the last line of the status block, so typing and the redraws do not collide.
  // Anywhere else (piped input, or plain output) readline just splits standard input into lines.
  const editing = opts.send === true && tty && process.stdin.isTTY === true;
  let typing: (() => InputState | undefined) | undefined;
  const view = tty
    ? ttyView(out, colour ? undefined : NO_PAINT, Date.now, editing ? () => typing?.() : undefined)
    : plainView(out);
  const [transport, probe] = tapRtt(webSocketTransport(WebSocket as unknown as WebSocketConstructor));
  const timing: EngineTiming = {
    ...(opts.interruptedAfterMs !== undefined ? { interruptedAfterMs: opts.interruptedAfterMs } : {}),
    ...(opts.lostAfterMs !== undefined ? { lostAfterMs: opts.lostAfterMs } : {}),
    ...(opts.failAfterMs !== undefined ? { failAfterMs: opts.failAfterMs } : {}),
  };
  const live = new LiveJoin({
    server: opts.server,
    appId: opts.appId,
    channel,
    uid: opts.uid,
    token: opts.token,
    role: opts.role === 'audience' ? ClientRoleType.ClientRoleAudience : ClientRoleType.ClientRoleBroadcaster,
    profile:
      opts.profile === 'live'
        ? ChannelProfileType.ChannelProfileLiveBroadcasting
        : ChannelProfileType.ChannelProfileCommunication,
    timing,
    // On a terminal the status block shows RTT and members all the time.
    statsEveryMs: (opts.statsEvery ?? (tty ? 0 : 10)) * 1000,
    transport,
    rtt: () => probe.rttMs,
    view,
    send: opts.send === true,
  });

  const rc = live.start();
  if (rc !== 0) {
    live.dispose();
    process.stderr.write(`holdfast join: refused at once: ${rc} (${errorName(rc)})\n`);
    return 2;
  }

  let interrupts = 0;
  const onSignal = () => {
    // A second Ctrl-C while leaving means "now".
    if (++interrupts > 1) process.exit(130);
    void live.leave();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const stopInput = opts.send ? readLines(live, editing, onSignal, (t) => (typing = t)) : () => {};
  const outcome = await live.done;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  stopInput();
  live.dispose();
  // Everything is closed and the process should end by itself; if a stray handle kept it up, it
  // would look hung after the user asked to leave, so end it anyway.
  setTimeout(() => process.exit(process.exitCode ?? 0), 1000).unref();
  return outcome.kind === 'left' ? 0 : 1;
}

/**
 * `--send`: each line of standard input goes to `live.send`. With `editing` (a terminal on both
 * sides) readline runs in raw mode with its echo thrown away: the view draws the line from
 * `rl.line` / `rl.cursor` after each key, and Ctrl-C reaches `onInterrupt` through readline (raw
 * mode sends no SIGINT). Returns what stops reading (restoring the terminal).
 */
function readLines(
  live: LiveJoin,
  editing: boolean,
  onInterrupt: () => void,
  setTyping: (typing: (() => InputState | undefined) | undefined) => void,
): () => void {
  const input = process.stdin;
  const rl = createInterface({
    input,
    ...(editing ? { output: new Writable({ write: (_c, _e, done) => done() }) } : {}),
    terminal: editing,
    crlfDelay: Number.POSITIVE_INFINITY,
    historySize: editing ? 100 : 0,
  });
  let open = true;
  let redraw: ReturnType<typeof setImmediate> | undefined;
  const onKey = () => {
    // After readline has applied the key (its listener runs first); a paste is one redraw.
    redraw ??= setImmediate(() => {
      redraw = undefined;
      if (open) live.refresh();
    });
  };
  if (editing) {
    setTyping(() => (open ? { text: rl.line, cursor: rl.cursor } : undefined));
    input.on('keypress', onKey);
    rl.on('SIGINT', onInterrupt);
  }
  rl.on('line', (line) => live.send(line));
  rl.on('close', () => {
    if (!open) return;
    open = false;
    input.off('keypress', onKey);
    live.inputClosed();
  });
  return () => {
    input.off('keypress', onKey);
    if (redraw) clearImmediate(redraw);
    if (open) {
      open = false;
      rl.close(); // restores the terminal from raw mode
    }
    // Nothing more is read: the process may end.
    input.destroy();
  };
}
