import { isHex32, isValidAppId, type WireErrorCode } from '@holdfast/protocol';
import { verifyAccessToken2 } from './access-token2.js';

export interface AppConfig {
  appId: string;
  /** With a certificate, every join needs an AccessToken2; without one the app is in development mode. */
  appCertificate?: string;
  /** Remote offline window for this app's members (e.g. 40000 for NERTC-style apps). Default: the server's. */
  offlineAfterMs?: number;
}

export type JoinAuth =
  | { ok: true; tokenExpiresAt?: number }
  | {
      ok: false;
      code: Extract<WireErrorCode, 'invalid_app_id' | 'invalid_token' | 'token_expired'>;
      message: string;
    };

/** The apps this server serves, and the token check for each. */
export class AppRegistry {
  #apps = new Map<string, AppConfig>();
  /** Development-mode apps already warned about a token they do not check. */
  #warned = new Set<string>();
  /**
   * Told once per development-mode app (no certificate) the first time a join brings a token:
   * the token is not checked, which a developer testing tokens should know (`007garbage` joins).
   */
  onUncheckedToken: ((appId: string) => void) | undefined;

  constructor(apps: AppConfig[]) {
    for (const app of apps) {
      if (!isValidAppId(app.appId))
        throw new TypeError(`invalid appId "${app.appId}": 1–64 of [A-Za-z0-9_-]`);
      if (app.appCertificate !== undefined) {
        if (!isHex32(app.appId) || !isHex32(app.appCertificate))
          throw new TypeError(
            `app "${app.appId}": an app with a certificate needs a 32-hex appId and certificate`,
          );
      }
      this.#apps.set(app.appId, { ...app });
    }
  }

  get(appId: string): AppConfig | undefined {
    return this.#apps.get(appId);
  }

  has(appId: string): boolean {
    return this.#apps.has(appId);
  }

  list(): AppConfig[] {
    return [...this.#apps.values()];
  }

  /** Checks that `token` lets `uid` join `channel` of `appId` at `nowMs`. */
  authorize(appId: string, channel: string, uid: number, token: string | undefined, nowMs: number): JoinAuth {
    const app = this.#apps.get(appId);
    if (!app) return { ok: false, code: 'invalid_app_id', message: `unknown app id "${appId.slice(0, 64)}"` };
    if (!app.appCertificate) {
      if (token && !this.#warned.has(appId)) {
        this.#warned.add(appId);
        this.onUncheckedToken?.(appId);
      }
      return { ok: true };
    }
    if (!token) return { ok: false, code: 'invalid_token', message: 'this app requires a token' };
    const result = verifyAccessToken2(token, {
      appId,
      appCertificate: app.appCertificate,
      channelName: channel,
      uid,
      nowSeconds: Math.floor(nowMs / 1000),
    });
    if (result.ok) return { ok: true, tokenExpiresAt: result.joinExpiresAt * 1000 };
    if (result.code === 'expired') return { ok: false, code: 'token_expired', message: result.message };
    return { ok: false, code: 'invalid_token', message: `${result.code}: ${result.message}` };
  }
}
