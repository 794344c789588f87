/**
 * What a search strategy says of its own spec options. The spec (schema.ts) validates the search
 * section's fields; whether a strategy's numbers can work — halving's rounds for this many candidates,
 * its first round under `search.budget` — only the strategy knows, and its code needs the statistics.
 * So each strategy registers its check here when its module loads (src/search/), and the spec's
 * validation asks this module, which imports nothing: the spec never imports strategy code.
 *
 * Every program that validates a sweep loads the strategies (the CLI and the Plan step expand
 * candidates through them), and Plan checks the same rules again when it starts a search, so a sweep
 * whose rounds cannot work is refused even by code that parsed it before any strategy was loaded.
 */

/** A problem with a spec's numbers: the path of the field to name, and what is wrong with it. */
export type SearchProblem = [path: (string | number)[], message: string];

/** A strategy's check of a validated spec's search options, for a sweep of `candidates` candidates. */
export type SearchRules<Spec> = (spec: Spec, candidates: number) => SearchProblem[];

const registered = new Map<string, SearchRules<never>>();

/** Register (or replace) the check of one strategy's options. */
export function registerSearchRules<Spec>(strategy: string, rules: SearchRules<Spec>): void {
  registered.set(strategy, rules as SearchRules<never>);
}

/** The problems the spec's strategy finds with its options; none for a strategy that registered no check. */
export function searchProblems<Spec extends { search: { strategy: string } }>(spec: Spec, candidates: number): SearchProblem[] {
  const rules = registered.get(spec.search.strategy) as SearchRules<Spec> | undefined;
  return rules ? rules(spec, candidates) : [];
}
