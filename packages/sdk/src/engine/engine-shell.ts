import type { WireProfile, WireRole } from '@holdfast/protocol';
import type { Status } from '../connection/types.js';
import type { ChannelSession, JoinParams, SessionListener } from '../session/channel-session.js';
import type { ProxyRoute } from '../transport/proxy-route.js';
import type { SessionSetup } from './session-setup.js';
import { TokenExpiryWatch } from './token-watch.js';

/**
 * What one API profile (Agora, NERTC) gives the shared shell: return codes and pure
 * mappings from its numbering to the wire's. No state lives here.
 */
export interface ShellTable {
  /** Returned by every call made before initialize/create. */
  notInitialized: number;
  invalidArgument: number;
  /** setCloudProxy asked for a proxy that cannot be reached (Node with no `proxy` URL). */
  proxyUnavailable: number;
  /** setChannelProfile outside `profileOpenIn`. */
  profileLocked: number;
  /** The statuses in which setChannelProfile is accepted. */
  profileOpenIn: readonly Status[];
  role(value: unknown): WireRole | undefined;
  profile(value: unknown): WireProfile | undefined;
  /** setCloudProxy's argument: true through the proxy, false direct, undefined refused. */
  proxy(value: unknown): boolean | undefined;
}

type Ready = Extract<SessionSetup, { ok: true }>;

/**
 * The engine shell both API profiles share: it owns the session, the proxy route, the token
 * expiry warning and the handlers, and implements the calls whose logic is the same in both
 * (setClientRole, setChannelProfile, setCloudProxy, release). The connection state is the
 * session's; each profile only maps it (see `ShellTable` and the engines' event maps).
 */
export class EngineShell<H extends object> {
  #handlers: H[] = [];
  #session: ChannelSession | undefined;
  #route: ProxyRoute | undefined;
  #proxyUsable = false;
  #tokenWatch: TokenExpiryWatch | undefined;
  /** The role and profile the next join uses; the session holds the ones in use. */
  #role: WireRole;
  #profile: WireProfile;

  constructor(
    private readonly table: ShellTable,
    defaults: { role: WireRole; profile: WireProfile },
  ) {
    this.#role = defaults.role;
    this.#profile = defaults.profile;
  }

  get session(): ChannelSession | undefined {
    return this.#session;
  }
  get role(): WireRole {
    return this.#role;
  }
  set role(role: WireRole) {
    this.#role = role;
  }
  get profile(): WireProfile {
    return this.#profile;
  }
  set profile(profile: WireProfile) {
    this.#profile = profile;
  }

  /** The profile's listener, with what every profile does on role results and token expiry. */
  listener(map: SessionListener): SessionListener {
    return {
      ...map,
      roleChanged: (from, to) => {
        this.#role = to;
        map.roleChanged(from, to);
      },
      roleChangeFailed: (code, role) => {
        this.#role = role;
        map.roleChangeFailed(code, role);
      },
      tokenExpiresAt: (at) => this.#tokenWatch?.set(at),
    };
  }

  /** Takes the session `setupSession` built; `onWillExpire` fires 30 s before the token's join privilege ends. */
  attach(setup: Ready, onWillExpire: () => void): void {
    this.#session = setup.session;
    this.#route = setup.route;
    this.#proxyUsable = setup.proxyUsable;
    this.#tokenWatch = new TokenExpiryWatch(setup.clock, onWillExpire);
  }

  setHandlers(handlers: H[]): void {
    this.#handlers = handlers;
  }
  addHandler(handler: H): void {
    if (!this.#handlers.includes(handler)) this.#handlers.push(handler);
  }
  removeHandler(handler: H): boolean {
    const before = this.#handlers.length;
    this.#handlers = this.#handlers.filter((h) => h !== handler);
    return this.#handlers.length !== before;
  }

  /** Joins with the remembered role (and profile, unless this join names one), through the proxy when it is on. */
  join(params: Omit<JoinParams, 'role' | 'profile'> & { profile?: WireProfile }): void {
    const { profile = this.#profile, ...rest } = params;
    this.#session?.join({ ...rest, role: this.#role, profile }, this.#route?.enabled);
  }

  /**
   * Why data-stream messages cannot be sent now: no engine, not in a channel (before the first
   * join succeeded, after leaving or failing; while reconnecting they wait and go out after the
   * resume), or an audience member in live broadcasting (only broadcasters send, as Agora says).
   */
  streamBlocked(): 'not_initialized' | 'not_in_channel' | 'audience' | undefined {
    const s = this.#session;
    if (!s) return 'not_initialized';
    if (!s.joinedOnce || s.status === 'disconnected' || s.status === 'failed') return 'not_in_channel';
    const as = s.joinedAs;
    if (as?.profile === 'live' && as.role === 'audience') return 'audience';
    return undefined;
  }

  stopTokenWatch(): void {
    this.#tokenWatch?.stop();
  }

  setClientRole(role: unknown): number {
    const session = this.#session;
    if (!session) return this.table.notInitialized;
    const wire = this.table.role(role);
    if (!wire) return this.table.invalidArgument;
    // Before joining the role is just remembered (no role-change callback, as upstream).
    if (session.status === 'disconnected' || session.status === 'failed') this.#role = wire;
    else session.setRole(wire);
    return 0;
  }

  setChannelProfile(profile: unknown): number {
    const session = this.#session;
    if (!session) return this.table.notInitialized;
    const wire = this.table.profile(profile);
    if (!wire) return this.table.invalidArgument;
    if (!this.table.profileOpenIn.includes(session.status)) return this.table.profileLocked;
    this.#profile = wire;
    return 0;
  }

  setCloudProxy(proxyType: unknown): number {
    const session = this.#session;
    const route = this.#route;
    if (!session || !route) return this.table.notInitialized;
    const on = this.table.proxy(proxyType);
    if (on === undefined) return this.table.invalidArgument;
    if (on && !this.#proxyUsable) return this.table.proxyUnavailable;
    // In a channel the new route takes effect at once: Reconnecting/SettingProxyServer, then a rejoin.
    if (route.set(on) && session.status !== 'disconnected' && session.status !== 'failed')
      session.routeChanged();
    return 0;
  }

  release(): void {
    this.#tokenWatch?.stop();
    this.#session?.dispose();
    this.#session = undefined;
    this.#route = undefined;
    this.#handlers = [];
  }

  /** Calls every handler; a throwing handler must never break the state machine. */
  emit(name: keyof H & string, call: (h: H) => void): void {
    for (const h of [...this.#handlers]) {
      try {
        call(h);
      } catch (err) {
        console.error(`[holdfast] ${name} handler threw`, err);
      }
    }
  }
}
