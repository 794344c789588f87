/**
 * The paired comparison's per-process spread (benchmarks/engine.ts processMedians,
 * benchmarks/bench-report.ts spread): each process's own medians, and their lowest and highest,
 * so a report shows a host that runs whole processes at one of two speeds.
 */
import { describe, expect, it } from 'vitest';
import { spread } from '../benchmarks/bench-report.js';
import { processMedians } from '../benchmarks/engine.js';

describe('per-process spread of a paired comparison', () => {
  it('takes each process’s median, wall and per CPU-second, in order', () => {
    const processes = processMedians([{ runs: [3000, 3200, 3100], cpuRuns: [3300, 3400, 3350] }, { runs: [5000, 5200], cpuRuns: [5100, 5300] }, { runs: [4000] }]);
    expect(processes).toEqual([{ median: 3100, cpuMedian: 3350 }, { median: 5100, cpuMedian: 5200 }, { median: 4000 }]);
  });

  it('reports the lowest and highest process median on each measure', () => {
    const text = spread([{ median: 3100, cpuMedian: 3350 }, { median: 5100, cpuMedian: 5200 }, { median: 4000 }]);
    expect(text).toBe('3,100–5,100 over 3 processes, per CPU-second 3,350–5,200');
    expect(spread([{ median: 4000 }])).toBe('4,000–4,000 over 1 process');
    expect(spread(undefined)).toBe('–');
  });
});
