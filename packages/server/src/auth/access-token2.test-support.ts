import { createRequire } from 'node:module';
import { deflateSync, inflateSync } from 'node:zlib';
import { buildAccessToken2, type verifyAccessToken2 } from './access-token2.js';

/** Shared by the access-token2-*.test.ts files: agora-token's low-level module, fixtures and helpers. */

// agora-token's low-level AccessToken2 module ships without typings; describe the parts we use.
interface AgoraService {
  __channel_name: string;
  __uid: string;
  __privileges: Record<number, number>;
  add_privilege(privilege: number, expire: number): void;
}
interface AgoraAccessToken2 {
  appId: string;
  issueTs: number;
  expire: number;
  salt: number;
  from_string(token: string): boolean;
  verifySignature(appCertificate: string): boolean;
  getServices(type: number): AgoraService[];
  add_service(service: AgoraService): void;
  build(): string;
  __signing(appCertificate: string): Buffer;
}
export const agora = createRequire(import.meta.url)('agora-token/src/AccessToken2.js') as {
  AccessToken2: new (appId?: string, cert?: string, issueTs?: number, expire?: number) => AgoraAccessToken2;
  ServiceRtc: new (channelName: string, uid: number | string) => AgoraService;
  kRtcServiceType: number;
};

export const APP_ID = '970CA35de60c44645bbae8a215061b33';
export const CERT = '5CFd2fd1755d40ecb72977518be15d3b';
export const OTHER_CERT = '0123456789abcdef0123456789abcdef';
export const CHANNEL = '7d72365eb983485397e3e3f9d460bdda';
export const UID = 2882341273;
export const ISSUE_TS = 1_700_000_000;

export const now = () => Math.floor(Date.now() / 1000);
export const expectFor = (overrides: Partial<Parameters<typeof verifyAccessToken2>[1]> = {}) => ({
  appId: APP_ID,
  appCertificate: CERT,
  channelName: CHANNEL,
  uid: UID,
  nowSeconds: now(),
  ...overrides,
});
export const ours = (overrides: Partial<Parameters<typeof buildAccessToken2>[0]> = {}) =>
  buildAccessToken2({
    appId: APP_ID,
    appCertificate: CERT,
    channelName: CHANNEL,
    uid: UID,
    tokenExpireSeconds: 3600,
    issueTs: ISSUE_TS,
    salt: 12345678,
    ...overrides,
  });
export const inflate = (token: string) => inflateSync(Buffer.from(token.slice(3), 'base64'));
export const reencode = (content: Buffer) => `007${deflateSync(content).toString('base64')}`;
