/** How many workers a run starts: cores by default, more only when asked (warned), capped per core, by free memory and by candidates. */
import { describe, expect, it } from 'vitest';
import { MAX_WORKERS_PER_CORE, WORKER_BASE_BYTES, workerCount } from '../src/workflow/pool.js';

const GiB = 2 ** 30;
const plenty = { cores: 2, availableBytes: 64 * GiB, candidateBytes: 10 * 2 ** 20 };

describe('workerCount', () => {
  it('starts one worker per core by default, with nothing to say', () => {
    expect(workerCount({ ...plenty, candidates: 12 })).toEqual({ workers: 2, notes: [] });
  });

  it('starts no more workers than there are candidates', () => {
    expect(workerCount({ ...plenty, candidates: 1 })).toEqual({ workers: 1, notes: [] });
    expect(workerCount({ ...plenty, requested: 8, candidates: 1 }).workers).toBe(1);
  });

  it('starts more workers than cores when asked, with a warning', () => {
    expect(workerCount({ ...plenty, requested: 4, candidates: 12 })).toEqual({
      workers: 4,
      notes: ['--workers 4: more workers than the 2 cores here; each candidate trains slower and its timings are noisier'],
    });
  });

  it(`never starts more than ${MAX_WORKERS_PER_CORE} per core (--workers 1000 used to start 45 processes for one candidate)`, () => {
    expect(workerCount({ ...plenty, requested: 1000, candidates: 600 })).toEqual({
      workers: 2 * MAX_WORKERS_PER_CORE,
      notes: [`--workers 1000: more than ${MAX_WORKERS_PER_CORE} per core only slows every candidate; using ${2 * MAX_WORKERS_PER_CORE} (2 cores here)`],
    });
  });

  it('starts only as many workers as fit in free memory, each with its largest candidate', () => {
    const r = workerCount({ cores: 8, candidates: 20, availableBytes: 4 * GiB, candidateBytes: GiB - WORKER_BASE_BYTES });
    expect(r.workers).toBe(4);
    expect(r.notes).toEqual(['8 workers do not fit in the 4.0 GiB of free memory (about 1.0 GiB each); using 4']);
    expect(workerCount({ cores: 8, candidates: 20, availableBytes: GiB / 2, candidateBytes: GiB }).workers).toBe(1);
  });

  it('counts the memory of the workers started before the sweep was read as theirs, not as taken', () => {
    const each = GiB - WORKER_BASE_BYTES; // a worker with its largest candidate: 1 GiB
    const left = 4 * GiB - 2 * WORKER_BASE_BYTES; // what the OS reports with two workers started

    expect(workerCount({ cores: 8, candidates: 20, availableBytes: left, candidateBytes: each }).workers).toBe(3);
    expect(workerCount({ cores: 8, candidates: 20, availableBytes: left, candidateBytes: each, started: 2 }).workers).toBe(4);
  });
});
