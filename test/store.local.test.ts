import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalStore, needsFlush, tempFileName } from '../src/store/local.js';
import { keys } from '../src/store/keys.js';
import { describeStoreBehaviour } from './helpers/store-behaviour.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'layerbench-local-store-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describeStoreBehaviour('LocalStore', async () => new LocalStore(await tempDir()));

describe('LocalStore on disk', () => {
  it('maps keys onto files under its root', async () => {
    const root = await tempDir();
    const store = new LocalStore(root);
    await store.put('runs/r1/candidates/a.json', '{"ok":true}');
    expect(store.location).toBe(root);
    expect(await readFile(join(root, 'runs', 'r1', 'candidates', 'a.json'), 'utf8')).toBe('{"ok":true}');
  });

  it('flushes to the disk what exactly-once and resuming rely on, not scratch or prepared data', () => {
    for (const key of [
      keys.candidate('r1', 'c1'),
      `${keys.model('r1', 'c1')}weights.bin`,
      `${keys.model('r1', 'c1')}model.json`,
      keys.runManifest('r1'),
      keys.trainContext('r1'),
      keys.halving('r1'),
      keys.finalModelDoc('r1'),
      keys.leaderboard('r1', 'json'),
      keys.historyRun('s', 'r1'),
      keys.sweep('s'),
    ]) {
      expect(needsFlush(key), key).toBe(true);
    }
    for (const key of [keys.plan('20261207-010203-abcd1234'), keys.checkpoint('r1', 'c1'), keys.curveCheckpoint('r1', 'c1', '0.5'), keys.prepared('0123abcd')]) {
      expect(needsFlush(key), key).toBe(false);
    }
  });

  it('writes unflushed keys whole too: no temp file left, the full body under the key', async () => {
    const root = await tempDir();
    const store = new LocalStore(root);
    const body = new Uint8Array(1 << 20).map((_, i) => i % 251);
    await store.put(keys.checkpoint('r1', 'c1'), body);
    expect(new Uint8Array(await store.get(keys.checkpoint('r1', 'c1')))).toEqual(body);
    expect(await readdir(join(root, 'runs', 'r1', 'checkpoints'))).toEqual(['c1.ckpt']);
  });

  it('leaves no temporary file behind after writing', async () => {
    const root = await tempDir();
    const store = new LocalStore(root);
    await Promise.all(Array.from({ length: 10 }, (_, i) => store.put(`runs/r1/c${i % 3}.json`, `v${i}`)));
    const files = await readdir(root, { recursive: true });
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(await store.list('runs/')).toEqual(['runs/r1/c0.json', 'runs/r1/c1.json', 'runs/r1/c2.json']);
  });

  it('lets a concurrent reader see the old or the new object, never a partial one', async () => {
    const store = new LocalStore(await tempDir());
    const a = 'A'.repeat(2 << 20);
    const b = 'B'.repeat(2 << 20);
    await store.put('big.txt', a);
    const writes = (async () => {
      for (let i = 0; i < 6; i++) await store.put('big.txt', i % 2 ? a : b);
    })();
    const reads = Array.from({ length: 24 }, () => store.get('big.txt').then((x) => new TextDecoder().decode(x)));
    const seen = await Promise.all(reads);
    await writes;
    for (const text of seen) expect(text === a || text === b).toBe(true);
  });

  it('does not list an interrupted write', async () => {
    const root = await tempDir();
    const store = new LocalStore(root);
    await store.put('runs/r1/a.json', '{}');
    await writeFile(join(root, 'runs', 'r1', 'b.json.0000.tmp'), '{"half":');
    expect(await store.list('runs/r1/')).toEqual(['runs/r1/a.json']);
  });

  it('removes the temp files of writers that are gone, and keeps those of writes in progress', async () => {
    const root = await tempDir();
    const store = new LocalStore(root);
    await store.put('runs/r1/a.json', '{}');
    // A killed run's worker (a process that no longer runs) left an empty temp file; another's is being written.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    await mkdir(join(root, 'runs', 'r1', 'candidates'), { recursive: true });
    const killed = tempFileName(join(root, 'runs', 'r1', 'candidates', 'b.json'), dead);
    const writing = tempFileName(join(root, 'runs', 'r1', 'c.json'));
    await writeFile(killed, '');
    await writeFile(writing, '{"half":');
    await writeFile(join(root, 'runs', 'r1', 'd.json.0000.tmp'), '{"half":');
    const key = (file: string) => relative(root, file).split(sep).join('/');
    expect(await store.removeStaleTemps()).toEqual([key(killed)]);
    // One of a running writer, or whose writer cannot be told, is stale after an hour.
    expect(await store.removeStaleTemps(Date.now() + 2 * 3600_000)).toEqual([key(writing), 'runs/r1/d.json.0000.tmp']);
    expect((await readdir(join(root, 'runs', 'r1'), { recursive: true })).sort()).toEqual(['a.json', 'candidates']);
  });

  it('treats a directory as a missing key', async () => {
    const root = await tempDir();
    await mkdir(join(root, 'datasets'));
    expect(await new LocalStore(root).exists('datasets')).toBe(false);
  });
});
