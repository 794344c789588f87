/**
 * The decision in words — the headline, why, and what to try next — written once here for every
 * surface: leaderboard.json (for scripts), the terminal, the report, the model card and the history.
 * The numbers come from analysis.ts, the rule from src/stats/decision.ts.
 */
import { SIGNIFICANCE, type BaselineVerdict, type Edge, type Outcome } from '../stats/index.js';
import { count, fmtInt, fmtInterval, fmtMeanSe, fmtPair, fmtRatio, fmtUncertainty, fmtValue, pEquals, withUnit } from '../format.js';
import { testVsBaseline, type CandidateDigest, type RankedCandidate, type RunAnalysis, type TestVsBaseline } from './analysis.js';

/** The rule, stated once: the report's method section and the leaderboard quote it. */
export const DECISION_RULE =
  `Recommended: the smallest candidate (fewest parameters) as good as the best ("≈ best"): not significantly worse — ` +
  `one-sided paired t-test on the same folds and repeats, Nadeau–Bengio corrected, p ≥ ${SIGNIFICANCE} — and within one standard error of the best's mean, ` +
  `among the candidates that beat the baseline (one-sided paired test, p < ${SIGNIFICANCE}). ` +
  `Each comparison is at ${SIGNIFICANCE * 100} %, not adjusted for the number of candidates: a heuristic for choosing that errs toward the larger, better-scoring network.`;

/** What each outcome means, in one sentence. */
export const OUTCOME_MEANING: Record<Outcome, string> = {
  recommend: 'the smallest network the data cannot tell from the best',
  'all-equivalent': 'every candidate beats the baseline and none is worse than the best: the smallest',
  undecided: 'the smallest network as good as the best; a smaller one may be as good, but there are too few trials or rows to tell',
  baseline: 'no network beats the baseline: none is recommended',
  'single-draw': 'one trial per candidate: nothing could be tested',
  none: 'no candidate produced a result',
};

export interface AnswerWords {
  outcome: Outcome;
  headline: string;
  /** Why, as a sentence or two; null when there is nothing to explain. */
  reason: string | null;
  /** What to try next, each a sentence naming the setting. */
  next: string[];
  /**
   * What the answer must lead with, each one plain sentence: the held-out test contradicting the choice
   * (below the baseline), or unable to confirm that it beats the baseline as validation found.
   */
  warnings: string[];
}

/** `3 hidden layers, 64 units each` (or filters), with the per-layer list when the width pattern varies. */
export function architectureWords(c: Pick<RankedCandidate<CandidateDigest>, 'doc'>): string {
  const cand = c.doc.candidate;
  const unit = cand.family === 'cnn' ? 'filters' : cand.family === 'lstm' ? 'LSTM units' : 'units';
  const layer = cand.family === 'cnn' ? 'conv block' : cand.family === 'lstm' ? 'LSTM layer' : 'hidden layer';
  const constant = cand.units.every((u) => u === cand.units[0]);
  const per = cand.depth === 1 ? `${cand.width} ${unit}` : constant ? `${cand.width} ${unit} each` : `${cand.units.join(' → ')} ${unit}`;
  return `${cand.depth} ${layer}${cand.depth === 1 ? '' : 's'}, ${per}`;
}

/** `dense d1 w16 (193 params)`, or with the score: `dense d3 w64 (9,089 params, accuracy 0.842 ± 0.004)`. */
export function describeCandidate(c: RankedCandidate<CandidateDigest>, metric: string, unit: string | null, withMetric: boolean): string {
  const params = c.params === null ? 'unknown parameter count' : `${fmtInt(c.params)} params`;
  if (!withMetric) return `${c.label} (${params})`;
  return `${c.label} (${params}, ${metric} ${fmtMeanSe(c.summary.mean, c.summary.se, unit)})`;
}

function edgeSentence(e: Edge, c: RankedCandidate<CandidateDigest>): string {
  const v = e.axis === 'depth' ? c.depth : c.width;
  const values = e.values.join(', ');
  return e.side === 'upper'
    ? `The recommendation has the largest ${e.axis} tried (${v}): a larger one may do better — extend model.${e.axis} with ${values}.`
    : `The recommendation has the smallest ${e.axis} tried (${v}): a smaller one may do as well — add ${values} to model.${e.axis}.`;
}

