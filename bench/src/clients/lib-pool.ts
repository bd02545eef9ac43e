import {
  ChannelProfileType,
  ClientRoleType,
  createRtcEngine,
  type IRtcEngine,
  type NetworkChange,
  type NetworkSource,
  ConnectionChangedReasonType as R,
  ConnectionStateType as S,
  UserOfflineReasonType,
} from '@holdfast/sdk';
import { io, type Socket } from 'socket.io-client';
import { now, sleep } from '../stats.js';
import { leanTransport } from './lean-transport.js';
import type { Member } from './raw-pool.js';

/** What one full-library client saw, with times (ms). */
export interface LibRecord {
  uid: number;
  joinedAt: number;
  /** Connection went down: Holdfast (Reconnecting, Interrupted | KeepAliveTimeout); Socket.IO `disconnect`. */
  downs: Array<[at: number, why: string]>;
  /** Back: Holdfast (Connected, RejoinSuccess); Socket.IO `connect` (recovered) or the join ack after it. */
  ups: Array<[at: number, how: string]>;
  /** Remote presence seen by this client: [kind, uid, at, reason]. */
  presence: Array<[kind: 'joined' | 'offline', uid: number, at: number, reason: string]>;
}

/** A network source the bench fires by hand: what a browser's `online` event does for the SDK. */
class ManualNetwork implements NetworkSource {
  readonly listeners = new Set<(change: NetworkChange) => void>();
  subscribe(listener: (change: NetworkChange) => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

interface Live {
  rec: LibRecord;
  close(): void;
}

/**
 * Full client libraries for the detection and recovery scenarios, where the client's own
 * state machine is what is measured: the Holdfast SDK (createRtcEngine) and socket.io-client 4.8.
 */
export class LibPool {
  #live: Live[] = [];
  #network = new ManualNetwork();

  async open(
    kind: 'holdfast' | 'socketio',
    url: string,
    members: Member[],
    concurrency: number,
    lean = true,
  ): Promise<{ joined: number; failed: number }> {
    let next = 0;
    let joined = 0;
    const lane = async () => {
      while (next < members.length) {
        const m = members[next++]!;
        const rec: LibRecord = { uid: m.uid, joinedAt: 0, downs: [], ups: [], presence: [] };
        const ok = await new Promise<boolean>((resolve) => {
          const live =
            kind === 'holdfast'
              ? this.#holdfast(url, m, rec, resolve, lean)
              : this.#sio(url, m, rec, resolve);
          this.#live.push(live);
          setTimeout(() => resolve(false), 15_000).unref();
        });
        if (ok) joined++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, members.length) }, lane));
    return { joined, failed: members.length - joined };
  }

  /** The OS says the network is back (Holdfast SDK only; socket.io-client has no such input). */
  fireOnline(): void {
    for (const l of this.#network.listeners) l('online');
  }

  collect(): LibRecord[] {
    return this.#live.map((l) => l.rec);
  }

  async closeAll(): Promise<void> {
    for (const l of this.#live) l.close();
    this.#live = [];
    this.#network.listeners.clear();
    await sleep(100);
  }

  #holdfast(url: string, m: Member, rec: LibRecord, joined: (ok: boolean) => void, lean: boolean): Live {
    const engine: IRtcEngine = createRtcEngine();
    engine.initialize({
      appId: 'demo',
      serverUrl: `${url}/?tag=${m.uid}`,
      network: this.#network,
      ...(lean ? { transport: leanTransport } : {}),
    });
    engine.registerEventHandler({
      onJoinChannelSuccess: () => {
        rec.joinedAt = now();
        joined(true);
      },
      onConnectionStateChanged: (_c, state, reason) => {
        const at = now();
        if (state === S.ConnectionStateReconnecting && reason === R.ConnectionChangedInterrupted)
          rec.downs.push([at, 'interrupted']);
        else if (state === S.ConnectionStateReconnecting && reason === R.ConnectionChangedKeepAliveTimeout)
          rec.downs.push([at, 'keepalive_timeout']);
        else if (state === S.ConnectionStateConnected && reason === R.ConnectionChangedRejoinSuccess)
          rec.ups.push([at, 'rejoin_success']);
        else if (state === S.ConnectionStateFailed) joined(false);
      },
      onUserJoined: (_c, uid) => rec.presence.push(['joined', uid, now(), '']),
      onUserOffline: (_c, uid, reason) =>
        rec.presence.push([
          'offline',
          uid,
          now(),
          reason === UserOfflineReasonType.UserOfflineDropped
            ? 'dropped'
            : reason === UserOfflineReasonType.UserOfflineQuit
              ? 'quit'
              : String(reason),
        ]),
    });
    engine.joinChannel('', m.channel, m.uid, {
      clientRoleType: ClientRoleType.ClientRoleBroadcaster,
      channelProfile: ChannelProfileType.ChannelProfileCommunication,
    });
    return { rec, close: () => engine.release() };
  }

  #sio(url: string, m: Member, rec: LibRecord, joined: (ok: boolean) => void): Live {
    const socket: Socket = io(url.replace(/^ws/, 'http'), {
      transports: ['websocket'],
      forceNew: true,
      query: { tag: String(m.uid) },
    });
    socket.on('connect', () => {
      if (socket.recovered) {
        rec.ups.push([now(), 'recovered']);
        return;
      }
      socket.emit('join', { room: m.channel, uid: m.uid }, () => {
        const at = now();
        if (rec.joinedAt === 0) {
          rec.joinedAt = at;
          joined(true);
        } else rec.ups.push([at, 'rejoined']);
      });
    });
    socket.on('disconnect', (reason) => rec.downs.push([now(), reason]));
    socket.on('user_joined', (uid: number) => rec.presence.push(['joined', uid, now(), '']));
    socket.on('user_offline', (uid: number, reason: string) =>
      rec.presence.push(['offline', uid, now(), reason]),
    );
    return { rec, close: () => socket.disconnect() };
  }
}
