/**
 * The embedded default store: a directory on disk. Writes go to a temp file beside the key, flushed to
 * the disk, then renamed (put) or hard-linked (putIfAbsent) onto the key: a reader never sees a
 * half-written object, and a crash never leaves a key empty or cut short. Scratch and caches (see
 * needsFlush) skip the flush: a killed process still never leaves them half-written (the rename is
 * atomic), and what a crash of the machine could cut short there costs time, never a result. A temp
 * file whose writer was killed is never listed and is removed by removeStaleTemps (the local runner
 * calls it before and after every run).
 */
import { createHash, randomBytes } from 'node:crypto';
import { constants, type Dirent } from 'node:fs';
import { access, link, mkdir, open, readdir, readFile, rename, rm, stat, statfs, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join, relative, sep } from 'node:path';
import { errnoFailure, errorMessage, NotFoundError, permanentStoreError, StoreError, TransientError } from '../errors.js';
import { assertKey, isScratchKey } from './keys.js';
import type { Store } from './store.js';

export class LocalStore implements Store {
  constructor(readonly root: string) {}

  get location(): string {
    return this.root;
  }

  private path(key: string): string {
    return join(this.root, ...assertKey(key).split('/'));
  }

  async get(key: string): Promise<Uint8Array> {
    try {
      // The file's own buffer, not a copy: readFile allocates it for this read alone (a copy of a 6 MB
      // checkpoint cost more than reading it).
      const data = await readFile(this.path(key));
      return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') throw new NotFoundError(key, this.root);
      if (code === 'EISDIR') throw new StoreError(`${key}: is a directory in ${this.root}, not a file`, e);
      throw storeFailure('read', this.path(key), e);
    }
  }

