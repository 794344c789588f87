/**
 * Plan: from what started the execution to the runs it makes and the candidates to train.
 *
 *  - `sweeps/<name>.json` → that sweep. A bad spec is fatal: the execution fails and says why.
 *  - `datasets/…` → every registered sweep (`sweeps/*.json`) whose dataset is that key.
 *  - trigger 'schedule', no key → every registered sweep.
 *
 * Run ids: an upload's is derived from (sweep, key, ETag) and the nightly one from the UTC date, so a
 * duplicated event finds its run and trains nothing; the CLI's carries a UTC timestamp and 4 random
 * hex digits. A run is claimed by creating its manifest only if it is absent (Store.putIfAbsent):
 * of duplicate events arriving together exactly one plans the run, the others report it as a
 * duplicate. Naming an existing run explicitly (`input.runId`, same sweep) resumes it: candidates
 * whose documents exist are not trained again.
 *
 * The work items (one per candidate to train, largest first) are written to the store as one JSON
 * array, `plans/<planId>.json`, which the Map reads with its ItemReader: the state payload carries
 * only the runs and that key, whatever the number of candidates. Every Plan invocation writes its
 * own array (a duplicate's is empty), so no execution can overwrite another's.
 */
import { randomBytes } from 'node:crypto';
import { errorMessage, LayerbenchError, SpecError } from '../errors.js';
import { expandCandidates } from '../search/candidates.js';
import { canonicalJson, contentHash } from '../sweep/candidate.js';
import { formatPath } from '../sweep/load.js';
import { DEFAULT_MAX_TASK_SECONDS, type SweepSpec } from '../sweep/schema.js';
import { keys } from '../store/keys.js';
import { putJson, putJsonIfAbsent, type Store } from '../store/store.js';
import { baselineDoc } from '../data/baseline.js';
import { dataLayout, splitOrder } from '../data/split.js';
import { dataSummary } from '../data/summary.js';
import type { BaselineDoc } from '../results/baseline.js';
import { checkMemoryBudget, networkSize, type MemoryBudget } from '../model/params.js';
import { readHalvingState } from '../results/halving.js';
import { strategyFor } from '../search/strategies.js';
import type { Round, SearchState, SearchStrategy } from '../search/strategy.js';
import type { Candidate } from '../sweep/candidate.js';
import { loadSweepDataset, type DatasetScope } from './dataset.js';
import { savePrepared, type LoadedDataset } from '../data/load.js';
import { trainContextOf, writeTrainContext } from './train-context.js';
import { checkRunDocuments, resumeState } from './resume.js';
import { RUN_SCHEMA, readManifest, type RunManifest, type Trigger } from '../results/manifest.js';
import { resumedCurveItems } from './curve.js';
import { selectSweeps, uploadedKey, type Selected } from './plan-sweeps.js';
import { parsePayload, planInputSchema, type PlanInput, type PlanOutput, type PlanResult, type RunRef, type WorkItem } from './types.js';

export interface PlanOptions {
  /** The clock (run ids and createdAt). */
  now?: Date;
  /** An inline sweep instead of reading `input.key` from the store. */
  spec?: SweepSpec;
  /** Where a sweep's dataset may live (src/steps/dataset.ts); default the store only (datasets/…), the CLI and local runner: anywhere. */
  datasetScope?: DatasetScope;
  /** The deployment's guardrails (stack context); none by default. */
  limits?: PlanLimits;
  /** What one candidate may use on a worker (default: the wasm backend's 4 GiB heap). */
  memoryBudget?: MemoryBudget;
  /**
   * Seconds a Train task may run before it is stopped (the deployed function's timeout; locally
   * --train-timeout): a training.maxTaskSeconds above it is refused, since the task would be stopped
   * before it checkpoints.
   */
  trainTimeoutSeconds?: number;
}

/** What one run may cost at most: a sweep beyond any of these is refused before anything is written. */
export interface PlanLimits {
  /** Candidates per run (context maxCandidatesPerRun). */
  maxCandidates?: number;
  /** training.epochs (context maxEpochs). */
  maxEpochs?: number;
  /** Trainable parameters of any one candidate, counted at plan time (context maxParametersPerCandidate). */
  maxParameters?: number;
  /**
   * Candidates of all the nightly schedule's runs of one night together (context maxCandidatesPerNight):
   * sweeps are admitted in key order while they fit; the rest are skipped, each with its reason.
   */
  maxCandidatesPerNight?: number;
}

