/**
 * Exactly once, proven against real stores (issue 21): S3 delivers an upload event at least once, and
 * each delivery starts an execution. Duplicates arriving together race for the run: Plan claims it by
 * creating runs/<runId>/run.json only if it is absent (Store.putIfAbsent: S3 PutObject with
 * `If-None-Match: *`, a hard link locally). A store that honours the condition lets exactly one
 * execution plan and train the run; one that ignores it (plain s3rver) lets every duplicate train
 * every candidate again — the same documents, for N times the cost. docs/deploy.md says so.
 *
 * The executions are the local workflow (the deployed state machine definition) with the test-only
 * fake trainer; a barrier holds each execution's claim until all have made theirs, so the race is
 * the worst case every time, not a matter of timing.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Leaderboard } from '../src/results/leaderboard.js';
import { keys } from '../src/store/keys.js';
import { LocalStore } from '../src/store/local.js';
import { S3Store } from '../src/store/s3.js';
import { getJson, putJson, type Store } from '../src/store/store.js';
import type { WorkItem } from '../src/steps/types.js';
import { runLocal } from '../src/workflow/local.js';
import { fakeTrainerForTests } from './helpers/fake-trainer.js';
import { startS3rver, type S3rverHandle } from './helpers/s3rver.js';
import { TINY_DATASET_KEY, TINY_SWEEP_KEY, tinySweep, tinyWeatherCsv } from './helpers/tiny-sweep.js';

const DUPLICATES = 3;
const EVENT = { trigger: 'upload' as const, key: TINY_SWEEP_KEY, etag: 'etag-1' };

let honouring: S3rverHandle;
let ignoring: S3rverHandle;
const dirs: string[] = [];
beforeAll(async () => {
  [honouring, ignoring] = await Promise.all([startS3rver(), startS3rver({ conditionalWrites: false })]);
});
afterAll(async () => {
  await Promise.all([honouring?.stop(), ignoring?.stop(), ...dirs.map((d) => rm(d, { recursive: true, force: true }))]);
});

/** How long the barrier waits for every execution's claim before it fails the claims that came, naming how many did. */
const CLAIMS_WAIT_MS = 60_000;

/** The store, with every conditional create of a run manifest held until `n` of them have arrived. */
function claimsTogether(store: Store, n: number): Store {
  let waiting: (() => void)[] = [];
  let failWaiting: ((e: Error) => void)[] = [];
  let timer: NodeJS.Timeout | undefined;
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop !== 'putIfAbsent') return Reflect.get(target, prop, receiver) as unknown;
      return async (key: string, body: Uint8Array | string, type?: string) => {
        if (/^runs\/[^/]+\/run\.json$/.test(key)) {
          await new Promise<void>((release, fail) => {
            waiting.push(release);
            failWaiting.push(fail);
            timer ??= setTimeout(() => {
              const e = new Error(`only ${waiting.length} of ${n} executions reached Plan's claim of ${key} in ${CLAIMS_WAIT_MS / 1000} s`);
              for (const f of failWaiting) f(e);
            }, CLAIMS_WAIT_MS);
            if (waiting.length === n) {
              clearTimeout(timer);
              timer = undefined;
              waiting.forEach((r) => r());
              waiting = [];
              failWaiting = [];
            }
          });
        }
        return target.putIfAbsent(key, body, type);
      };
    },
  });
}

async function duplicateEvents(store: Store, events = DUPLICATES) {
  await store.put(TINY_DATASET_KEY, tinyWeatherCsv());
  await putJson(store, TINY_SWEEP_KEY, tinySweep);
  const trained: WorkItem[] = [];
  const fake = fakeTrainerForTests(store);
  const racing = claimsTogether(store, events);
  const executions = await Promise.all(
    Array.from({ length: events }, () =>
      runLocal({
        store: racing,
        input: EVENT,
        workers: 2,
        testTrainer: (item) => {
          trained.push(item);
          return fake(item);
        },
      }),
    ),
  );
  const runIds = new Set(executions.map((e) => e.runs[0]!.runId));
  expect(runIds.size).toBe(1);
  const runId = [...runIds][0]!;
  const lb = await getJson<Leaderboard>(store, keys.leaderboard(runId, 'json'));
  return { executions, trained, runId, ranking: lb.rows.map((r) => [r.candidateId, r.metric.mean]) };
}

async function localStore(): Promise<LocalStore> {
  const dir = await mkdtemp(join(tmpdir(), 'layerbench-exactly-once-'));
  dirs.push(dir);
  return new LocalStore(dir);
}

let n = 0;
const s3Store = (s3: S3rverHandle) => new S3Store({ bucket: s3.bucket, prefix: `once${++n}`, client: s3.client });

describe(`${DUPLICATES} duplicate upload events at once`, () => {
  it.each([
    ['the local store (a hard link: exclusive create)', localStore],
    ['S3 with If-None-Match honoured (s3rver answering 412 as S3 does)', async () => s3Store(honouring)],
  ])('on %s: one execution plans and trains the run, the others report it as a duplicate', async (_name, open) => {
    const { executions, trained, ranking } = await duplicateEvents(await open());
    expect(executions.map((e) => e.runs[0]!.duplicate === true).sort()).toEqual([false, ...Array(DUPLICATES - 1).fill(true)]);
    expect(executions.map((e) => e.plan.itemCount).sort()).toEqual([...Array(DUPLICATES - 1).fill(0), tinySweep.model.width.length]);
    // Each candidate trained exactly once.
    expect(trained.map((i) => i.candidateId).sort()).toEqual([...new Set(trained.map((i) => i.candidateId))].sort());
    expect(trained).toHaveLength(tinySweep.model.width.length);
    expect(ranking).toHaveLength(tinySweep.model.width.length);
  });

  it('on a store that ignores If-None-Match (plain s3rver): every execution claims the run and trains every candidate again — the same leaderboard, N times the work', async () => {
    const once = await duplicateEvents(s3Store(ignoring), 1);
    const { executions, trained, ranking } = await duplicateEvents(s3Store(ignoring));
    expect(executions.map((e) => e.runs[0]!.duplicate === true)).toEqual(Array(DUPLICATES).fill(false));
    expect(trained).toHaveLength(DUPLICATES * tinySweep.model.width.length);
    expect(ranking).toEqual(once.ranking);
  });
});
