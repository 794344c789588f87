/**
 * The embedded default store: a directory on disk. Writes go to a temp file, then rename (put) or
 * hard-link (putIfAbsent), so a reader never sees a half-written object.
 */
import { createHash, randomUUID } from 'node:crypto';
import { link, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { NotFoundError } from '../errors.js';
import { assertKey } from './keys.js';
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
      return new Uint8Array(await readFile(this.path(key)));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(key, this.root);
      throw e;
    }
  }

  async put(key: string, body: Uint8Array | string): Promise<void> {
    const tmp = await this.staged(key, body);
    await rename(tmp, this.path(key));
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
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw e;
      return writeFile(file, body, { flag: 'wx' }).then(
        () => true,
        (err: NodeJS.ErrnoException) => (err.code === 'EEXIST' ? false : Promise.reject(err)),
      );
    } finally {
      await rm(tmp, { force: true });
    }
  }

  /** The body written in full to a temp file beside the key. */
  private async staged(key: string, body: Uint8Array | string): Promise<string> {
    const file = this.path(key);
    await mkdir(dirname(file), { recursive: true });
    const tmp = `${file}.${randomUUID()}.tmp`;
    await writeFile(tmp, body);
    return tmp;
  }

  async exists(key: string): Promise<boolean> {
    const file = this.path(key); // an invalid key throws, as on S3
    try {
      return (await stat(file)).isFile();
    } catch {
      return false;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const out: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const p = join(dir, e.name);
        if (e.isDirectory()) await walk(p);
        else if (!e.name.endsWith('.tmp')) out.push(relative(this.root, p).split(sep).join('/'));
      }
    };
    // Walk from the deepest directory the prefix names, then filter on the full prefix.
    const dirPart = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    await walk(dirPart ? join(this.root, ...dirPart.split('/')) : this.root);
    return out.filter((k) => k.startsWith(prefix)).sort();
  }

  async version(key: string): Promise<string> {
    return createHash('sha256').update(await this.get(key)).digest('hex').slice(0, 16);
  }
}
