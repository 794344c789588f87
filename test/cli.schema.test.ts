/**
 * `layerbench schema`: every field of the sweep spec's JSON Schema carries a description (editors show
 * it on hover), and dataset.key's says how the key is resolved.
 */
import { describe, expect, it } from 'vitest';
import { schemaCommand } from '../src/cli/commands/schema.js';

type Node = { description?: string; properties?: Record<string, Node>; items?: Node; anyOf?: Node[]; oneOf?: Node[]; allOf?: Node[] };

/** Every property's dotted path, with its description (or undefined). */
function fields(node: Node, path = ''): [string, string | undefined][] {
  const out: [string, string | undefined][] = [];
  for (const [k, v] of Object.entries(node.properties ?? {})) out.push([path + k, v.description], ...fields(v, `${path}${k}.`));
  for (const n of [...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])]) out.push(...fields(n, path));
  if (node.items) out.push(...fields(node.items, `${path}[].`));
  return out;
}

describe('layerbench schema', () => {
  it('describes every field, and says where dataset.key may point', () => {
    let text = '';
    schemaCommand({}, { write: (s: string) => ((text += s), true) } as unknown as NodeJS.WritableStream);
    const all = fields(JSON.parse(text) as Node);
    expect(all.length).toBeGreaterThan(50);
    expect(all.filter(([, d]) => !d?.trim()).map(([p]) => p)).toEqual([]);
    const key = all.find(([p]) => p === 'dataset.key')![1]!;
    expect(key).toContain('under datasets/ in the store');
    expect(key).toContain('s3://bucket/key');
  });
});