  async put(key: string, body: Uint8Array | string): Promise<void> {
    const tmp = await this.staged(key, body);
    try {
      await rename(tmp, this.path(key));
    } catch (err) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw storeFailure('write', this.path(key), err);
    }
  }

  /**
   * The exclusive create: the complete temp file is hard-linked to the key, which fails with EEXIST
   * when the key exists — atomically, like `open(…, 'wx')`, but never exposing a partial file. Where
   * the file system has no hard links, an exclusive `wx` create of the key itself stands in.
   */
  async putIfAbsent(key: string, body: Uint8Array | string): Promise<boolean> {
    const file = this.path(key);
    const tmp = await this.staged(key, body);
    try {
      await link(tmp, file);
      return true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw storeFailure('write', file, e);
      return writeFile(file, body, { flag: 'wx' }).then(
        () => true,
        (err: NodeJS.ErrnoException) => (err.code === 'EEXIST' ? false : Promise.reject(storeFailure('write', file, err))),
      );
    } finally {
      await rm(tmp, { force: true });
    }
  }

  /**
   * The body written in full to a temp file beside the key and flushed to the disk (so that renaming
   * it onto the key after a crash can never give an empty file), unless the key needs no flush (see
   * needsFlush). A failed write removes its temp file;
   * one whose process was killed is left for removeStaleTemps, which knows it by the writer in its name.
   */
  private async staged(key: string, body: Uint8Array | string): Promise<string> {
    const file = this.path(key);
    const tmp = tempFileName(file);
    try {
      const handle = await openCreatingDirectory(tmp);
      try {
        await handle.writeFile(body);
        if (needsFlush(key)) await handle.datasync();
      } finally {
        await handle.close();
      }
      return tmp;
    } catch (err) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw storeFailure('write', file, err);
    }
  }

  async delete(key: string): Promise<void> {
    const file = this.path(key);
    try {
      await rm(file, { force: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR') return;
      throw storeFailure('write', file, err);
    }
  }

  /**
   * Removes the temp files of writes that cannot finish: their writer (a process of this machine,
   * named in the file's name) is gone, or they are older than an hour. The temp files of writes in
   * progress — another run's, a worker's — stay. Returns the keys' temp files removed, relative to the root.
   */
  async removeStaleTemps(now = Date.now()): Promise<string[]> {
    const removed: string[] = [];
    for await (const p of filesUnder(this.root)) {
      const name = basename(p);
      if (name.endsWith(TEMP_SUFFIX) && (await isStaleTemp(p, name, now))) {
        await rm(p, { force: true });
        removed.push(relative(this.root, p).split(sep).join('/'));
      }
    }
    return removed.sort();
  }

  /**
   * Fails with one line naming the path unless the store directory exists or can be made: the
   * nearest existing directory on its path must be a writable directory on a real filesystem.
   * Writes nothing. (Without this, a store under /proc makes Node's recursive mkdir spin forever, and
   * one under a file or a read-only directory fails mid-run with a raw ENOTDIR or EACCES.)
   */
  async checkWritable(): Promise<void> {
    let dir = this.root;
    for (;;) {
      let info;
      try {
        info = await stat(dir);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if ((code === 'ENOENT' || code === 'ENOTDIR') && dirname(dir) !== dir) {
          dir = dirname(dir);
          continue;
        }
        throw new StoreError(`store ${this.root}: cannot use ${dir} (${errorMessage(err)})`, err);
      }
      if (!info.isDirectory()) {
        throw new StoreError(`store ${this.root}: ${dir === this.root ? 'is a file' : `${dir} is a file`}, not a directory`);
      }
      break;
    }
    const fs = VIRTUAL_FILESYSTEMS[(await statfs(dir)).type];
    if (fs) throw new StoreError(`store ${this.root}: ${dir} is on ${fs}, which cannot hold files; choose a directory on a disk`);
    try {
      await access(dir, constants.W_OK | constants.X_OK);
    } catch (err) {
      throw new StoreError(`store ${this.root}: ${dir} is not writable (${(err as NodeJS.ErrnoException).code ?? errorMessage(err)})`, err);
    }
  }

  async exists(key: string): Promise<boolean> {
    const file = this.path(key); // an invalid key throws, as on S3
    try {
      return (await stat(file)).isFile(); // a directory is no object, as on S3
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return false;
      throw storeFailure('read', file, err);
    }
  }

  async list(prefix: string): Promise<string[]> {
    const out: string[] = [];
    // Walk from the deepest directory the prefix names, then filter on the full prefix.
    const dirPart = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    for await (const p of filesUnder(dirPart ? join(this.root, ...dirPart.split('/')) : this.root)) {
      if (!p.endsWith(TEMP_SUFFIX)) out.push(relative(this.root, p).split(sep).join('/'));
    }
    return out.filter((k) => k.startsWith(prefix)).sort();
  }

  async version(key: string): Promise<string> {
    return createHash('sha256')
      .update(await this.get(key))
      .digest('hex')
      .slice(0, 16);
  }
}

/**
 * A new file opened for writing ('wx'), its directory made first if it is missing. Most writes go to a
 * directory that exists (a run's candidates/, checkpoints/): they are spared a mkdir per write.
 */
async function openCreatingDirectory(file: string) {
  try {
    return await open(file, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    await mkdir(dirname(file), { recursive: true });
    return open(file, 'wx');
  }
}

/**
 * Whether a write must reach the disk before it counts. Not for what a run can lose without harm:
 * scratch (keys.ts isScratchKey: the Map's item lists, and checkpoints, which a Train task that finds
 * none or a cut-short one starts again from the first epoch) and prepared datasets (`prepared/…`,
 * which Train reads from the dataset itself when they are missing or cut short, src/data/load.ts).
 * Each flush costs a write 3–40 ms of waiting for the disk; the candidate documents, models, run
 * manifests and reports that exactly-once and resuming rely on keep it.
 */
export function needsFlush(key: string): boolean {
  return !isScratchKey(key) && !key.startsWith('prepared/');
}

const TEMP_SUFFIX = '.tmp';
/** Who writes a temp file: this machine (a short tag of its host name) and a process. */
const HOST_TAG = createHash('sha256').update(hostname()).digest('hex').slice(0, 6);

/** A temp file beside `file`, named for its writer (this machine, process `pid`) and unique. */
export function tempFileName(file: string, pid = process.pid): string {
  return `${file}.${HOST_TAG}-${pid}-${randomBytes(4).toString('hex')}${TEMP_SUFFIX}`;
}

const TEMP_NAME = /\.([0-9a-f]{6})-(\d+)-[0-9a-f]{8}\.tmp$/;
/** A temp file older than this is stale whoever wrote it (a write takes seconds at most). */
const TEMP_MAX_AGE_MS = 60 * 60 * 1000;

/** Whether a temp file's write cannot finish: its writer, a process of this machine, is gone; or it is older than an hour. */
async function isStaleTemp(path: string, name: string, now: number): Promise<boolean> {
  const writer = TEMP_NAME.exec(name);
  if (writer?.[1] === HOST_TAG && !processRuns(Number(writer[2]))) return true;
  try {
    return now - (await stat(path)).mtimeMs > TEMP_MAX_AGE_MS;
  } catch {
    return false; // gone already (renamed onto its key)
  }
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // someone else's process, running
  }
}

/** Kernel filesystems (statfs magic numbers) that look like directories but cannot store files. */
const VIRTUAL_FILESYSTEMS: Record<number, string> = {
  40864: 'procfs (/proc)',
  1650812274: 'sysfs (/sys)',
  1684170528: 'debugfs',
  2613483: 'cgroupfs',
  1667723888: 'cgroup2fs',
  1935894131: 'securityfs',
  1853056627: 'nsfs',
};

/**
 * A file the store could not read or write, classified (src/errors.ts): a full disk, a read-only file
 * system or a permission is a StoreError with its hint, failing at once; too many open files or a
 * busy file a TransientError, retried; anything else a StoreError naming the file.
 */
function storeFailure(op: 'read' | 'write', file: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException).code;
  const detail = code ?? errorMessage(err).split(',')[0]!;
  const failure = errnoFailure(code);
  if (failure === 'retry') return new TransientError(`${file}: cannot ${op} (${detail})`, err);
  if (failure) return permanentStoreError(failure, `${file}: cannot ${op}`, detail, err);
  return new StoreError(`${file}: cannot ${op} (${detail})`, err);
}

/** Every file below `dir`, depth first; a missing directory has none, an unreadable one is a StoreError (not an empty folder). */
async function* filesUnder(dir: string): AsyncGenerator<string> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return;
    throw storeFailure('read', dir, err);
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* filesUnder(p);
    else yield p;
  }
}
