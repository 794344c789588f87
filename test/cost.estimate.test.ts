import { describe, expect, it } from 'vitest';
import { candidateCost, runCost, runOverhead } from '../src/cost/estimate.js';
import { parsePriceOverrides, priceTable, PRICES } from '../src/cost/prices.js';
import type { Compute } from '../src/cost/compute.js';

const lambda: Compute = { tasks: 2, taskSeconds: 100, cpuSeconds: 90, platform: 'lambda', memoryMb: 2048, architecture: 'arm64' };
const local: Compute = { tasks: 1, taskSeconds: 30, cpuSeconds: 20, platform: 'local', memoryMb: null, architecture: 'x86_64' };

describe('the price table', () => {
  it('names its region and date; overriding a price without saying where from marks it custom', () => {
    expect(priceTable()).toEqual(PRICES);
    expect(PRICES).toMatchObject({ region: 'us-east-1', date: '2026-11' });
    expect(priceTable({ memoryMb: 4096 })).toMatchObject({ region: 'us-east-1', memoryMb: 4096 });
    expect(priceTable({ lambdaRequest: 0 })).toMatchObject({ region: 'custom', date: 'as given', lambdaRequest: 0 });
    expect(priceTable({ region: 'eu-west-1', date: '2026-10', lambdaGbSecondArm64: 1e-5 })).toMatchObject({ region: 'eu-west-1', date: '2026-10' });
  });

  it('refuses overrides it does not know, naming where they came from', () => {
    expect(() => parsePriceOverrides('{"lambdaGbSecond": 1}', '--prices')).toThrow(/^--prices: unknown price "lambdaGbSecond"; known: region, date, /);
    expect(() => parsePriceOverrides('{"stateTransition": -1}', 'context prices')).toThrow(/^context prices: stateTransition: /);
    expect(() => parsePriceOverrides('{', '--prices')).toThrow(/^--prices: not valid JSON/);
  });
});

describe('cost estimates', () => {
  it('a Lambda candidate in Standard children: GB-seconds at its memory and architecture, one request and two transitions per task', () => {
    const prices = priceTable({ mapExecution: 'standard' });
    const c = candidateCost(lambda, prices);
    expect(c.gbSeconds).toBe(200);
    expect(c.requests).toBe(2);
    expect(c.transitions).toBe(2 * 2);
    expect(c.usd).toBeCloseTo(200 * prices.lambdaGbSecondArm64 + 2 * prices.lambdaRequest + 4 * prices.stateTransition, 12);
  });

  it('in Express children (the default): no transitions, one Express request per task and its duration at 64 MB', () => {
    const prices = priceTable();
    expect(prices.mapExecution).toBe('express');
    const c = candidateCost(lambda, prices);
    expect(c.transitions).toBe(0);
    const children = 2 * prices.expressRequest + (100 + 2 * 0.05) * (64 / 1024) * prices.expressGbSecond;
    expect(c.usd).toBeCloseTo(200 * prices.lambdaGbSecondArm64 + 2 * prices.lambdaRequest + children, 12);
    // A Standard child's two transitions cost 50 times an Express child's request.
    expect(candidateCost(lambda, priceTable({ mapExecution: 'standard' })).usd - c.usd).toBeCloseTo(4 * prices.stateTransition - children, 12);
  });

  it('a local candidate: its CPU-seconds priced as the table says (2 GB arm64 by default, or as overridden)', () => {
    const c = candidateCost(local, priceTable());
    expect(c.seconds).toBe(20);
    expect(c.gbSeconds).toBe(40);
    const x86 = candidateCost(local, priceTable({ architecture: 'x86_64', memoryMb: 1024, mapExecution: 'standard' }));
    expect(x86.usd).toBeCloseTo(20 * PRICES.lambdaGbSecondX86 + PRICES.lambdaRequest + 2 * PRICES.stateTransition, 12);
  });

  it("a run adds its steps' requests and transitions, and leaves out documents without a compute record", () => {
    const prices = priceTable();
    const doc = (id: string, compute?: Compute) => ({ candidate: { id }, compute }) as Parameters<typeof runCost>[0][number];
    const r = runCost([doc('a', lambda), doc('b', local), doc('c')], prices, 3);
    expect(r.basis).toBe('mixed');
    expect(r.unmeasured).toBe(1);
    expect([...r.candidates.keys()]).toEqual(['a', 'b']);
    // Plan; 3 × (Map, Aggregate, Choice); 2 Promote; Finalize, Report.
    expect(runOverhead(3, prices)).toMatchObject({ transitions: 1 + 9 + 2 + 2, requests: 1 + 3 + 2 + 2 });
    expect(r.total.usd).toBeCloseTo(r.training.usd + r.overhead.usd, 12);
  });
});