/**
 * When at least half the trials of the candidate the answer names ran every epoch and kept the last
 * one (no early stop, nothing better earlier), it was cut off by the epoch cap and may still have been
 * improving: its score, and so the ranking, would move with more epochs. Null otherwise.
 */
export function capSentence(c: RankedCandidate<CandidateDigest>): string | null {
  const trials = c.doc.trials;
  const capped = trials.filter((t) => !t.stoppedEarly && t.epochs.length >= 2 && t.bestEpoch === t.epochs.length);
  if (trials.length === 0 || capped.length * 2 < trials.length) return null;
  const epochs = Math.max(...capped.map((t) => t.epochs.length));
  const which = capped.length === trials.length ? `All ${count(trials.length, 'trial')}` : `${capped.length} of ${count(trials.length, 'trial')}`;
  return `${which} of ${c.label} ran all ${epochs} epochs and kept the last, with no early stop: it may still have been improving — raise training.epochs.`;
}

/** The answer of a run in words (see the module comment). */
export function answerWords(a: RunAnalysis<CandidateDigest>): AnswerWords {
  const words = outcomeWords(a);
  const named = a.recommended ?? a.best;
  const cap = named ? capSentence(named) : null;
  const warning = testWords(a).warning;
  return { ...words, next: cap ? [cap, ...words.next] : words.next, warnings: warning ? [warning] : [] };
}

/**
 * The held-out test against the baseline, in words (analysis.ts testVsBaseline): `warning` when the
 * test contradicts the choice — the recommendation scored below the baseline — or cannot confirm that
 * it beats the baseline while validation said it does; `sentence` for the test section otherwise
 * (the test upholds the lead, or cannot tell and nothing claimed it). Both null without a comparison.
 */
export function testWords(a: RunAnalysis<CandidateDigest>, check: TestVsBaseline | null = testVsBaseline(a)): { warning: string | null; sentence: string | null } {
  const rec = a.recommended;
  if (!check || !rec) return { warning: null, sentence: null };
  const [score, baseline] = fmtPair(check.score, check.baseline, a.unit);
  const who = check.source === 'final model' ? `${rec.label}, the final model` : `${rec.label}, the mean of its trial models`;
  const ci = check.ci ? fmtInterval(check.ci, check.se, a.unit) : null;
  const claimed = rec.vsBaseline?.verdict === 'beats';
  const lead = `On the ${fmtInt(check.rows)} held-out test rows the recommended network (${who}) scored ${a.metric} ${score}`;
  const pOf = (p: number | null) => `one-sided paired test on the same rows, ${pEquals(p ?? 1)}`;
  if (check.verdict === 'worse') {
    const below = a.higherIsBetter ? 'below' : 'worse than';
    if (check.test === 'none') {
      return {
        warning: `${lead}, ${below} the baseline's ${baseline} (not tested: these documents keep no per-row test results): the validation result is not confirmed; treat the recommendation as unproven.`,
        sentence: null,
      };
    }
    const how = check.test === 'paired' ? pOf(check.pWorse) : `its 95 % interval, ${ci}, lies wholly ${a.higherIsBetter ? 'below' : 'above'} the baseline's score`;
    return { warning: `${lead}, ${below} the baseline's ${baseline} (${how}): the validation result did not hold; treat the recommendation as unproven.`, sentence: null };
  }
  if (check.verdict === 'better') {
    const how = check.test === 'paired' ? pOf(check.pBetter) : `the baseline's score lies outside its 95 % interval, ${ci}`;
    return { warning: null, sentence: `On the same ${fmtInt(check.rows)} test rows it beats the baseline's ${baseline} (${how}): the test upholds its lead over the baseline.` };
  }
  const ahead = a.higherIsBetter ? check.score > check.baseline : check.score < check.baseline;
  const relation = check.score === check.baseline ? 'level with it' : ahead ? 'ahead, but not significantly' : 'behind, but not significantly';
  const how = check.test === 'paired' ? pOf(check.pBetter) : `the baseline's score lies inside its 95 % interval, ${ci}`;
  if (claimed) {
    return {
      warning: `${lead} against the baseline's ${baseline} — ${relation} (${how}): the test set cannot confirm that it beats the baseline, as validation found; ${fmtInt(check.rows)} rows are too few to tell them apart.`,
      sentence: null,
    };
  }
  return { warning: null, sentence: `On the same ${fmtInt(check.rows)} test rows it scored ${score} against the baseline's ${baseline} — ${relation} (${how}): the test cannot tell the two apart.` };
}

