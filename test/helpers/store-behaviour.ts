/**
 * The Store contract as a test suite, run against every implementation (local directory, S3 on
 * s3rver). Call `describeStoreBehaviour(name, freshStore)` inside a test file; `freshStore` must
 * return an empty store for each test. `conditionalWrites: false` skips what a server that ignores
 * `If-None-Match` cannot show (plain s3rver 3.7 accepts every conditional PUT; the test server of
 * test/helpers/s3rver.ts honours it unless told not to).
 */
import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../../src/errors.js';
import { getJson, getText, putJson, type Store } from '../../src/store/store.js';

export function describeStoreBehaviour(name: string, freshStore: () => Promise<Store>, opts: { conditionalWrites?: boolean } = {}): void {
  describe(`${name}: Store contract`, () => {
    it.runIf(opts.conditionalWrites ?? true)('putIfAbsent creates a free key once and leaves an existing one alone', async () => {
      const store = await freshStore();
      const first = await store.putIfAbsent('runs/r1/run.json', 'first');
      const second = await store.putIfAbsent('runs/r1/run.json', 'second');
      expect([first, second]).toEqual([true, false]);
      expect(await getText(store, 'runs/r1/run.json')).toBe('first');
      expect(await store.list('')).toEqual(['runs/r1/run.json']);
    });

    it.runIf(opts.conditionalWrites ?? true)('of 16 simultaneous putIfAbsent calls for one key exactly one wins, and its body stays', async () => {
      const store = await freshStore();
      const won = await Promise.all(Array.from({ length: 16 }, (_, i) => store.putIfAbsent('runs/r1/run.json', `claim ${i}`)));
      expect(won.filter(Boolean)).toHaveLength(1);
      expect(await getText(store, 'runs/r1/run.json')).toBe(`claim ${won.indexOf(true)}`);
      expect(await store.list('')).toEqual(['runs/r1/run.json']);
    });

    it('round-trips bytes exactly, including non-UTF-8 values', async () => {
      const store = await freshStore();
      const bytes = new Uint8Array([0, 1, 2, 127, 128, 200, 255, 0xc3, 0x28]);
      await store.put('models/a/weights.bin', bytes);
      expect(await store.get('models/a/weights.bin')).toEqual(bytes);
    });

    it('round-trips text and JSON', async () => {
      const store = await freshStore();
      await store.put('notes/é.txt', 'héllo, wörld\n');
      await putJson(store, 'runs/r1/run.json', { depth: 3, widths: [64, 32] });
      expect(await getText(store, 'notes/é.txt')).toBe('héllo, wörld\n');
      expect(await getJson(store, 'runs/r1/run.json')).toEqual({ depth: 3, widths: [64, 32] });
    });

    it('round-trips an empty object', async () => {
      const store = await freshStore();
      await store.put('empty.txt', '');
      expect(await store.get('empty.txt')).toEqual(new Uint8Array());
      expect(await store.exists('empty.txt')).toBe(true);
    });

    it('overwrites an existing key with the new content', async () => {
      const store = await freshStore();
      await store.put('sweeps/s.json', 'old');
      await store.put('sweeps/s.json', 'new');
      expect(await getText(store, 'sweeps/s.json')).toBe('new');
    });

    it('says whether a key exists', async () => {
      const store = await freshStore();
      await store.put('datasets/a.csv', 'x,y\n1,2\n');
      expect(await store.exists('datasets/a.csv')).toBe(true);
      expect(await store.exists('datasets/b.csv')).toBe(false);
      expect(await store.exists('datasets')).toBe(false);
    });

    it('throws NotFoundError naming the key for a missing get or version', async () => {
      const store = await freshStore();
      const get = store.get('runs/r1/missing.json');
      await expect(get).rejects.toBeInstanceOf(NotFoundError);
      await expect(get).rejects.toMatchObject({ key: 'runs/r1/missing.json', kind: 'fatal' });
      await expect(store.version('runs/r1/missing.json')).rejects.toBeInstanceOf(NotFoundError);
    });

    it('lists every key under a prefix, sorted, and nothing outside it', async () => {
      const store = await freshStore();
      for (const k of ['runs/r1/leaderboard.json', 'runs/r1/candidates/b.json', 'runs/r10/candidates/z.json', 'runs/r1/candidates/a.json', 'datasets/x.csv']) {
        await store.put(k, k);
      }
      expect(await store.list('runs/r1/candidates/')).toEqual(['runs/r1/candidates/a.json', 'runs/r1/candidates/b.json']);
      expect(await store.list('runs/r1/')).toEqual(['runs/r1/candidates/a.json', 'runs/r1/candidates/b.json', 'runs/r1/leaderboard.json']);
      expect(await store.list('runs/r1')).toHaveLength(4);
      expect(await store.list('')).toHaveLength(5);
      expect(await store.list('nothing/here/')).toEqual([]);
    });

    it('deletes an object, and deleting one that is not there is no error', async () => {
      const store = await freshStore();
      await store.put('runs/r1/checkpoints/a.ckpt', new Uint8Array([1]));
      await store.put('runs/r1/checkpoints/b.ckpt', new Uint8Array([2]));
      await store.delete('runs/r1/checkpoints/a.ckpt');
      await store.delete('runs/r1/checkpoints/a.ckpt');
      await store.delete('runs/r9/checkpoints/none.ckpt');
      expect(await store.exists('runs/r1/checkpoints/a.ckpt')).toBe(false);
      expect(await store.list('')).toEqual(['runs/r1/checkpoints/b.ckpt']);
    });

    it('gives a version that depends on the content only', async () => {
      const store = await freshStore();
      await store.put('a.json', '{"v":1}');
      await store.put('b.json', '{"v":1}');
      const v1 = await store.version('a.json');
      expect(v1).toMatch(/^[0-9a-f]{8,}$/);
      expect(await store.version('a.json')).toBe(v1);
      expect(await store.version('b.json')).toBe(v1);
      await store.put('a.json', '{"v":2}');
      expect(await store.version('a.json')).not.toBe(v1);
    });

    it.each(['../escape.json', '/abs/key.json', 'runs/../../x.json', 'runs/./x.json', ''])('refuses the key %j for every operation and writes nothing', async (bad) => {
      const store = await freshStore();
      await expect(store.put(bad, 'x')).rejects.toThrow(/: not a store key \(keys are relative/);
      await expect(store.putIfAbsent(bad, 'x')).rejects.toThrow(/: not a store key \(keys are relative/);
      await expect(store.get(bad)).rejects.toThrow(/: not a store key \(keys are relative/);
      await expect(store.version(bad)).rejects.toThrow(/: not a store key \(keys are relative/);
      await expect(store.delete(bad)).rejects.toThrow(/: not a store key \(keys are relative/);
      expect(await store.list('')).toEqual([]);
    });
  });
}
