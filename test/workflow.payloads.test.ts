/** Every step parses its input with its payload's schema at the boundary: a bad payload is one fatal line naming the field, and nothing is written. */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SpecError } from '../src/errors.js';
import { aggregate } from '../src/steps/aggregate.js';
import { finalize } from '../src/steps/finalize.js';
import { plan } from '../src/steps/plan.js';
import { promote } from '../src/steps/promote.js';
import { recordFailure } from '../src/steps/record-failure.js';
import { report } from '../src/steps/report.js';
import { train } from '../src/steps/train.js';
import { LocalStore } from '../src/store/local.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const summary = { runId: 'r1', sweep: 's', leaderboardKey: 'runs/r1/leaderboard.json', succeeded: 1, failed: 0 };

// Each call: the step, a payload with one bad field, and the line it must fail with.
const cases: [string, (store: LocalStore) => Promise<unknown>, RegExp][] = [
  ['Plan', (s) => plan(s, { trigger: 'nightly' } as never), /^Plan input\.trigger: Invalid option: expected one of "cli"\|"upload"\|"schedule"$/],
  ['Train', (s) => train(s, { runId: 'r1' } as never), /^Train input\.candidateId: Invalid input: expected string, received undefined$/],
  ['Train', (s) => train(s, { runId: 'r1', candidateId: '../../etc/passwd' }), /^Train input\.candidateId: must be a candidate id: letters, digits/],
  ['Train', (s) => train(s, { runId: 'r1', candidateId: 'c1', round: -1 }), /^Train input\.round: Too small: expected number to be >=0$/],
  ['RecordFailure', (s) => recordFailure(s, { runId: 'r1', candidateId: 'c1' } as never), /^RecordFailure input\.error: Invalid input: expected object, received undefined$/],
  ['Aggregate', (s) => aggregate(s, { runs: [{ runId: 'r1', sweep: 's' }] } as never), /^Aggregate input\.runs\[0\]\.candidates: Invalid input: expected number, received undefined$/],
  ['Aggregate', (s) => aggregate(s, {} as never), /^Aggregate input\.runs: Invalid input: expected array, received undefined$/],
  ['Promote', (s) => promote(s, { runs: 'r1' } as never), /^Promote input\.runs: Invalid input: expected array, received string$/],
  ['Finalize', (s) => finalize(s, { runs: [{ ...summary, succeeded: '1' }] } as never), /^Finalize input\.runs\[0\]\.succeeded: Invalid input: expected number, received string$/],
  ['Report', (s) => report(s, { runs: [{ ...summary, runId: 'a/b' }] }), /^Report input\.runs\[0\]\.runId: must be a run id/],
  ['Report', (s) => report(s, { runs: [summary], finalizeError: 'boom' } as never), /^Report input\.finalizeError: Invalid input: expected object, received string$/],
];

describe('a step given a bad payload', () => {
  it.each(cases)('%s fails with one line naming the field, writing nothing', async (_step, call, message) => {
    const dir = await mkdtemp(join(tmpdir(), 'layerbench-payloads-'));
    dirs.push(dir);
    const store = new LocalStore(dir);
    const err = await call(store).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpecError);
    expect((err as SpecError).kind).toBe('fatal');
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('\n');
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('a good payload passes through unchanged', () => {
  it('keeps a run summary field the schema does not name (a newer step’s), for the states after', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'layerbench-payloads-'));
    dirs.push(dir);
    const out = await finalize(new LocalStore(dir), { runs: [{ ...summary, duplicate: true, futureField: 1 } as never] });
    expect(out.runs[0]).toEqual({ ...summary, duplicate: true, futureField: 1 });
  });
});
