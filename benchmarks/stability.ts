/**
 * Does the answer hold when nothing but the seed changes? Runs each example sweep (or the ones named)
 * with training.seed 1, 2 and 3 — whole `layerbench run` commands on a fresh store — and prints each
 * run's outcome, recommendation and wall time, and whether the three agree: the same recommendation,
 * or ones the decision rule calls equivalent (each ≈ best in the others' runs).
 *
 *   npx tsx benchmarks/stability.ts [seattle-weather] [co2] [mnist] [--seeds 1,2,3] [--workers 2]
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EXAMPLE_SWEEPS, prepareExamples, type ExampleSweep } from '../examples/prepare.js';
import { LocalStore } from '../src/store/local.js';
import { describeMachine } from './machine.js';

const run = promisify(execFile);
const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1]! : fallback;
};
const seeds = option('--seeds', '1,2,3').split(',').map(Number);
const workers = option('--workers', '2');
const names = (args.length ? args : Object.keys(EXAMPLE_SWEEPS)) as ExampleSweep[];

interface Outcome {
  seed: number;
  outcome: string;
  recommended: string;
  approxBest: string[];
  seconds: number;
}

const load = async () => (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ');
const m = describeMachine();
process.stdout.write(`${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, seeds ${seeds.join(', ')}, ${workers} workers\nload before: ${await load()}\n`);
const dir = await mkdtemp(join(tmpdir(), 'layerbench-stability-'));
try {
  const store = new LocalStore(join(dir, 'store'));
  await prepareExamples(store);
  for (const name of names) {
    const outcomes: Outcome[] = [];
    for (const seed of seeds) {
      const sweep = JSON.parse(await readFile(EXAMPLE_SWEEPS[name], 'utf8')) as { training?: Record<string, unknown> };
      sweep.training = { ...sweep.training, seed };
      const file = join(dir, `${name}-${seed}.json`);
      await writeFile(file, JSON.stringify(sweep));
      const started = performance.now();
      const { stdout } = await run('npx', ['tsx', 'src/cli/main.ts', 'run', file, '--store', store.location, '--workers', workers, '--json', '--quiet'], {
        maxBuffer: 64 << 20,
        env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      });
      const r = JSON.parse(stdout) as {
        answer: { outcome: string };
        recommended: { depth: number; width: number } | null;
        leaderboard: { rows: { depth: number; width: number; approxBest: boolean | null }[] };
      };
      const label = (x: { depth: number; width: number }) => `d${x.depth} w${x.width}`;
      outcomes.push({
        seed,
        outcome: r.answer.outcome,
        recommended: r.recommended ? label(r.recommended) : 'none',
        approxBest: r.leaderboard.rows.filter((x) => x.approxBest).map(label),
        seconds: (performance.now() - started) / 1000,
      });
    }
    const recs = new Set(outcomes.map((o) => o.recommended));
    const equivalent = outcomes.every((o) => outcomes.every((p) => p.approxBest.includes(o.recommended)));
    process.stdout.write(`\n${name}\n`);
    for (const o of outcomes) process.stdout.write(`  seed ${o.seed}: ${o.outcome.padEnd(14)} ${o.recommended.padEnd(8)} ≈ best: ${o.approxBest.join(', ')}  (${o.seconds.toFixed(1)} s)\n`);
    process.stdout.write(
      `  ${recs.size === 1 ? 'the same recommendation every time' : equivalent ? 'different recommendations, each ≈ best in every run' : 'different recommendations, not all equivalent'}\n`,
    );
  }
} finally {
  await rm(dir, { recursive: true, force: true });
  process.stdout.write(`load after: ${await load()}\n`);
}
