/**
 * "Did you mean …?" for a mistyped name. It is commander's own helper — the one behind the CLI's
 * suggestions for unknown commands and options — so a spec's fields and enum values are suggested
 * exactly as commands and flags are. Commander does not export it; it is read from its package
 * (commander's version is pinned in package-lock.json, and test/cli.did-you-mean.test.ts checks it).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const { suggestSimilar } = require(join(dirname(require.resolve('commander')), 'lib', 'suggestSimilar.js')) as {
  suggestSimilar: (word: string, candidates: string[]) => string;
};

/** ` (Did you mean epochs?)` when a candidate is close to `word`, else ''. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const s = suggestSimilar(word, [...candidates]).trim();
  return s ? ` ${s}` : '';
}
