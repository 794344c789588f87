/**
 * The layering docs/architecture.md draws, kept true: dependency-cruiser checks every import of src/,
 * infra/ and functions/ against the rules in .dependency-cruiser.cjs (no circle, src never imports
 * infra, the statistics and the other foundations import nothing above them, the report reads
 * documents only). A new import that breaks a rule fails here, naming the rule and the two files.
 */
import { createRequire } from 'node:module';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);

describe('the layers', () => {
  it('no import breaks a rule of .dependency-cruiser.cjs', async () => {
    const config = require('../.dependency-cruiser.cjs') as { forbidden: unknown[]; options: Record<string, unknown> };
    expect(config.forbidden.length).toBeGreaterThanOrEqual(8);
    const result = await cruise(['src', 'infra', 'functions'], { ...config.options, validate: true, ruleSet: { forbidden: config.forbidden } } as never);
    const output = result.output as ICruiseResult;
    const broken = output.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}${v.cycle ? ` (${v.cycle.map((c) => c.name).join(' → ')})` : ''}`);
    expect(broken).toEqual([]);
    // The rules read what they govern: every layer's folder was cruised.
    const modules = new Set(output.modules.map((m) => m.source));
    for (const dir of ['src/stats/', 'src/report/', 'src/steps/', 'src/workflow/', 'infra/', 'functions/']) expect([...modules].some((m) => m.startsWith(dir))).toBe(true);
  }, 120_000);
});
