/**
 * Storage: one key layout on a local directory and on S3. Keys are '/'-separated and relative
 * (`runs/<runId>/candidates/<id>.json`); a store maps them onto its root.
 */
import type { z } from 'zod';
import { DocumentError, jsonProblem, NotFoundError } from '../errors.js';

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
  /**
   * Remove the object; nothing happens when there is none (a retried cleanup finds it gone). Only
   * what a run no longer needs is ever deleted (src/store/keys.ts isScratchKey): never a result.
   */
  delete(key: string): Promise<void>;
}

export async function getText(store: Store, key: string): Promise<string> {
  return new TextDecoder().decode(await store.get(key));
}

/** The object parsed as JSON; a DocumentError naming the key (never quoting the content) when it is not JSON. */
export async function getJson<T = unknown>(store: Store, key: string): Promise<T> {
  return parseJsonDocument(await getText(store, key), key) as T;
}

/** A JSON document, or undefined when there is none (one read, where exists() and then a read would be two). */
export async function getJsonIfPresent<T = unknown>(store: Store, key: string): Promise<T | undefined> {
  try {
    return await getJson<T>(store, key);
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

/** JSON text read from `key`, parsed; a DocumentError naming the key when it is not JSON. */
export function parseJsonDocument(text: string, key: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new DocumentError(key, jsonProblem(text, err));
  }
}

/**
 * A document from the store, parsed and validated: the value, or why it cannot be used (absent, not
 * JSON, not the schema's shape) — for documents a run may do without, such as an earlier run's
 * history record, which must never block a new run. Store failures (an outage) still throw.
 */
export async function readDocument<T>(store: Store, key: string, schema: z.ZodType<T>, what: string): Promise<DocumentRead<T>> {
  let value: unknown;
  try {
    value = await getJson(store, key);
  } catch (err) {
    if (err instanceof NotFoundError) return { ok: false, reason: err.message, missing: true, error: err };
    if (err instanceof DocumentError) return { ok: false, reason: err.message, error: err };
    throw err;
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const error = new DocumentError(key, `not a ${what} document (${issueText(parsed.error.issues[0])})`);
  return { ok: false, reason: error.message, error };
}

export type DocumentRead<T> = { ok: true; value: T } | { ok: false; reason: string; missing?: true; error: DocumentError | NotFoundError };

/** A zod issue as `path: message`, for a document's first problem. */
export function issueText(issue: z.core.$ZodIssue | undefined): string {
  return issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unknown problem';
}

export async function putJson(store: Store, key: string, value: unknown): Promise<void> {
  await store.put(key, jsonBytes(value), 'application/json');
}

/** putJson, but only if the key is free (Store.putIfAbsent). */
export async function putJsonIfAbsent(store: Store, key: string, value: unknown): Promise<boolean> {
  return store.putIfAbsent(key, jsonBytes(value), 'application/json');
}

const indented = (text: string, indent: string) => text.replaceAll('\n', `\n${indent}`);

/**
 * `JSON.stringify(value, null, 2)` and a newline, as UTF-8 — built a top-level field at a time, and a
 * top-level array an element at a time, so that a large document (a 10,000-row leaderboard: 15 MB)
 * never exists as one string, copied again on its way to the store. The same bytes either way
 * (JSON text holds no raw newline, so re-indenting a piece is prefixing its lines).
 */
export function jsonBytes(value: unknown): Buffer {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || 'toJSON' in value) return Buffer.from(`${JSON.stringify(value, null, 2)}\n`);
  const parts: Buffer[] = [];
  let fields = 0;
  for (const [k, v] of Object.entries(value)) {
    const head = `${fields === 0 ? '{\n' : ',\n'}  ${JSON.stringify(k)}: `;
    if (Array.isArray(v) && v.length > 0 && !('toJSON' in v)) {
      parts.push(Buffer.from(`${head}[`));
      for (let i = 0; i < v.length; i++) parts.push(Buffer.from(`${i === 0 ? '\n' : ',\n'}    ${indented(JSON.stringify(v[i], null, 2) ?? 'null', '    ')}`));
      parts.push(Buffer.from('\n  ]'));
    } else {
      const text = JSON.stringify(v, null, 2);
      if (text === undefined) continue; // undefined, a function: JSON.stringify leaves the field out
      parts.push(Buffer.from(`${head}${indented(text, '  ')}`));
    }
    fields++;
  }
  parts.push(Buffer.from(fields === 0 ? '{}\n' : '\n}\n'));
  return Buffer.concat(parts);
}
