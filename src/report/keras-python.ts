/** Python literals for the Keras scripts: numbers, strings, lists of strings wrapped to ~100 columns, tuples. */

/** Python literal of a number: JavaScript's shortest round-trip form (`16`, `0.001`, `1e-7`) is valid Python. */
export function num(x: number): string {
  return String(x);
}

/** A Python string literal. */
export function str(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`;
}

/** A Python list of strings, wrapped to lines of about 100 characters after `indent`. */
export function strList(xs: readonly string[], indent = '    '): string {
  const items = xs.map(str);
  const one = `[${items.join(', ')}]`;
  if (one.length <= 90) return one;
  const lines: string[] = [];
  let cur = '';
  for (const item of items) {
    if (cur && cur.length + item.length + 2 > 96) {
      lines.push(cur);
      cur = '';
    }
    cur += `${item}, `;
  }
  if (cur) lines.push(cur);
  return `[\n${lines.map((l) => `${indent}${l.trimEnd()}`).join('\n')}\n]`;
}

/** A Python tuple: `(10,)`, `(28, 28, 1)`. */
export function tuple(xs: readonly (number | null)[]): string {
  const items = xs.map((x) => (x === null ? 'None' : num(x)));
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
}
