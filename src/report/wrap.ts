/**
 * Text for a terminal: every line at most TERMINAL_COLUMNS wide, prose wrapped at spaces with a
 * hanging indent. A word longer than the width (a path, a URI) is left whole rather than broken, so
 * it can still be copied.
 */

/** The widest line layerbench prints. */
export const TERMINAL_COLUMNS = 100;

/** One line wrapped; continuation lines start with `indent` (default: the line's own indentation and two spaces more). */
export function wrapLine(line: string, width = TERMINAL_COLUMNS, indent?: string): string {
  if (line.length <= width) return line;
  const lead = /^ */.exec(line)![0];
  const hang = indent ?? `${lead}  `;
  const words = line.slice(lead.length).split(' ');
  const out: string[] = [];
  let cur = lead;
  let fresh = true;
  for (const word of words) {
    if (!fresh && cur.length + 1 + word.length > width) {
      out.push(cur);
      cur = hang + word;
    } else cur += fresh ? word : ` ${word}`;
    fresh = false;
  }
  out.push(cur);
  return out.map((l) => l.trimEnd()).join('\n');
}

/** Every line of a text wrapped (see wrapLine). */
export function wrapText(text: string, width = TERMINAL_COLUMNS): string {
  return text
    .split('\n')
    .map((l) => wrapLine(l, width))
    .join('\n');
}

/** A text cut to `width` characters, with "…" where it was cut. */
export function cut(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1)).trimEnd()}…`;
}
