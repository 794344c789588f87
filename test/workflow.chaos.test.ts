/**
 * A seeded chaos test of the local workflow: store outages (a read or a write fails, transiently),
 * worker kills (a task dies mid-write, leaving its temp file) and a full disk strike at random points
 * of many runs. Whatever happens, a run ends either with a leaderboard or with one clear error line,
 * never with anything half-written (no temp file, no document that does not parse); and resuming it
 * (as `layerbench run --run-id` does) ends with the very leaderboard an undisturbed run writes.
 *
 * The trainer is the fake one (deterministic scores, no training): what is tested is the workflow
 * around the training, which is where a fault could lose or duplicate work.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LayerbenchError, permanentStoreError, TransientError, WorkerCrashedError } from '../src/errors.js';
import type { Leaderboard } from '../src/results/leaderboard.js';
import { keys } from '../src/store/keys.js';
import { LocalStore, tempFileName } from '../src/store/local.js';
import { getJson, putJson } from '../src/store/store.js';
import { runLocal } from '../src/workflow/local.js';
import { fakeTrainerForTests } from './helpers/fake-trainer.js';
import { separableCsv } from './helpers/tiny-sweep.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** A seeded stream of uniforms in [0, 1) (an LCG: enough to place faults, reproducible from the seed). */
function uniforms(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

interface Chaos {
  /** Chance that one store operation fails transiently (a brief outage). */
  outage: number;
  /** Chance that one write of a run's document finds the disk full (a permanent failure). */
  diskFull: number;
  /** Chance that a Train task's worker is killed while it writes. */
  kill: number;
}

const CALM: Chaos = { outage: 0, diskFull: 0, kill: 0 };

/** A local store whose operations fail as `chaos` says, drawing from `random`. */
class ChaosStore extends LocalStore {
  chaos: Chaos = CALM;
  constructor(
    root: string,
    private readonly random: () => number,
  ) {
    super(root);
  }

  private strike(key: string, write: boolean): void {
    if (this.random() < this.chaos.outage) throw new TransientError(`${key}: the store did not answer (injected outage)`);
    if (write && key.startsWith('runs/') && this.random() < this.chaos.diskFull) throw permanentStoreError('diskFull', join(this.root, key), 'ENOSPC, injected');
  }

  override async get(key: string): Promise<Uint8Array> {
    this.strike(key, false);
    return super.get(key);
  }

  override async put(key: string, body: Uint8Array | string): Promise<void> {
    this.strike(key, true);
    return super.put(key, body);
  }

  override async putIfAbsent(key: string, body: Uint8Array | string): Promise<boolean> {
    this.strike(key, true);
    return super.putIfAbsent(key, body);
  }

  override async list(prefix: string): Promise<string[]> {
    this.strike(prefix, false);
    return super.list(prefix);
  }
}

/** A process id no process has any more: the writer of a temp file a killed worker left. */
const DEAD_PID = spawnSync(process.execPath, ['-e', '0']).pid;

const SWEEP = {
  name: 'chaos',
  dataset: { key: 'datasets/ab.csv', task: 'binary', target: 'label' },
  model: { family: 'dense', depth: [1, 2], width: [2, 4, 8] },
  training: { epochs: 2 },
};

async function sweepStore(seed: number): Promise<ChaosStore> {
  const dir = await mkdtemp(join(tmpdir(), 'layerbench-chaos-'));
  dirs.push(dir);
  const store = new ChaosStore(dir, uniforms(seed));
  await store.put('datasets/ab.csv', separableCsv(80, 3));
  await putJson(store, keys.sweep('chaos'), SWEEP);
  return store;
}

/** One execution of the sweep (or a resume of `runId`) under the store's chaos: its run id and leaderboard, or the error it ended with. */
async function execute(store: ChaosStore, random: () => number, runId?: string): Promise<{ runId: string | undefined; leaderboard?: Leaderboard; error?: unknown }> {
  const trainer = fakeTrainerForTests(store);
  try {
    const out = await runLocal({
      store,
      input: { trigger: 'cli', key: keys.sweep('chaos'), ...(runId ? { runId } : {}) },
      workers: 2,
      retryIntervalMs: 1,
      testTrainer: async (item) => {
        if (random() < store.chaos.kill) {
          // Killed mid-write: the document's temp file stays behind, named for its (now dead) writer.
          const doc = join(store.root, keys.candidate(item.runId, item.candidateId));
          await mkdir(dirname(doc), { recursive: true });
          await writeFile(tempFileName(doc, DEAD_PID), '{"schema":"layer');
          throw new WorkerCrashedError(`${item.candidateId}: its worker process died while training it (injected kill)`);
        }
        return trainer(item);
      },
    });
    const id = out.runs[0]!.runId;
    return { runId: id, leaderboard: await getJson<Leaderboard>(new LocalStore(store.root), keys.leaderboard(id, 'json')) };
  } catch (error) {
    const [id] = (await new LocalStore(store.root).list('runs/')).map((k) => k.split('/')[1]).filter((k) => k !== undefined);
    return { runId: id ?? runId, error };
  }
}

/** What must hold whenever an execution has ended: no temp file anywhere, every JSON document parses. */
async function nothingHalfWritten(root: string): Promise<string[]> {
  const bad: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.name.endsWith('.tmp')) bad.push(`${path}: a temp file`);
      else if (entry.name.endsWith('.json')) {
        try {
          JSON.parse(await readFile(path, 'utf8'));
        } catch {
          bad.push(`${path}: does not parse`);
        }
      }
    }
  };
  await walk(root);
  return bad;
}

