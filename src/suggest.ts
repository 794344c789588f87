/**
 * "Did you mean …?" for a mistyped name, by the rule commander applies to unknown commands and options
 * (its suggestSimilar, which it does not export): the candidates within 3 edits of the word and more
 * than 40 % alike, the closest ones, in alphabetical order. The distance is fastest-levenshtein's (a
 * swap of two letters counts 2 here, 1 in commander). A plain import, so the Lambda bundles carry it.
 */
import { distance } from 'fastest-levenshtein';

const MAX_DISTANCE = 3;
const MIN_SIMILARITY = 0.4;

/** ` (Did you mean epochs?)` when a candidate is close to `word`, else ''. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  let best = MAX_DISTANCE;
  let similar: string[] = [];
  for (const candidate of new Set(candidates)) {
    if (candidate.length <= 1) continue; // no one-character guesses
    const d = distance(word, candidate);
    const length = Math.max(word.length, candidate.length);
    if ((length - d) / length <= MIN_SIMILARITY) continue;
    if (d < best) {
      best = d;
      similar = [candidate];
    } else if (d === best) similar.push(candidate);
  }
  similar.sort((a, b) => a.localeCompare(b));
  if (similar.length > 1) return ` (Did you mean one of ${similar.join(', ')}?)`;
  return similar.length === 1 ? ` (Did you mean ${similar[0]}?)` : '';
}