function outcomeWords(a: RunAnalysis<CandidateDigest>): Omit<AnswerWords, 'warnings'> {
  const rec = a.recommended;
  const best = a.best;
  const m = a.metric;
  const u = a.unit;
  const edges = rec ? a.edges.map((e) => edgeSentence(e, rec)) : [];
  const use = (c: RankedCandidate<CandidateDigest>) =>
    `Use depth ${c.depth} and width ${c.width}: ${architectureWords(c)} (${c.params === null ? 'unknown parameter count' : count(c.params, 'parameter')}).`;
  switch (a.outcome) {
    case 'none':
      return {
        outcome: 'none',
        headline: 'No answer: no candidate produced a result.',
        reason: null,
        next: ['See why each candidate failed (the leaderboard’s failed list), fix that, and run again.'],
      };
    case 'baseline': {
      const b = a.baseline!;
      const v = best!.vsBaseline;
      const how =
        v?.verdict === 'not-clearly-better' && v.p !== null
          ? `better on average but not significantly (one-sided paired test, ${pEquals(v.p)})`
          : v?.verdict === 'better-untested'
            ? 'better on a single trial, which cannot be tested'
            : 'no better';
      return {
        outcome: 'baseline',
        headline: `No network beats the baseline: use "${b.name}" (${b.description}).`,
        reason:
          `The baseline scores ${m} ${fmtMeanSe(b.summary.mean, b.summary.se, u)} on the same splits; the best network, ` +
          `${describeCandidate(best!, m, u, true)}, is ${how}. No network is recommended and no model is refit.`,
        next: [
          'Check that the features can predict the target (dataset.features, dataset.exclude), and what the data section says was left out.',
          ...(a.trialsPerCandidate < 5
            ? [`Repeat more (evaluation.repeats, now ${a.trialsPerCandidate} trial${a.trialsPerCandidate === 1 ? '' : 's'} per candidate) if the networks are close to the baseline.`]
            : []),
          'Try longer training (training.epochs, earlyStopping.patience) or another learning rate (training.learningRate).',
          ...(a.edges.some((e) => e.side === 'upper') ? ['Try larger networks: the best is at the top of the grid.'] : []),
        ],
      };
    }
    case 'single-draw':
      return {
        outcome: 'single-draw',
        headline: use(rec!),
        reason:
          `${describeCandidate(rec!, m, u, true)} scored best on a single trial per candidate; with one trial there is no standard error and no test, ` +
          'so the report cannot say which smaller networks are as good, nor whether it truly beats the baseline.',
        next: ['Set evaluation.repeats to 3 or more (or evaluation.strategy "kfold") so that candidates can be compared.', ...edges],
      };
    case 'all-equivalent':
      return {
        outcome: 'all-equivalent',
        headline: use(rec!),
        reason:
          a.ranked.length === 1
            ? `The only candidate, ${describeCandidate(best!, m, u, true)}, beats the baseline (one-sided paired test, p < ${SIGNIFICANCE}); no other network was trained to compare it with.`
            : `All ${a.ranked.length} candidates beat the baseline and none is significantly worse than the best, ${describeCandidate(best!, m, u, true)}: ` +
              (rec === best ? 'the data cannot rank them, and the best is also the smallest.' : `the data cannot rank them, so the smallest, ${describeCandidate(rec!, m, u, false)}.`),
        next: edges,
      };
    case 'undecided': {
      const need = a.needed!;
      const open = a.ranked.find((c) => c.id === need.candidateId)!;
      const folds = Math.max(1, new Set(rec!.points.map((p) => p.fold)).size);
      const howMany =
        need.trials === null
          ? 'no number of repeats would resolve it at this spread — the corrected variance keeps a floor of n_val/n_train of the trials’ spread — only more rows (a smaller spread between trials) would'
          : `about ${count(need.trials, 'trial')} would resolve it at the spread seen — evaluation.repeats ${Math.ceil(need.trials / folds)}${folds > 1 ? ` with ${folds} folds` : ''}`;
      return {
        outcome: 'undecided',
        headline: use(rec!),
        reason:
          `${describeCandidate(rec!, m, u, true)} is the smallest candidate as good as the best, ${describeCandidate(best!, m, u, rec !== best)}. ` +
          `The smaller ${describeCandidate(open, m, u, true)} may be as good too: the paired test does not find it worse, but it trails the best by ` +
          `${withUnit(fmtUncertainty(Math.abs(need.gap)), u)}, more than the best's standard error — too few trials or rows to tell.`,
        next: [`To decide on ${open.label}: ${howMany}.`, ...edges],
      };
    }
    case 'recommend': {
      const smaller = a.ranked.filter((c) => c !== best && c.params !== null && best!.params !== null && c.params < best!.params).length;
      let reason: string;
      if (rec === best) {
        reason =
          smaller === 0
            ? `${describeCandidate(best!, m, u, true)} is both the best and the smallest network in the sweep that beats the baseline.`
            : `${describeCandidate(best!, m, u, true)} is the best, and no smaller candidate is as good: each is significantly worse (one-sided paired test, p < ${SIGNIFICANCE}), trails by more than a standard error, or does not beat the baseline.`;
      } else {
        const ratio = best!.params !== null && rec!.params ? best!.params / rec!.params : null;
        reason =
          `${describeCandidate(rec!, m, u, true)} is the smallest candidate as good as the best, ` +
          `${describeCandidate(best!, m, u, true)}: within its standard error, and the paired test does not find it worse (one-sided ${pEquals(rec!.pWorse ?? 1)}); ` +
          `${ratio === null ? 'a smaller network' : `${fmtRatio(ratio)} fewer parameters`} for a difference the data cannot resolve.`;
      }
      return { outcome: 'recommend', headline: use(rec!), reason, next: edges };
    }
  }
}

