/**
 * Storage: one key layout on a local directory and on S3. Keys are '/'-separated and relative
 * (`runs/<runId>/candidates/<id>.json`); a store maps them onto its root.
 */
export interface Store {
  /** Where the store lives, for messages: a directory path or `s3://bucket/prefix`. */
  readonly location: string;
  /** The object's bytes; throws NotFoundError when the key is missing. */
  get(key: string): Promise<Uint8Array>;
  /** Write the whole object; readers never see a half-written object. */
  put(key: string, body: Uint8Array | string, contentType?: string): Promise<void>;
  /**
   * Create the object only if the key is free: true when this call created it, false when an object
   * was there already (nothing is written). Of simultaneous calls for one key exactly one gets true,
   * and readers still never see a half-written object. This is how a run is claimed exactly once.
   */
  putIfAbsent(key: string, body: Uint8Array | string, contentType?: string): Promise<boolean>;
  exists(key: string): Promise<boolean>;
  /** Every key under a prefix, sorted. */
  list(prefix: string): Promise<string[]>;
  /** A version tag for the object's content (S3 ETag, or a content hash locally). */
  version(key: string): Promise<string>;
}

export async function getText(store: Store, key: string): Promise<string> {
  return new TextDecoder().decode(await store.get(key));
}

export async function getJson<T = unknown>(store: Store, key: string): Promise<T> {
  return JSON.parse(await getText(store, key)) as T;
}

export async function putJson(store: Store, key: string, value: unknown): Promise<void> {
  await store.put(key, jsonText(value), 'application/json');
}

/** putJson, but only if the key is free (Store.putIfAbsent). */
export async function putJsonIfAbsent(store: Store, key: string, value: unknown): Promise<boolean> {
  return store.putIfAbsent(key, jsonText(value), 'application/json');
}

function jsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
