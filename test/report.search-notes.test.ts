/**
 * The lines about a search in rounds: what it used of the grid, and — when it cost more than the grid
 * although it trained fewer epochs — why, and that the grid is the cheaper search for such candidates.
 */
import { describe, expect, it } from 'vitest';
import type { SearchSummary } from '../src/results/leaderboard.js';
import { searchNotes } from '../src/report/leaderboard-text.js';

const search = (used: { epochs: number; cpuSeconds: number; usd: number }, grid: { epochs: number; cpuSeconds: number; usd: number }): SearchSummary => ({
  strategy: 'halving',
  eta: 3,
  budgets: [1, 3, 9, 27],
  rounds: [
    { round: 0, epochs: 1, trained: 81, promoted: 54 },
    { round: 1, epochs: 3, trained: 54, promoted: 36 },
    { round: 2, epochs: 9, trained: 36, promoted: 24 },
    { round: 3, epochs: 27, trained: 24, promoted: null },
  ],
  stopped: [],
  epochsTrained: used.epochs,
  gridEpochs: 6561,
  ended: null,
  compute: { used, grid, unmeasured: 0 },
});

const notes = (s: SearchSummary) => searchNotes({ search: s, cost: undefined, rows: [], candidates: 81 });

describe('searchNotes', () => {
  it('says why a search that trained fewer epochs cost more than the grid, and what is cheaper', () => {
    const lines = notes(search({ epochs: 1845, cpuSeconds: 15.9, usd: 0.0155 }, { epochs: 4271, cpuSeconds: 13.5, usd: 0.0066 }));
    expect(lines[1]).toBe(
      "halving used 118 % of the grid's compute: 15.9 of about 13.5 CPU-seconds, 1,845 of about 4,271 epochs (43 %) and $0.0155 of about $0.0066 (235 %); the full grid's figures are estimated from what these candidates measured per epoch and per task.",
    );
    expect(lines[2]).toBe(
      `halving cost more than the grid would have: its 3 more rounds add 12 state transitions and 6 Lambda requests to the run (the Map, Aggregate, the Choice and Promote, each round), and it trained in 195 tasks (one per candidate and round) against the grid's 81, each paying what it spends whatever it trains — starting, scoring, writing its results, its Map child execution; these outweighed the epochs it saved. A whole candidate of this sweep trains in about 0.17 CPU-seconds: for candidates this quick, search.strategy "grid" is the cheaper search.`,
    );
  });

  it('when only the dollars are dearer (it used less CPU), the per-task share is its requests and child executions', () => {
    const lines = notes(search({ epochs: 681, cpuSeconds: 3.4, usd: 0.0007 }, { epochs: 5815, cpuSeconds: 15, usd: 0.00067 }));
    expect(lines[2]).toContain('its 3 more rounds add 12 state transitions and 6 Lambda requests to the run');
    expect(lines[2]).toContain("against the grid's 81, each paying a request and its Map child execution; these outweighed the epochs it saved.");
  });

  it('says nothing more when the search saved', () => {
    const lines = notes(search({ epochs: 1845, cpuSeconds: 40, usd: 0.02 }, { epochs: 6000, cpuSeconds: 120, usd: 0.05 }));
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^halving used 33 % of the grid's compute/);
  });
});
