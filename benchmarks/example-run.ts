/**
 * What the stability benchmarks share: an example sweep changed by `--set path=json` options and a
 * seed, run as a whole `layerbench run --json` command on a store, and the load average to print
 * beside the figures.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EXAMPLE_SWEEPS, type ExampleSweep } from '../examples/prepare.js';
import type { LocalStore } from '../src/store/local.js';

const exec = promisify(execFile);

export type Setting = [path: string[], value: unknown];

/** Takes every `--set path=json` out of args. */
export function takeSettings(args: string[]): Setting[] {
  const settings: Setting[] = [];
  for (let i = args.indexOf('--set'); i >= 0; i = args.indexOf('--set')) {
    const [path, value] = args.splice(i, 2)[1]!.split(/=(.*)/s) as [string, string];
    settings.push([path.split('.'), JSON.parse(value)]);
  }
  return settings;
}

export const describeSettings = (settings: readonly Setting[]) => settings.map(([p, v]) => `${p.join('.')}=${JSON.stringify(v)}`).join(', ');

export const loadAverage = async () => (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ');

/** The example's sweep JSON with the settings applied. */
export async function exampleSweep(name: ExampleSweep, settings: readonly Setting[]): Promise<Record<string, unknown>> {
  const sweep = JSON.parse(await readFile(EXAMPLE_SWEEPS[name], 'utf8')) as Record<string, unknown>;
  for (const [path, value] of settings) {
    let at = sweep;
    for (const key of path.slice(0, -1)) at = (at[key] ??= {}) as Record<string, unknown>;
    at[path.at(-1)!] = value;
  }
  return sweep;
}

/** `layerbench run <sweep> --json --quiet` on the store; its parsed output and the wall seconds. */
export async function runSweep(sweep: Record<string, unknown>, store: LocalStore, dir: string, workers: string): Promise<{ json: unknown; seconds: number }> {
  const file = join(dir, `${String(sweep.name)}-${Date.now()}.json`);
  await writeFile(file, JSON.stringify(sweep));
  const started = performance.now();
  const { stdout } = await exec('npx', ['tsx', 'src/cli/main.ts', 'run', file, '--store', store.location, '--workers', workers, '--json', '--quiet'], {
    maxBuffer: 64 << 20,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  return { json: JSON.parse(stdout), seconds: (performance.now() - started) / 1000 };
}
