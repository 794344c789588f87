/** Parsing a sweep spec from text, with every problem reported as `path: message`. */
import { readFile, stat } from 'node:fs/promises';
import type { z } from 'zod';
import { errorMessage, jsonProblem, SpecError } from '../errors.js';
import { didYouMean } from '../suggest.js';
import { sweepSpecSchema, type SweepSpec } from './schema.js';

/** A sweep spec is a few hundred bytes; a file beyond this is something else. */
const MAX_SWEEP_BYTES = 1 << 20;

/** `model.depth[2]` from ['model', 'depth', 2]. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out || '(spec)';
}

/** The field names the spec allows at `path` (an object's keys, through defaults, optionals and transforms). */
function fieldsAt(path: readonly PropertyKey[]): string[] {
  let node = sweepSpecSchema as unknown as z.core.$ZodType;
  const unwrap = () => {
    for (;;) {
      const def = node._zod.def as { type: string; innerType?: z.core.$ZodType; in?: z.core.$ZodType };
      if ((def.type === 'default' || def.type === 'optional' || def.type === 'prefault') && def.innerType) node = def.innerType;
      else if (def.type === 'pipe' && def.in) node = def.in;
      else return def.type === 'object' ? (node._zod.def as unknown as { shape: Record<string, z.core.$ZodType> }).shape : null;
    }
  };
  for (const key of path) {
    const shape = unwrap();
    const next = shape?.[String(key)];
    if (!next) return [];
    node = next;
  }
  return Object.keys(unwrap() ?? {});
}

/** "an array", "an object", "a number". */
const article = (noun: string) => `${/^[aeiou]/.test(noun) ? 'an' : 'a'} ${noun}`;

function describe(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'array') return `must have at least ${min} item${min === 1 ? '' : 's'}`;
      if (issue.origin === 'string') return 'must not be empty';
      return issue.inclusive ? `must be ≥ ${min}` : `must be > ${min}`;
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'array') return `must have at most ${max} items`;
      return issue.inclusive ? `must be ≤ ${max}` : `must be < ${max}`;
    }
    case 'invalid_type':
      // zod does not keep the input on the issue; its message says what it received.
      return /received undefined/.test(issue.message) ? 'is required' : `must be ${article(issue.expected === 'int' ? 'integer' : issue.expected)}`;
    case 'invalid_value': {
      const input = (issue as { input?: unknown }).input;
      const values = issue.values.filter((v): v is string => typeof v === 'string');
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}${typeof input === 'string' ? didYouMean(input, values) : ''}`;
    }
    case 'unrecognized_keys': {
      const known = fieldsAt(issue.path);
      const hint = issue.keys.length === 1 ? didYouMean(issue.keys[0]!, known) : '';
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}${hint}`;
    }
    case 'invalid_union':
      return 'must be a string or a list of strings';
    default:
      return issue.message;
  }
}

export function formatIssue(issue: z.core.$ZodIssue): string {
  const path = formatPath(issue.path);
  if (issue.code === 'invalid_type' && issue.expected === 'int') return `${path}: must be an integer`;
  return `${path}: ${describe(issue)}`;
}

/**
 * zod's integers carry a safe-integer range of their own: a value above a field's own maximum (1e308
 * for training.epochs) breaks both, and only the field's bound is worth saying.
 */
function usefulIssues(issues: z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  const safeRange = (i: z.core.$ZodIssue) => (i.code === 'too_big' && Number(i.maximum) === Number.MAX_SAFE_INTEGER) || (i.code === 'too_small' && Number(i.minimum) === Number.MIN_SAFE_INTEGER);
  const at = (i: z.core.$ZodIssue) => formatPath(i.path);
  return issues.filter((i) => !safeRange(i) || !issues.some((o) => o !== i && !safeRange(o) && at(o) === at(i)));
}

/** Validate an already-parsed value. Throws SpecError naming the first problem (all of them in `.issues`). */
export function parseSweep(value: unknown, source = 'sweep'): SweepSpec {
  // reportInput: the mistyped value is on the issue, for "did you mean".
  const r = sweepSpecSchema.safeParse(value, { reportInput: true });
  if (r.success) return r.data;
  const messages = usefulIssues(r.error.issues).map(formatIssue);
  const err = new SpecError(`${source}: ${messages[0]}${messages.length > 1 ? ` (and ${messages.length - 1} more)` : ''}`);
  (err as SpecError & { issues: string[] }).issues = messages;
  throw err;
}

/** Parse spec text (JSON). A leading byte-order mark (Windows editors write one) is skipped, as it is in a CSV. */
export function parseSweepText(text: string, source = 'sweep'): SweepSpec {
  let value: unknown;
  try {
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    throw new SpecError(`${source}: ${jsonProblem(text, e)}`);
  }
  return parseSweep(value, source);
}

/** Read and validate a sweep file; both problems are one SpecError line naming the file. */
export async function readSweepFile(file: string): Promise<{ text: string; spec: SweepSpec }> {
  let text: string;
  try {
    // A device (/dev/zero) or a huge file is no sweep: refused before it is read into memory.
    const info = await stat(file);
    if (!info.isFile() && !info.isDirectory()) throw new SpecError(`${file}: not a regular file; a sweep is a JSON file`);
    if (info.size > MAX_SWEEP_BYTES) throw new SpecError(`${file}: ${info.size} bytes is not a sweep (a sweep is a small JSON file, at most ${MAX_SWEEP_BYTES} bytes)`);
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (err instanceof SpecError) throw err;
    throw new SpecError(`${file}: cannot read the sweep (${errorMessage(err)})`);
  }
  return { text, spec: parseSweepText(text, file) };
}