/** The part of a leaderboard that faults must not change: who ranks where, with which score. */
const standings = (lb: Leaderboard) => lb.rows.map((r) => ({ rank: r.rank, candidateId: r.candidateId, mean: r.metric.mean, status: 'succeeded' }));

describe('chaos: outages, killed workers and a full disk at seeded random points', () => {
  it('every run ends with a leaderboard or one clear error, nothing half-written, and resumes to the undisturbed leaderboard', async () => {
    const calm = await sweepStore(1);
    const reference = await execute(calm, uniforms(1));
    expect(reference.error).toBeUndefined();
    const expected = standings(reference.leaderboard!);
    expect(expected).toHaveLength(6);

    const seen = { errors: 0, killedCandidates: 0, resumes: 0 };
    for (let seed = 11; seed <= 22; seed++) {
      const random = uniforms(seed * 7919);
      const store = await sweepStore(seed);
      store.chaos = { outage: 0.04, diskFull: seed % 3 === 0 ? 0.05 : 0, kill: 0.15 };
      let runId: string | undefined;
      let last: Awaited<ReturnType<typeof execute>> | undefined;
      for (let attempt = 0; attempt < 8; attempt++) {
        if (attempt >= 4) store.chaos = CALM; // the outage is over: the last resumes run undisturbed
        last = await execute(store, random, runId);
        runId ??= last.runId;
        if (attempt > 0) seen.resumes++;
        expect(await nothingHalfWritten(store.root), `seed ${seed}, attempt ${attempt}`).toEqual([]);
        if (last.error !== undefined) {
          // A clear error: one of ours, on one line.
          seen.errors++;
          expect(last.error, `seed ${seed}: ${String(last.error)}`).toBeInstanceOf(LayerbenchError);
          expect((last.error as Error).message, `seed ${seed}`).not.toMatch(/\n/);
          // (A leaderboard may exist: Aggregate wrote it whole before Finalize or Report met the fault.)
          continue;
        }
        const failed = last.leaderboard!.failed;
        seen.killedCandidates += failed.length;
        // A killed candidate (or one whose store stayed away) is recorded failed with its reason, never lost.
        for (const f of failed) expect(f.reason).toMatch(/worker process died|did not answer \(injected outage\)/);
        if (failed.length === 0) break;
      }
      expect(last?.error, `seed ${seed}`).toBeUndefined();
      expect(standings(last!.leaderboard!), `seed ${seed}`).toEqual(expected);
    }
    // The faults struck: the test would pass vacuously otherwise.
    expect(seen.errors).toBeGreaterThan(0);
    expect(seen.killedCandidates).toBeGreaterThan(0);
    expect(seen.resumes).toBeGreaterThan(0);
  }, 600_000);
});
