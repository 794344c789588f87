/**
 * The progress of `layerbench run` and `status` on stderr: on a terminal a bar, each failure and the
 * steps after training; piped or redirected only the start line, the plan's warnings and one end line
 * (the result on stdout lists the failures); nothing with --quiet. A run with nothing recommended
 * announces no refit.
 */
import { describe, expect, it } from 'vitest';
import { recordingStream } from './helpers/stream.js';
import { createProgressDisplay } from '../src/cli/progress.js';
import type { ProgressEvent } from '../src/workflow/local.js';

/** A run of three candidates, one failing after a retry, then ranking and the refit (`refits` runs to refit). */
function events(refits: number): ProgressEvent[] {
  const runs = [{ runId: 'demo-1', sweep: 'demo', candidates: 3 }];
  return [
    { type: 'planned', plan: { runs, warnings: ['runs/demo-1/candidates/x.json: unreadable, trained again'] }, total: 3 },
    { type: 'candidate', runId: 'demo-1', candidateId: 'dense-d1-w8-aaaa', status: 'succeeded' },
    { type: 'retry', candidateId: 'dense-d1-w16-bbbb', attempt: 2, error: 'WorkerCrashedError: killed' },
    { type: 'candidate', runId: 'demo-1', candidateId: 'dense-d1-w16-bbbb', status: 'failed', reason: 'loss became NaN at epoch 2' },
    { type: 'candidate', runId: 'demo-1', candidateId: 'dense-d2-w8-cccc', status: 'succeeded' },
    { type: 'aggregating' },
    { type: 'finalizing', refits },
  ];
}

function play(tty: boolean, refits: number, quiet = false): string {
  const { s, text } = recordingStream(tty);
  const progress = createProgressDisplay({ stream: s, workers: 2, quiet });
  for (const e of events(refits)) progress.onProgress(e);
  progress.stop();
  progress.stop();
  return text();
}

describe('run progress', () => {
  it('piped: the start line, the warning and one end line — no line per candidate', () => {
    const lines = play(false, 1).trimEnd().split('\n');
    expect(lines).toEqual([
      'warning: runs/demo-1/candidates/x.json: unreadable, trained again',
      'demo-1: training 3 candidates on 2 workers',
      expect.stringMatching(/^3 candidates done \(1 failed\) in \d+s$/),
    ]);
  });

  it('piped, a halving run: the end line counts trainings over the rounds, not candidates', () => {
    const { s, text } = recordingStream(false);
    const progress = createProgressDisplay({ stream: s });
    const done = (candidateId: string): ProgressEvent => ({ type: 'candidate', runId: 'demo-1', candidateId, status: 'succeeded' });
    progress.onProgress({ type: 'planned', plan: { runs: [{ runId: 'demo-1', sweep: 'demo', candidates: 3 }] }, total: 3 });
    for (const e of [done('a'), done('b'), done('c'), { type: 'round', total: 1 } as ProgressEvent, done('a'), { type: 'aggregating' } as ProgressEvent]) progress.onProgress(e);
    progress.stop();
    expect(text().trimEnd().split('\n').at(-1)).toMatch(/^3 candidates over 2 rounds: 4 trainings done \(0 failed\) in \d+s$/);
  });

  it('every line at most 100 columns: a long warning wraps', () => {
    const { s, text } = recordingStream(false);
    const progress = createProgressDisplay({ stream: s });
    const warning = `runs/demo-1/candidates/${'x'.repeat(40)}.json: not valid JSON: it ends early (truncated?); its candidate is trained again`;
    progress.onProgress({ type: 'planned', plan: { runs: [{ runId: 'demo-1', sweep: 'demo', candidates: 1 }], warnings: [warning] }, total: 1 });
    const lines = text().trimEnd().split('\n');
    expect(lines.every((l) => l.length <= 100)).toBe(true);
    expect(lines.slice(0, -1).join(' ').replace(/ +/g, ' ')).toBe(`warning: ${warning}`);
  });

  it('on a terminal: the failure, the retry, ranking and the refit', () => {
    const text = play(true, 1);
    expect(text).toContain('demo-1: training 3 candidates on 2 workers');
    expect(text).toContain('retrying dense-d1-w16-bbbb (attempt 2, WorkerCrashedError: killed)');
    expect(text).toContain('failed dense-d1-w16-bbbb: loss became NaN at epoch 2');
    expect(text).toMatch(/ranking \(\d+s of training\)/);
    expect(text).toContain('refitting the recommended candidate on all non-test rows (the final model)');
    expect(text).not.toMatch(/candidates done/);
  });

  it('nothing recommended (the baseline is the answer): no refit is announced', () => {
    expect(play(true, 0)).not.toContain('refitting');
  });

  it('--quiet: nothing at all', () => {
    expect(play(false, 1, true)).toBe('');
    expect(play(true, 1, true)).toBe('');
  });
});
