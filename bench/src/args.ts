import { parseArgs } from 'node:util';

/** Every scenario `--only` can name, in the order a full run takes them. */
export const SCENARIOS = [
  'capacity',
  'join',
  'presence',
  'console',
  'crossnode',
  'streams',
  'detection',
  'recovery',
  'bigchannel',
  'media',
  'machine',
  'machineRedis',
] as const;

/** Every system `--systems` can name. */
export const SYSTEM_IDS = ['holdfast', 'sio-default', 'sio-tuned', 'floor'] as const;

export const USAGE = `usage: npm run bench [-- options]

  --quick              small sizes, one trial each (a smoke of the harness, not figures)
  --only a,b,...       these scenarios only, merged into the last full run's results:
                       ${SCENARIOS.join(', ')}
  --systems a,b,...    these systems only: ${SYSTEM_IDS.join(', ')}
  --clients N          clients of the recovery and detection rows
  --no-machine         leave out the machine-level scenarios of a full run
  --refuse-busy        exit (2) instead of marking the report when the machine is busy before the run
  --report-only        rewrite the tables, BENCHMARKS.md and the SVGs from the last results
  --help               this text`;

export interface BenchArgs {
  help: boolean;
  quick: boolean;
  only: Set<string> | undefined;
  systems: Set<string> | undefined;
  clients: number | undefined;
  noMachine: boolean;
  refuseBusy: boolean;
  reportOnly: boolean;
}

export type BenchArgsCode = 'unknown_option' | 'bad_value';

/** A command line the bench cannot run: which option, and why. */
export class BenchArgsError extends Error {
  constructor(
    readonly code: BenchArgsCode,
    message: string,
  ) {
    super(message);
    this.name = 'BenchArgsError';
  }
}

function listOf(
  option: string,
  value: string | undefined,
  allowed: readonly string[],
): Set<string> | undefined {
  if (value === undefined) return undefined;
  const names = value.split(',').filter(Boolean);
  const unknown = names.filter((n) => !allowed.includes(n));
  if (names.length === 0 || unknown.length > 0)
    throw new BenchArgsError(
      'bad_value',
      `${option}: ${names.length === 0 ? 'empty list' : `unknown ${unknown.join(', ')}`} (one or more of ${allowed.join(', ')}, comma-separated)`,
    );
  return new Set(names);
}

/**
 * The bench's command line, checked: an unknown option or a misspelt scenario is an error, never a
 * full run of everything (a 40-minute run that was meant to be one row).
 */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        quick: { type: 'boolean' },
        only: { type: 'string' },
        systems: { type: 'string' },
        clients: { type: 'string' },
        'no-machine': { type: 'boolean' },
        'refuse-busy': { type: 'boolean' },
        'report-only': { type: 'boolean' },
      },
    }));
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new BenchArgsError(
      code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' ? 'bad_value' : 'unknown_option',
      (err as Error).message,
    );
  }
  const clientsText = values.clients as string | undefined;
  const clients = clientsText === undefined ? undefined : Number(clientsText);
  if (clients !== undefined && (!Number.isInteger(clients) || clients < 1))
    throw new BenchArgsError(
      'bad_value',
      `--clients: "${clientsText}" is not a whole number of clients (1 or more)`,
    );
  return {
    help: values.help === true,
    quick: values.quick === true,
    only: listOf('--only', values.only as string | undefined, SCENARIOS),
    systems: listOf('--systems', values.systems as string | undefined, SYSTEM_IDS),
    clients,
    noMachine: values['no-machine'] === true,
    refuseBusy: values['refuse-busy'] === true,
    reportOnly: values['report-only'] === true,
  };
}
