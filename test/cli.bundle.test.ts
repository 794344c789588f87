/**
 * bin/layerbench.js runs a command from its cached esbuild bundle (src/cli/load-command.js) and, with
 * LAYERBENCH_CLI_BUNDLE=0 (or without esbuild), from source through tsx: both print the same. The
 * real launcher runs with module-resolution hooks that record every module it resolves, which shows
 * which way each one took.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalStore } from '../src/store/local.js';
import { gridCsv, gridSweep } from './helpers/tiny-sweep.js';

const BIN = fileURLToPath(new URL('../bin/layerbench.js', import.meta.url));
const TRACE = fileURLToPath(new URL('./fixtures/trace/register.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'layerbench-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let traces = 0;
function launch(bundled: boolean, ...args: string[]): { status: number | null; stdout: string; stderr: string; modules: string[] } {
  const trace = join(dir, `trace-${traces++}.txt`);
  const env = { ...process.env, LAYERBENCH_TRACE: trace, LAYERBENCH_CLI_BUNDLE: bundled ? '1' : '0' };
  const r = spawnSync(process.execPath, ['--import', TRACE, BIN, ...args], { env, encoding: 'utf8', cwd: dir });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, modules: readFileSync(trace, 'utf8').trim().split('\n') };
}

/** A store with a small learnable CSV, and a sweep of two candidates. */
async function workspace(): Promise<{ storeDir: string; file: string }> {
  const storeDir = join(dir, 'store');
  await new LocalStore(storeDir).put('datasets/ab.csv', gridCsv());
  const file = join(dir, 'sweep.json');
  writeFileSync(file, JSON.stringify(gridSweep));
  return { storeDir, file };
}

const fromBundle = (modules: string[]) => modules.some((m) => /\/\.cache\/layerbench\/cli-[a-z]+-[0-9a-f]+\.mjs$/.test(m));
const throughTsx = (modules: string[]) => modules.some((m) => m.includes('/tsx/'));

describe('the bundled CLI and the tsx fallback', () => {
  it('plan: the same candidates', async () => {
    const { storeDir, file } = await workspace();

    const bundled = launch(true, 'plan', file, '--store', storeDir, '--json');
    const source = launch(false, 'plan', file, '--store', storeDir, '--json');

    expect(bundled.status).toBe(0);
    expect(source.status).toBe(0);
    expect(bundled.stdout).toBe(source.stdout);
    expect(JSON.parse(bundled.stdout)).toHaveLength(2);
    expect([fromBundle(bundled.modules), throughTsx(bundled.modules)]).toEqual([true, false]);
    expect([fromBundle(source.modules), throughTsx(source.modules)]).toEqual([false, true]);
  });

  it('run: the same leaderboard and answer, and a report, each trained in its own copy of the store', async () => {
    const { storeDir, file } = await workspace();
    const copies = { bundled: join(dir, 'run-bundled'), source: join(dir, 'run-source') };
    cpSync(storeDir, copies.bundled, { recursive: true });
    cpSync(storeDir, copies.source, { recursive: true });
    const args = (store: string) => ['run', file, '--store', store, '--workers', '1', '--run-id', 'same', '--json', '--quiet'];

    const bundled = launch(true, ...args(copies.bundled));
    const source = launch(false, ...args(copies.source));

    expect([bundled.status, source.status]).toEqual([0, 0]);
    // What training and ranking decide; timings differ from run to run.
    const decided = (stdout: string) => {
      const result = JSON.parse(stdout) as { answer: unknown; leaderboard: { rows: { rank: number; candidateId: string; metric: unknown }[] } };
      return { answer: result.answer, rows: result.leaderboard.rows.map((r) => ({ rank: r.rank, candidateId: r.candidateId, metric: r.metric })) };
    };
    expect(decided(bundled.stdout)).toEqual(decided(source.stdout));
    expect(decided(bundled.stdout).rows).toHaveLength(2);
    expect(existsSync(join(copies.bundled, 'runs', 'same', 'report.html'))).toBe(true);
    expect(fromBundle(bundled.modules)).toBe(true);
  });

  it('run with bad input: the same one-line error and exit code', () => {
    const bundled = launch(true, 'run', join(dir, 'missing.json'), '--store', join(dir, 'empty-store'));
    const source = launch(false, 'run', join(dir, 'missing.json'), '--store', join(dir, 'empty-store'));

    expect(bundled.status).toBe(2);
    expect(source.status).toBe(2);
    expect(bundled.stderr).toBe(source.stderr);
    expect(bundled.stderr).toMatch(/^layerbench: .*missing\.json/);
    expect(fromBundle(bundled.modules)).toBe(true);
  });
});
