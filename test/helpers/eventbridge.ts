/**
 * Just enough EventBridge to run a synthesized rule offline: event-pattern matching (exact values,
 * prefix, suffix, wildcard, numeric, anything-but, exists) and the InputTransformer (InputPathsMap + InputTemplate),
 * plus the documented shape of S3's "Object Created" event.
 *
 * Sources: "Amazon EventBridge event patterns" and "Transforming inputs" in the EventBridge user
 * guide; "EventBridge event message structure" in the S3 user guide.
 */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Whether `event` matches an EventBridge event pattern. */
export function matchesPattern(event: unknown, pattern: Record<string, unknown>): boolean {
  const ev = (event ?? {}) as Record<string, unknown>;
  return Object.entries(pattern).every(([field, rule]) => {
    const value = ev[field];
    if (Array.isArray(rule)) return rule.some((r) => matchesValue(value, r));
    if (rule && typeof rule === 'object') return value !== null && typeof value === 'object' && matchesPattern(value, rule as Record<string, unknown>);
    throw new Error(`pattern field ${field}: must be an array or an object`);
  });
}

function matchesValue(value: unknown, rule: unknown): boolean {
  const values = Array.isArray(value) ? value : [value];
  if (rule === null || typeof rule !== 'object') return values.some((v) => v === rule);
  const r = rule as Record<string, unknown>;
  if ('exists' in r) return (value !== undefined) === r.exists;
  return values.some((v) => {
    if ('prefix' in r) return typeof v === 'string' && v.startsWith(String(r.prefix));
    if ('suffix' in r) return typeof v === 'string' && v.endsWith(String(r.suffix));
    if ('wildcard' in r) {
      const re = new RegExp(
        `^${String(r.wildcard)
          .split('*')
          .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
          .join('.*')}$`,
      );
      return typeof v === 'string' && re.test(v);
    }
    if ('numeric' in r) {
      const ops = r.numeric as (string | number)[];
      if (typeof v !== 'number') return false;
      for (let i = 0; i < ops.length; i += 2) {
        const [op, n] = [ops[i], Number(ops[i + 1])];
        const ok = op === '>' ? v > n : op === '>=' ? v >= n : op === '<' ? v < n : op === '<=' ? v <= n : op === '=' ? v === n : false;
        if (!ok) return false;
      }
      return true;
    }
    if ('anything-but' in r) {
      const but = r['anything-but'];
      return Array.isArray(but) ? !but.includes(v) : v !== but;
    }
    throw new Error(`unsupported pattern rule ${JSON.stringify(rule)}`);
  });
}

/** `$.a.b['c-d']` on a JSON value; undefined when a step is missing. */
export function jsonPath(value: unknown, path: string): unknown {
  if (path === '$') return value;
  if (!path.startsWith('$')) throw new Error(`not a JSON path: ${path}`);
  const steps = [...path.slice(1).matchAll(/\.([^.[\]]+)|\['([^']+)'\]|\[(\d+)\]/g)].map((m) => m[1] ?? m[2] ?? Number(m[3]));
  let cur: unknown = value;
  for (const s of steps) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[s];
  }
  return cur;
}

export interface InputTransformer {
  InputPathsMap?: Record<string, string>;
  InputTemplate: string;
}

/**
 * Applies an InputTransformer to an event. A placeholder `<name>` outside a JSON string becomes the
 * value as JSON; inside a string it becomes the value's text (escaped for JSON). A path that finds
 * nothing gives null (outside a string) or nothing (inside one). `<aws.events.event>` is the event.
 */
export function applyInputTransformer(event: unknown, transformer: InputTransformer): Json {
  const values = new Map<string, unknown>();
  for (const [name, path] of Object.entries(transformer.InputPathsMap ?? {})) values.set(name, jsonPath(event, path));
  values.set('aws.events.event', event);
  values.set('aws.events.event.json', event);
  const t = transformer.InputTemplate;
  let out = '';
  let inString = false;
  for (let i = 0; i < t.length; i++) {
    const c = t[i]!;
    if (c === '\\' && inString) {
      out += c + (t[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"') inString = !inString;
    if (c === '<') {
      const end = t.indexOf('>', i);
      const name = end > i ? t.slice(i + 1, end) : '';
      if (values.has(name)) {
        const v = values.get(name);
        out += inString ? (v === undefined ? '' : JSON.stringify(typeof v === 'string' ? v : JSON.stringify(v)).slice(1, -1)) : JSON.stringify(v ?? null);
        i = end;
        continue;
      }
    }
    out += c;
  }
  return JSON.parse(out) as Json;
}

/** The documented S3 → EventBridge "Object Created" event (S3 user guide, "EventBridge event message structure"). */
export function objectCreatedEvent(o: { bucket: string; key: string; etag: string; size: number; versionId?: string; time?: Date }) {
  return {
    version: '0',
    id: '17793124-05d4-b198-2fde-7ededc63b103',
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: '111122223333',
    time: (o.time ?? new Date('2026-11-12T00:00:00Z')).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: 'us-east-1',
    resources: [`arn:aws:s3:::${o.bucket}`],
    detail: {
      version: '0',
      bucket: { name: o.bucket },
      object: {
        key: o.key,
        size: o.size,
        etag: o.etag,
        ...(o.versionId ? { 'version-id': o.versionId } : {}),
        sequencer: '617f08299329d189',
      },
      'request-id': 'N4N7GDK58NMKJ12R',
      requester: '123456789012',
      'source-ip-address': '1.2.3.4',
      reason: 'PutObject',
    },
  };
}
