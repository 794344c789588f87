import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { workerEntry } from '../src/workflow/worker-entry.js';

describe('the pool worker entry', () => {
  it('is the worker bundled into one CommonJS file, started without tsx, listing its sources for rebuilds', async () => {
    const entry = workerEntry();
    expect(entry.kind).toBe('bundle');
    expect(entry.execArgv).not.toContain('--import'); // no tsx
    const bundle = fileURLToPath(entry.filename);
    expect(bundle.endsWith('.cjs')).toBe(true);
    expect((await stat(bundle)).size).toBeGreaterThan(0);
    const manifest = JSON.parse(await readFile(bundle.replace(/\.cjs$/, '.json'), 'utf8')) as { inputs: string[] };
    expect(manifest.inputs).toContain(fileURLToPath(new URL('../src/workflow/worker.ts', import.meta.url)));
    expect(manifest.inputs).toContain(fileURLToPath(new URL('../src/steps/train.ts', import.meta.url)));
  });

  it('exports the task handler the way tinypool looks it up (default export)', async () => {
    // tinypool's lookup (getHandler): the default export unless it is a function's holder, then its `default`.
    const mod = (await import(workerEntry().filename)) as Record<string, unknown>;
    let handler: unknown = (typeof mod['default'] !== 'function' && mod['default']) || mod;
    if (typeof handler !== 'function') handler = (handler as Record<string, unknown>)['default'];
    expect(typeof handler).toBe('function');
  });
});
