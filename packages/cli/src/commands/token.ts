import { buildAccessToken2 } from '@holdfast/server';
import { type Command, InvalidArgumentError } from 'commander';

const HEX32 = /^[0-9a-fA-F]{32}$/;

function hex32(name: string) {
  return (value: string): string => {
    if (!HEX32.test(value)) throw new InvalidArgumentError(`${name} must be 32 hex characters`);
    return value;
  };
}
function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0 || n > 86_400)
    throw new InvalidArgumentError(
      '--expire must be whole seconds in 1..86400 (a privilege lasts at most 24 h)',
    );
  return n;
}
function uidArg(value: string): number | string {
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 && n <= 0xffff_ffff && /^\d+$/.test(value) ? n : value;
}

export function registerToken(program: Command): void {
  program
    .command('token')
    .description('build an AccessToken2 ("007…") that Holdfast and the agora-token tools accept')
    .requiredOption('--app-id <appId>', '32-hex App ID', hex32('--app-id'))
    .requiredOption('--app-certificate <certificate>', '32-hex App Certificate', hex32('--app-certificate'))
    .requiredOption('--channel <name>', 'channel the token is for')
    .option('--uid <uid>', 'uid (0 = any uid) or a user account string', uidArg, 0)
    .option('--expire <seconds>', 'token and privilege lifetime in seconds', seconds, 3600)
    .option('--role <role>', 'publisher (all privileges) or subscriber (join only)', 'publisher')
    .addHelpText(
      'after',
      `
Examples:
  holdfast token --app-id 0123456789abcdef0123456789abcdef \\
                 --app-certificate fedcba9876543210fedcba9876543210 --channel room-1 --uid 42
  holdfast token ... --uid 0 --expire 600          # any uid, valid 10 minutes`,
    )
    .action(
      (opts: {
        appId: string;
        appCertificate: string;
        channel: string;
        uid: number | string;
        expire: number;
        role: string;
      }) => {
        if (opts.role !== 'publisher' && opts.role !== 'subscriber')
          throw new InvalidArgumentError('--role must be publisher or subscriber');
        const token = buildAccessToken2({
          appId: opts.appId,
          appCertificate: opts.appCertificate,
          channelName: opts.channel,
          uid: opts.uid,
          tokenExpireSeconds: opts.expire,
          role: opts.role,
        });
        process.stdout.write(`${token}\n`);
      },
    );
}
