/**
 * The nightly guardrail (issue 21): the schedule's runs of one night share one cap on candidates,
 * across every registered sweep and every execution of the schedule that night; a sweep past it is
 * skipped, and the Plan function logs one line per skipped sweep — its key and why, nothing else.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { plan } from '../src/steps/plan.js';
import { keys } from '../src/store/keys.js';
import { LocalStore } from '../src/store/local.js';
import { S3Store } from '../src/store/s3.js';
import { putJson, type Store } from '../src/store/store.js';
import { startS3rver, type S3rverHandle } from './helpers/s3rver.js';

const CSV = `a,b,label\n${Array.from({ length: 40 }, (_, i) => `${i % 7},${(i * 3) % 5},${i % 2 ? 'yes' : 'no'}`).join('\n')}\n`;
const NIGHT = new Date('2026-12-01T03:00:00Z');
const LATER_THAT_NIGHT = new Date('2026-12-01T05:00:00Z');
const NEXT_NIGHT = new Date('2026-12-02T03:00:00Z');

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** Registered sweeps `name → widths` (one depth: a sweep of n widths has n candidates). */
async function register(store: Store, sweeps: Record<string, number[]>): Promise<void> {
  await store.put('datasets/a.csv', CSV);
  for (const [name, width] of Object.entries(sweeps)) {
    await putJson(store, keys.sweep(name), { name, dataset: { key: 'datasets/a.csv', task: 'binary', target: 'label' }, model: { family: 'dense', depth: [1], width }, training: { epochs: 2 } });
  }
}

async function localStore(): Promise<LocalStore> {
  const dir = await mkdtemp(join(tmpdir(), 'layerbench-nightly-'));
  dirs.push(dir);
  return new LocalStore(dir);
}

const schedule = { trigger: 'schedule' as const };

describe('maxCandidatesPerNight', () => {
  it('admits the sweeps in key order while the night stays within the cap and skips the rest, each with its reason', async () => {
    const store = await localStore();
    await register(store, { alpha: [2, 4, 8, 16], beta: [2, 4, 8, 16], gamma: [2, 4] });
    const out = await plan(store, schedule, { now: NIGHT, limits: { maxCandidatesPerNight: 6 } });
    expect(out.runs.map((r) => [r.sweep, r.candidates])).toEqual([
      ['alpha', 4],
      ['gamma', 2],
    ]);
    expect(out.itemCount).toBe(6);
    expect(out.skipped).toEqual([
      {
        key: 'sweeps/beta.json',
        reason: "tonight's nightly runs have 4 candidates, and this sweep's 4 would make 8, more than this deployment allows per night (6, stack context maxCandidatesPerNight)",
      },
    ]);
    // Nothing of the skipped sweep is written.
    expect((await store.list('runs/')).filter((k) => k.includes('beta'))).toEqual([]);
  });

  it('counts what the schedule planned earlier that night: a later execution adds nothing past the cap, the next night starts afresh', async () => {
    const store = await localStore();
    await register(store, { alpha: [2, 4, 8, 16], gamma: [2, 4] });
    await plan(store, schedule, { now: NIGHT, limits: { maxCandidatesPerNight: 7 } });
    await register(store, { delta: [2, 4] }); // registered after the first execution
    const later = await plan(store, schedule, { now: LATER_THAT_NIGHT, limits: { maxCandidatesPerNight: 7 } });
    expect(later.runs.map((r) => [r.sweep, r.duplicate === true])).toEqual([
      ['alpha', true],
      ['gamma', true],
    ]);
    expect(later.itemCount).toBe(0);
    expect(later.skipped).toEqual([{ key: 'sweeps/delta.json', reason: expect.stringMatching(/^tonight's nightly runs have 6 candidates, and this sweep's 2 would make 8, /) }]);
    const next = await plan(store, schedule, { now: NEXT_NIGHT, limits: { maxCandidatesPerNight: 7 } });
    expect(next.runs.map((r) => r.sweep)).toEqual(['alpha', 'delta']);
    expect(next.skipped?.map((s) => s.key)).toEqual(['sweeps/gamma.json']);
  });

  it('is the schedule’s: an upload or the CLI runs a sweep past it (the per-run cap still applies)', async () => {
    const store = await localStore();
    await register(store, { alpha: [2, 4, 8, 16] });
    const out = await plan(store, { trigger: 'upload', key: keys.sweep('alpha'), etag: 'e1' }, { now: NIGHT, limits: { maxCandidatesPerNight: 2 } });
    expect(out.itemCount).toBe(4);
  });

  it('fails the execution, naming every sweep and why, when no sweep fits', async () => {
    const store = await localStore();
    await register(store, { alpha: [2, 4, 8, 16] });
    await expect(plan(store, schedule, { now: NIGHT, limits: { maxCandidatesPerNight: 3 } })).rejects.toThrow(
      /^no registered sweep could run: sweeps\/alpha\.json: tonight's nightly runs have 0 candidates, and this sweep's 4 would make 4, /,
    );
    expect(await store.list('runs/')).toEqual([]);
  });
});

describe('the Plan function’s log of skipped sweeps', () => {
  let s3: S3rverHandle;
  beforeAll(async () => {
    s3 = await startS3rver();
  });
  afterAll(async () => {
    await s3?.stop();
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('is one line per skipped sweep with its key and reason only, and the planned line counts them', async () => {
    await register(new S3Store({ bucket: s3.bucket, prefix: 'nightly', client: s3.client }), { alpha: [2, 4, 8, 16], beta: [2, 4, 8, 16], gamma: [2, 4, 8, 16] });
    for (const [k, v] of Object.entries({ ...s3.env, LAYERBENCH_BUCKET: s3.bucket, LAYERBENCH_PREFIX: 'nightly', LAYERBENCH_MAX_CANDIDATES_PER_NIGHT: '5' })) vi.stubEnv(k, v);
    vi.resetModules();
    const { handler } = await import('../functions/plan/index.js');
    const lines: string[] = [];
    // Powertools writes INFO to stdout and WARN to stderr.
    const capture = (chunk: string | Uint8Array) => (lines.push(String(chunk)), true);
    const spies = [vi.spyOn(process.stdout, 'write').mockImplementation(capture), vi.spyOn(process.stderr, 'write').mockImplementation(capture)];
    let out;
    try {
      out = await handler(schedule);
    } finally {
      spies.forEach((s) => s.mockRestore());
    }
    const logged = lines
      .flatMap((l) => l.split('\n'))
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const skipped = logged.filter((l) => l.message === 'sweep skipped');
    expect(out.skipped?.map((s) => s.key)).toEqual(['sweeps/beta.json', 'sweeps/gamma.json']);
    expect(skipped.map((l) => [l.level, l.key, l.reason])).toEqual(out.skipped!.map((s) => ['WARN', s.key, s.reason]));
    // Nothing of the execution travels with them: no runs, no item list, no input.
    for (const line of skipped) expect(Object.keys(line).filter((k) => ['runs', 'itemsKey', 'items', 'skipped', 'trigger', 'event'].includes(k))).toEqual([]);
    expect(logged.find((l) => l.message === 'planned')).toMatchObject({ skippedSweeps: 2 });
    expect(logged.find((l) => l.message === 'planned')).not.toHaveProperty('skipped');
  });
});
