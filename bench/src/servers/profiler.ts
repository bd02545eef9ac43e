import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

/** CPU profiling of a server child on demand (the `--profile` option): only the window that matters. */
let session: Session | undefined;

export async function profileStart(): Promise<void> {
  session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
}

export async function profileStop(file: string): Promise<void> {
  if (!session) return;
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(file, JSON.stringify(profile));
  session.disconnect();
  session = undefined;
}
