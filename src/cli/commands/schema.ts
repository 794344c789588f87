/** `layerbench schema`: the sweep spec's JSON Schema. */
import { sweepJsonSchema } from '../../sweep/schema.js';

export function schemaCommand(_opts: unknown, out: NodeJS.WritableStream = process.stdout): void {
  out.write(`${JSON.stringify(sweepJsonSchema(), null, 2)}\n`);
}
