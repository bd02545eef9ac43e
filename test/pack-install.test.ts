import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The packages as npm would publish them (issue 15 item 1): `npm pack` each workspace package (its
 * prepack builds it and adds the LICENSE), check what the tarballs hold, install them into fresh
 * app folders (their own dependencies — ws, pino, werift… — come from the npm registry or the
 * local cache), and use them there: the SDK with only its protocol dependency joins a channel on
 * the installed CLI's server, which serves the console from the installed @holdfast/console.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PACKAGES = ['protocol', 'sdk', 'server', 'cli', 'console'];
const work = mkdtempSync(join(tmpdir(), 'holdfast-pack-'));
const packs = join(work, 'packs');
const tarballs = new Map<string, string>();
const children: ChildProcess[] = [];
let sdkApp: string | undefined;

// The packages are built already (tsc -b before the suite, the console in its global setup);
// prepack must not rebuild the console while other test files serve it.
const run = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 180_000,
    env: { ...process.env, HOLDFAST_PREPACK_BUILT: '1' },
  });

function newApp(name: string, deps: string[]): string {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }));
  run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', ...deps.map((d) => tarballs.get(d)!)],
    dir,
  );
  return dir;
}

beforeAll(async () => {
  mkdirSync(packs);
  run(
    'npm',
    ['pack', ...PACKAGES.map((p) => `--workspace=packages/${p}`), '--pack-destination', packs],
    ROOT,
  );
  for (const file of readdirSync(packs)) tarballs.set(/^holdfast-(\w+)-/.exec(file)![1]!, join(packs, file));
}, 240_000);
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

describe('npm pack: what the tarballs hold', () => {
  it('every package packs, with LICENSE, repository, engines; no build info, no test files, no dangling maps', () => {
    expect([...tarballs.keys()].sort()).toEqual([...PACKAGES].sort());
    for (const [name, tgz] of tarballs) {
      const files = run('tar', ['tzf', tgz], work)
        .split('\n')
        .filter((f) => f && !f.endsWith('/'))
        .map((f) => f.replace(/^package\//, ''));
      const has = new Set(files);
      expect(has.has('LICENSE'), `${name}: LICENSE`).toBe(true);
      expect(
        files.filter((f) => f.endsWith('.tsbuildinfo')),
        name,
      ).toEqual([]);
      expect(
        files.filter((f) => /\.test\.[jt]s/.test(f)),
        name,
      ).toEqual([]);
      const pkg = JSON.parse(run('tar', ['xzOf', tgz, 'package/package.json'], work));
      expect(pkg.repository?.directory, name).toBe(`packages/${name}`);
      expect(pkg.engines?.node, name).toBe('>=20.19');
      // Every source map's sources ship too (or are inlined in it).
      for (const map of files.filter((f) => f.endsWith('.map'))) {
        const m = JSON.parse(run('tar', ['xzOf', tgz, `package/${map}`], work)) as {
          sources: string[];
          sourcesContent?: Array<string | null>;
        };
        m.sources.forEach((src, i) => {
          if (m.sourcesContent?.[i]) return;
          const path = posix.normalize(posix.join(posix.dirname(map), src));
          expect(has.has(path), `${name}: ${map} points at ${path}, which is not in the tarball`).toBe(true);
        });
      }
    }
    const manifest = (name: string) =>
      JSON.parse(run('tar', ['xzOf', tarballs.get(name)!, 'package/package.json'], work));
    expect(manifest('protocol').sideEffects).toBe(false);
    expect(manifest('sdk').sideEffects).toEqual(['./dist/node.js']);
    expect(manifest('server').dependencies['@holdfast/console']).toBe('^0.1.0');
  });
});

describe('installed into fresh apps', () => {
  it('holdfast --version and serve (console included) from the CLI tarball; the SDK with only its protocol joins', async () => {
    const serverApp = newApp('server-app', ['protocol', 'sdk', 'server', 'console', 'cli']);
    const bin = join(serverApp, 'node_modules/.bin/holdfast');
    expect(run(bin, ['--version'], serverApp).trim()).toBe('0.1.0');

    const serve = spawn(bin, ['serve', '--port', '0', '--log-level', 'silent'], { cwd: serverApp });
    children.push(serve);
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      serve.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        const m = /listening on (ws:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      serve.on('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
    });
    const http = url.replace('ws://', 'http://');
    const consolePage = await fetch(`${http}/console/`);
    expect(consolePage.status).toBe(200);
    expect(await consolePage.text()).toContain('<html');
    expect((await fetch(`${http}/demo/`)).status).toBe(200);

    // An app that depends on the SDK alone (and the protocol tarball it needs).
    sdkApp = newApp('sdk-app', ['protocol', 'sdk']);
    expect(readdirSync(join(sdkApp, 'node_modules/@holdfast')).sort()).toEqual(['protocol', 'sdk']);
    writeFileSync(
      join(sdkApp, 'join.mjs'),
      `import { createRtcEngine } from '@holdfast/sdk';
const engine = createRtcEngine();
engine.initialize({ appId: 'demo', serverUrl: process.argv[2] });
engine.registerEventHandler({
  onJoinChannelSuccess: (c) => { console.log('joined uid=' + c.localUid); engine.leaveChannel(); engine.release(); process.exit(0); },
  onError: (code, msg) => console.log('error', code, msg),
});
engine.joinChannel('', 'pack-test', 7, {});
setTimeout(() => { console.log('no join in 20 s'); process.exit(1); }, 20000);
`,
    );
    expect(run(process.execPath, ['join.mjs', url], sdkApp)).toContain('joined uid=7');
  }, 240_000);

  it('sideEffects lets a browser bundle that imports only an enum drop the rest of the SDK', async () => {
    expect(sdkApp).toBeDefined();
    const { build } = await import('vite');
    writeFileSync(
      join(sdkApp!, 'enum-only.js'),
      "import { ConnectionStateType } from '@holdfast/sdk';\nconsole.log(ConnectionStateType.ConnectionStateConnected);\n",
    );
    const out = (await build({
      configFile: false,
      root: sdkApp!,
      logLevel: 'silent',
      build: {
        write: false,
        minify: true,
        lib: { entry: join(sdkApp!, 'enum-only.js'), formats: ['es'], fileName: 'b' },
      },
    })) as Array<{ output: Array<{ type: string; code?: string }> }>;
    const bytes = out[0]!.output.reduce(
      (n, c) => n + (c.type === 'chunk' ? Buffer.byteLength(c.code!) : 0),
      0,
    );
    console.log(`enum-only browser bundle of the installed SDK: ${bytes} bytes`);
    expect(bytes).toBeLessThan(2000);
  });
});