/** A test score in words: `0.873 ± 0.019 (95 % CI 0.83 – 0.91, 300 test rows)`. */
export function testScoreWords(t: { score: number; se: number | null; ci: { lo: number; hi: number } | null; rows: number }, unit: string | null): string {
  const rows = count(t.rows, 'test row');
  if (!t.ci) return `${withUnit(fmtValue(t.score), unit)} (${rows}; no interval: older documents keep no per-row results)`;
  return `${fmtMeanSe(t.score, t.se, unit)} (95 % CI ${fmtInterval(t.ci, t.se, unit)}, ${rows})`;
}

/**
 * A candidate's place in the answer, one word for every surface (the terminal's verdict column, the
 * report's leaderboard, leaderboard.json): read from the decision's own flags, never decided again.
 */
export const CANDIDATE_VERDICTS = ['recommended', 'at or below baseline', 'best', '≈ best', 'undecided', 'untested', 'worse'] as const;
export type CandidateVerdict = (typeof CANDIDATE_VERDICTS)[number];

/** What each verdict means, for hover titles and notes. */
export const VERDICT_MEANING: Record<CandidateVerdict, string> = {
  recommended: 'the smallest candidate as good as the best, among those that beat the baseline',
  'at or below baseline': 'no better than the baseline on the same trials: it learned nothing a model without a network does not know',
  best: 'the highest mean',
  '≈ best': 'as good as the best: not significantly worse, and within its standard error',
  undecided: 'not significantly worse than the best, but trailing by more than its standard error: too few trials or rows to tell',
  untested: 'one trial: no test possible',
  worse: `significantly worse than the best (one-sided paired test, p < ${SIGNIFICANCE})`,
};

/** The decision's flags a verdict is read from: a RankedCandidate has them all. */
export interface VerdictFlags {
  rank: number;
  approxBest: boolean | null;
  undecided: boolean;
  vsBaseline: { verdict: BaselineVerdict } | null;
}

/** A candidate's verdict: recommended first, then a network no better than the baseline, then how it stands against the best. */
export function candidateVerdict(c: VerdictFlags, recommended: boolean): CandidateVerdict {
  if (recommended) return 'recommended';
  if (c.vsBaseline?.verdict === 'does-not-beat') return 'at or below baseline';
  if (c.rank === 1) return 'best';
  if (c.approxBest === true) return '≈ best';
  if (c.undecided) return 'undecided';
  if (c.approxBest === null) return 'untested';
  return 'worse';
}

/** A verdict with how the candidate fares against the baseline when that is not plain (`≈ best, ns vs baseline`). */
export function verdictText(verdict: CandidateVerdict, baseline: BaselineVerdict | null | undefined): string {
  if (verdict === 'at or below baseline' || !baseline || baseline === 'beats' || baseline === 'does-not-beat') return verdict;
  return `${verdict}, ${baseline === 'not-clearly-better' ? 'ns vs baseline' : 'untested vs baseline'}`;
}