interface Prepared {
  /** The sweep's key (sweeps/<name>.json). */
  key: string;
  ref: RunRef;
  items: WorkItem[];
  warnings: string[];
  /** A new run's manifest, written once every selected sweep has been prepared. */
  manifest?: RunManifest;
  /** A new run's baseline on the candidates' splits, written once its manifest has claimed the run. */
  baseline?: BaselineDoc;
  /** A new run's search state in rounds (runs/<runId>/halving.json), written once its manifest has claimed the run. */
  search?: SearchState;
  /** The dataset as read, written in its prepared form (src/data/prepared.ts) with the run's training context. */
  dataset?: { spec: SweepSpec; loaded: LoadedDataset; manifest: RunManifest };
}

export async function plan(store: Store, input: PlanInput, opts: PlanOptions = {}): Promise<PlanResult> {
  const parsedInput = parsePayload(planInputSchema, input, 'Plan');
  const trigger: Trigger = parsedInput.trigger ?? (parsedInput.key ? 'upload' : 'schedule');
  const inp = trigger === 'upload' && parsedInput.key ? { ...parsedInput, key: await uploadedKey(store, parsedInput.key) } : parsedInput;
  const now = opts.now ?? new Date();
  const { selected, fanOut, skipped } = await selectSweeps(store, inp, trigger, opts.spec);
  if (inp.runId && selected.length > 1) throw new SpecError(`input.runId: names one run, but ${selected.length} sweeps were selected`);
  const etag = trigger === 'upload' && inp.key ? (inp.etag ?? (await store.version(inp.key))) : inp.etag;

  const prepared: Prepared[] = [];
  for (const sweep of selected) {
    try {
      prepared.push(
        await prepareRun(store, sweep, {
          trigger,
          key: inp.key,
          etag,
          runId: inp.runId,
          retryFailed: inp.retryFailed,
          memoryBudget: opts.memoryBudget,
          trainTimeoutSeconds: opts.trainTimeoutSeconds,
          now,
          datasetScope: opts.datasetScope,
          limits: opts.limits,
        }),
      );
    } catch (err) {
      // One broken sweep must not stop the others a dataset upload or the schedule re-runs.
      if (!fanOut || !(err instanceof LayerbenchError) || err.kind !== 'fatal') throw err;
      skipped.push({ key: sweep.key, reason: errorMessage(err) });
    }
  }
  if (trigger === 'schedule' && opts.limits?.maxCandidatesPerNight !== undefined) {
    prepared.splice(0, prepared.length, ...capTheNight(prepared, opts.limits.maxCandidatesPerNight, skipped));
  }
  if (fanOut && prepared.length === 0 && skipped.length > 0) {
    throw new SpecError(`no registered sweep could run: ${skipped.map((s) => `${s.key}: ${s.reason}`).join('; ')}`);
  }
  for (const p of prepared) {
    if (p.manifest && !(await putJsonIfAbsent(store, keys.runManifest(p.ref.runId), p.manifest))) {
      // Another execution claimed this run between our look and our write: it is theirs to train.
      p.ref = { ...p.ref, duplicate: true };
      p.items = [];
      continue;
    }
    if (p.baseline) await putJson(store, keys.baseline(p.ref.runId), p.baseline);
    if (p.search) await putJson(store, keys.halving(p.ref.runId), p.search);
    // The dataset parsed once, for every Train task (src/data/prepared.ts), and what those tasks need of the run.
    if (p.dataset) {
      const preparedKey = await savePrepared(store, p.dataset.spec.dataset, p.dataset.loaded);
      await writeTrainContext(store, trainContextOf(p.dataset.manifest, preparedKey));
    }
  }
  const items = prepared.flatMap((p) => p.items);
  const itemsKey = keys.plan(planId(now));
  await store.put(itemsKey, JSON.stringify(items), 'application/json');
  const warnings = prepared.flatMap((p) => p.warnings);
  return {
    runs: prepared.map((p) => p.ref),
    itemsKey,
    itemCount: items.length,
    items,
    ...(skipped.length > 0 ? { skipped } : {}),
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

/** The Plan state's output: the result without the items (they are in the store, at `itemsKey`). */
export function planOutput(result: PlanResult): PlanOutput {
  const { items: _items, ...output } = result;
  return output;
}

/** `<yyyymmdd-HHMMss>-<8 hex>`: unique per Plan (and Promote) invocation. */
export function planId(now: Date): string {
  const iso = now.toISOString();
  return `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}-${randomBytes(4).toString('hex')}`;
}

interface RunContext {
  trigger: Trigger;
  key?: string;
  etag?: string;
  runId?: string;
  retryFailed?: boolean;
  memoryBudget?: MemoryBudget;
  trainTimeoutSeconds?: number;
  now: Date;
  datasetScope?: DatasetScope;
  limits?: PlanLimits;
}

async function prepareRun(store: Store, sweep: Selected, ctx: RunContext): Promise<Prepared> {
  const { spec } = sweep;
  const runId = ctx.runId ?? runIdFor(spec.name, ctx);
  const existing = (await store.exists(keys.runManifest(runId))) ? await readManifest(store, runId) : undefined;
  if (existing && !ctx.runId) {
    return { key: sweep.key, ref: { runId, sweep: spec.name, candidates: existing.candidates.length, duplicate: true }, items: [], warnings: [] };
  }
  const limits = ctx.limits ?? {};
  checkSweepLimits(spec, limits, ctx.trainTimeoutSeconds);
  const loaded = await loadSweepDataset(store, spec.dataset, { scope: ctx.datasetScope });
  const { parsed, version } = loaded;
  if (existing) {
    checkResumable(existing, spec, version);
    await checkRunDocuments(store, runId);
    // A run planned before tables with dates were split in time keeps its splits, or is not resumed.
    const then = existing.data?.order?.kind ?? (parsed.kind === 'series' ? 'time' : 'random');
    if (then !== splitOrder(parsed, spec.evaluation).kind) {
      throw new SpecError(`runId: run ${runId} was split ${then === 'time' ? 'in time' : 'at random'}, and this version of layerbench splits its data otherwise; choose another run id`);
    }
  }
  const candidates = existing?.candidates ?? expandCandidates(spec, version);
  if (limits.maxCandidates !== undefined && candidates.length > limits.maxCandidates) {
    throw new SpecError(`search: the sweep expands to ${candidates.length} candidates, more than this deployment allows in one run (${limits.maxCandidates}, stack context maxCandidatesPerRun)`);
  }
  // A resumed run trains what is missing, unreadable or failed for a reason a retry may cure.
  const { todo, warnings } = existing
    ? await resumeState(store, runId, candidates, { retryFailed: ctx.retryFailed })
    : { todo: candidates.map((candidate) => ({ candidate, retrain: false })), warnings: [] };
  const { info } = dataLayout(parsed, spec.evaluation, spec.training.seed);
  const sizes = new Map(candidates.map((c) => [c.id, networkSize(c, spec.model, info)]));
  if (limits.maxParameters !== undefined) {
    const largest = candidates.reduce((a, b) => (sizes.get(b.id)!.params > sizes.get(a.id)!.params ? b : a));
    const params = sizes.get(largest.id)!.params;
    if (params > limits.maxParameters) {
      throw new SpecError(
        `model: candidate depth ${largest.depth} width ${largest.width} has ${params.toLocaleString('en-US')} parameters, more than this deployment allows per candidate (${limits.maxParameters.toLocaleString('en-US')}, stack context maxParametersPerCandidate)`,
      );
    }
  }
  // A candidate that cannot fit a worker refuses the sweep here, before run.json is written.
  checkMemoryBudget(
    todo.map((t) => t.candidate),
    spec,
    info,
    ctx.memoryBudget,
  );
  // Largest networks first: the Map hands items out in order, so the longest candidates start early
  // and the last ones to finish are short (a shorter tail, better use of every worker).
  const cost = new Map(candidates.map((c) => [c.id, sizes.get(c.id)!.macs]));
  // A search in rounds trains its first round now (Promote opens the others); resuming one, the round it
  // is in (Train skips a candidate whose document is of that round already).
  const search = strategyFor(spec.search);
  const state = (existing ? await readHalvingState(store, runId) : null) ?? startSearch(search, runId, spec, candidates);
  const round = search.round(
    state,
    candidates.map((c) => c.id),
  );
  const retrain = new Set(todo.filter((t) => t.retrain).map((t) => t.candidate.id));
  const inRound = new Set(round.candidates);
  const work = round.round === null ? todo : candidates.filter((c) => inRound.has(c.id)).map((candidate) => ({ candidate, retrain: retrain.has(candidate.id) }));
  const items = work
    .sort((a, b) => cost.get(b.candidate.id)! - cost.get(a.candidate.id)!)
    .map(({ candidate, retrain }): WorkItem => ({ runId, candidateId: candidate.id, ...(retrain ? { retrain } : {}), ...roundFields(round), candidate }));
  // A resumed run whose learning curve's round was opened: the curve's points still missing (src/steps/curve.ts).
  if (existing) items.push(...(await resumedCurveItems(store, runId)));
  // What was done to the data, and the baseline on the candidates' own splits: computing them walks
  // every split, so too little data fails here, before anything is written.
  const data = existing ? undefined : dataSummary(parsed, spec);
  const baseline = existing ? undefined : baselineDoc(runId, parsed, spec);
  const manifest: RunManifest | undefined = existing
    ? undefined
    : {
        schema: RUN_SCHEMA,
        runId,
        sweep: spec,
        trigger: ctx.trigger,
        ...(ctx.key ? { triggerKey: ctx.key } : {}),
        ...(ctx.etag ? { etag: ctx.etag } : {}),
        dataset: { key: spec.dataset.key, version },
        candidates,
        createdAt: ctx.now.toISOString(),
        ...(data ? { data } : {}),
      };
  return {
    key: sweep.key,
    ref: { runId, sweep: spec.name, candidates: candidates.length },
    items,
    warnings,
    manifest,
    ...(baseline ? { baseline } : {}),
    ...(state && !existing ? { search: state } : {}),
    dataset: { spec, loaded, manifest: manifest ?? existing! },
  };
}

/**
 * A new run's search state: its first round open (null for a search of one round). The strategy's
 * rules for its options are checked again here — the spec's validation asked them too, when the
 * strategies were loaded — so no sweep whose rounds cannot work starts training.
 */
function startSearch(search: SearchStrategy, runId: string, spec: SweepSpec, candidates: readonly Candidate[]): SearchState | null {
  const [problem] = search.problems(spec, candidates.length);
  if (problem) throw new SpecError(`${formatPath(problem[0])}: ${problem[1]}`);
  return search.start(
    runId,
    spec,
    candidates.map((c) => c.id),
  );
}

/** What a work item says of its round: its number and whether it is the search's last (nothing for a search of one round). */
export function roundFields(round: Round): Pick<WorkItem, 'round' | 'final'> {
  return round.round === null ? {} : { round: round.round, final: round.final };
}

/**
 * The night's cap on the nightly schedule's runs, all sweeps together: tonight's runs planned already
 * (by an earlier execution of the schedule: here as duplicates) count first, then new runs are admitted
 * in sweep key order while the night's candidates stay within `max`; the others are skipped with why.
 */
function capTheNight(prepared: Prepared[], max: number, skipped: { key: string; reason: string }[]): Prepared[] {
  let night = prepared.filter((p) => p.ref.duplicate).reduce((n, p) => n + p.ref.candidates, 0);
  return prepared.filter((p) => {
    if (p.ref.duplicate) return true;
    if (night + p.ref.candidates <= max) {
      night += p.ref.candidates;
      return true;
    }
    skipped.push({
      key: p.key,
      reason: `tonight's nightly runs have ${night} candidates, and this sweep's ${p.ref.candidates} would make ${night + p.ref.candidates}, more than this deployment allows per night (${max}, stack context maxCandidatesPerNight)`,
    });
    return false;
  });
}

/** A run can be resumed only with the sweep and the dataset version it was planned with. */
export function checkResumable(existing: RunManifest, spec: SweepSpec, datasetVersion: string): void {
  const runId = existing.runId;
  if (canonicalJson(existing.sweep) !== canonicalJson(spec)) {
    throw new SpecError(`runId: run ${runId} already exists with a different sweep; choose another run id`);
  }
  if (existing.dataset.version !== datasetVersion) {
    throw new SpecError(`runId: run ${runId} was planned on dataset version ${existing.dataset.version}, but ${spec.dataset.key} is now ${datasetVersion}; choose another run id`);
  }
}

/** Limits that the spec alone decides (before the dataset is read). */
function checkSweepLimits(spec: SweepSpec, limits: PlanLimits, trainTimeoutSeconds: number | undefined): void {
  if (limits.maxEpochs !== undefined && spec.training.epochs > limits.maxEpochs) {
    throw new SpecError(`training.epochs: ${spec.training.epochs} is more than this deployment allows (${limits.maxEpochs}, stack context maxEpochs)`);
  }
  // The default is no request of the user's: under a shorter timeout its tasks hand over before they are stopped (train.ts).
  const task = spec.training.maxTaskSeconds;
  if (trainTimeoutSeconds !== undefined && task > trainTimeoutSeconds && task !== DEFAULT_MAX_TASK_SECONDS) {
    throw new SpecError(
      `training.maxTaskSeconds: ${task} is more than the Train task's timeout (${trainTimeoutSeconds} s), which would stop it before it checkpoints; use at most ${trainTimeoutSeconds}`,
    );
  }
}

/** upload: `<sweep>-upload-<hash(sweep, key, etag)>`; cli: `<sweep>-<yyyymmdd-HHMMss>-<hex4>`; schedule: `<sweep>-nightly-<yyyy-mm-dd>`. */
export function runIdFor(sweep: string, ctx: Pick<RunContext, 'trigger' | 'key' | 'etag' | 'now'>): string {
  const iso = ctx.now.toISOString();
  switch (ctx.trigger) {
    case 'upload':
      return `${sweep}-upload-${contentHash({ sweep, key: ctx.key ?? null, etag: ctx.etag ?? null }, 12)}`;
    case 'schedule':
      return `${sweep}-nightly-${iso.slice(0, 10)}`;
    case 'cli': {
      const stamp = `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}`;
      return `${sweep}-${stamp}-${randomBytes(2).toString('hex')}`;
    }
  }
}
