/**
 * Local stores in fresh temporary directories for one test file: `const tempStore = tempStores('aggregate')`
 * at the top of the file; each call gives a new store, and every directory is removed after the
 * file's tests.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { LocalStore } from '../../src/store/local.js';

export function tempStores(name: string): () => Promise<LocalStore> {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), `layerbench-${name}-`));
    dirs.push(dir);
    return new LocalStore(dir);
  };
}
