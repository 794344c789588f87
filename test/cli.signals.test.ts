/**
 * SIGTERM and SIGINT sent to the CLI process alone (as `kill <pid>` or a supervisor does): the
 * command ends with 143 / 130 and a line saying how to resume, its worker processes are gone, no
 * leaderboard is written, and resuming with the run id finishes the run with every candidate trained.
 * The CLI runs as a real child process (bin/layerbench.js), as a user starts it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { Leaderboard } from '../src/results/leaderboard.js';
import { keys } from '../src/store/keys.js';
import { LocalStore } from '../src/store/local.js';
import { getJson } from '../src/store/store.js';
import { cli } from './helpers/cli.js';
import { alive, workerPids } from './helpers/processes.js';
import { separableCsv } from './helpers/tiny-sweep.js';

const BIN = fileURLToPath(new URL('../bin/layerbench.js', import.meta.url));
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const csv = (rows: number) => separableCsv(rows, 3);

const until = async (what: string, ok: () => boolean, child: ChildProcess) => {
  while (!ok()) {
    if (child.exitCode !== null) throw new Error(`the CLI exited (${child.exitCode}) before ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

/** Start the CLI with one worker, wait until it is training, send `signal`; the exit code, stderr and the workers it had. */
async function interrupt(args: string[], cwd: string, signal: NodeJS.Signals): Promise<{ code: number | null; stderr: string; workers: number[] }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  child.stdout!.resume();
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await until('training started', () => /training \d+ candidates?/.test(stderr), child);
  await until('a worker started', () => workerPids(child.pid!).length === 1, child);
  const workers = workerPids(child.pid!);
  child.kill(signal);
  return { code: await exited, stderr, workers };
}

describe('layerbench run, interrupted', () => {
  it('stops its workers at once on SIGTERM and SIGINT, writes no leaderboard, and resumes to the end', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'layerbench-signals-'));
    dirs.push(dir);
    const store = new LocalStore(join(dir, 'store'));
    await store.put('datasets/ab.csv', csv(400));
    const sweepFile = join(dir, 'sweep.json');
    await writeFile(
      sweepFile,
      JSON.stringify({
        name: 'signals',
        dataset: { key: 'datasets/ab.csv', task: 'binary', target: 'label' },
        model: { family: 'dense', depth: [1], width: [2, 3, 4, 5] },
        training: { epochs: 30, batchSize: 16, earlyStopping: { enabled: false } },
      }),
    );
    const args = ['run', sweepFile, '--store', store.root, '--backend', 'cpu'];

    const term = await interrupt([...args, '--workers', '1', '--run-id', 'signals-1'], dir, 'SIGTERM');
    expect(term.code).toBe(143);
    expect(term.stderr.trim().split('\n').at(-1)).toBe(`layerbench: interrupted (SIGTERM): the workers are stopped; resume run signals-1 with: layerbench run ${sweepFile} --run-id signals-1`);
    expect(term.workers.filter(alive)).toEqual([]);

    const int = await interrupt([...args, '--workers', '1', '--run-id', 'signals-1'], dir, 'SIGINT');
    expect(int.code).toBe(130);
    expect(int.stderr).toContain('layerbench: interrupted (SIGINT)');
    expect(int.workers.filter(alive)).toEqual([]);
    expect(await store.exists(keys.runManifest('signals-1'))).toBe(true);
    expect(await store.exists(keys.leaderboard('signals-1', 'json'))).toBe(false);

    const resumed = await cli(...args, '--workers', '2', '--run-id', 'signals-1');
    expect(resumed.code).toBe(0);
    const lb = await getJson<Leaderboard>(store, keys.leaderboard('signals-1', 'json'));
    expect(lb.rows).toHaveLength(4);
    expect(lb.failed).toEqual([]);
  });
});
