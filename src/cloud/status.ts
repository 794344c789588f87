/**
 * Following a run of a deployed stack: from a run id or an execution ARN to the run(s), their
 * candidate documents as they appear in the bucket, and the execution's status — fed to the same
 * progress display as local runs (src/workflow/progress.ts).
 *
 * A run id names its run's documents (`runs/<runId>/…`); runs started by the CLI also name their
 * execution. An execution ARN names its runs through the Plan state's output (execution history).
 */
import { DescribeExecutionCommand, GetExecutionHistoryCommand, type DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { STATE } from '../workflow/contract.js';
import { SpecError } from '../errors.js';
import { readManifest, RUN_ID } from '../results/manifest.js';
import type { PlanOutput } from '../steps/types.js';
import { keys } from '../store/keys.js';
import { getJson, type Store } from '../store/store.js';
import type { PlannedRuns, ProgressEvent } from '../workflow/local.js';
import { CloudError, cloudError, type CloudClients } from './clients.js';
import { executionArn as executionArnOf, findStack, stackStore, type DeployedStack } from './stack.js';

export const END_STATUSES = ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] as const;

export interface ExecutionState {
  arn: string;
  status: string;
  error?: string;
  cause?: string;
}

export interface RunProgress {
  runId: string;
  sweep: string;
  candidates: number;
  succeeded: number;
  failed: number;
  /** Set once Aggregate wrote the leaderboard. */
  leaderboardKey?: string;
}

export interface StatusResult {
  stack: DeployedStack;
  execution?: ExecutionState;
  runs: RunProgress[];
  /** Every run has its leaderboard (or the execution ended). */
  finished: boolean;
}

export interface StatusOptions {
  stack: string;
  /** Poll until the runs finish (default true); false: one look. */
  follow?: boolean;
  /** Between polls, ms (default 10 s). */
  intervalMs?: number;
  onProgress?: (event: ProgressEvent) => void;
  /** Waits between polls (tests pass their own). */
  sleep?: (ms: number) => Promise<void>;
}

const isExecutionArn = (s: string) => /^arn:aws[a-z-]*:states:[^:]+:\d{12}:execution:[^:]+:[^:]+$/.test(s);

async function describe(clients: CloudClients, arn: string): Promise<DescribeExecutionCommandOutput | undefined> {
  try {
    return await clients.sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
  } catch (err) {
    if ((err as { name?: string }).name === 'ExecutionDoesNotExist') return undefined;
    throw cloudError(err, `describing execution ${arn}`);
  }
}

function executionState(out: DescribeExecutionCommandOutput): ExecutionState {
  return {
    arn: out.executionArn ?? '',
    status: out.status ?? 'UNKNOWN',
    ...(out.error ? { error: out.error } : {}),
    ...(out.cause ? { cause: out.cause } : {}),
  };
}

/** The run ids an execution planned: the Plan state's output in the execution history. */
async function plannedRuns(clients: CloudClients, arn: string): Promise<PlanOutput['runs'] | undefined> {
  let nextToken: string | undefined;
  do {
    let page;
    try {
      page = await clients.sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, nextToken, includeExecutionData: true, maxResults: 1000 }));
    } catch (err) {
      throw cloudError(err, `reading the history of ${arn}`);
    }
    for (const ev of page.events ?? []) {
      const exited = ev.stateExitedEventDetails;
      if (exited?.name === STATE.plan && exited.output) return (JSON.parse(exited.output) as PlanOutput).runs;
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return undefined;
}

/** Tracks one run's candidate documents, reading each new one once. */
class RunTracker {
  private readonly seen = new Map<string, 'succeeded' | 'failed'>();
  progress: RunProgress;
  constructor(
    private readonly store: Store,
    runId: string,
    sweep: string,
    candidates: number,
  ) {
    this.progress = { runId, sweep, candidates, succeeded: 0, failed: 0 };
  }

  /** New candidate outcomes since the last poll. */
  async poll(): Promise<ProgressEvent[]> {
    const out: ProgressEvent[] = [];
    const { runId } = this.progress;
    for (const key of await this.store.list(keys.candidatesPrefix(runId))) {
      if (!key.endsWith('.json') || this.seen.has(key)) continue;
      const doc = await getJson<{ status?: string; candidate?: { id?: string }; error?: { message?: string } }>(this.store, key);
      const status = doc.status === 'failed' ? 'failed' : 'succeeded';
      this.seen.set(key, status);
      this.progress[status]++;
      const candidateId = doc.candidate?.id ?? key.slice(keys.candidatesPrefix(runId).length, -'.json'.length);
      out.push({ type: 'candidate', runId, candidateId, status, ...(doc.error?.message ? { reason: doc.error.message } : {}) });
    }
    if (this.progress.leaderboardKey === undefined && (await this.store.exists(keys.leaderboard(runId, 'json')))) {
      this.progress.leaderboardKey = keys.leaderboard(runId, 'json');
    }
    return out;
  }

  get done(): number {
    return this.seen.size;
  }
}

export async function runStatus(clients: CloudClients, target: string, opts: StatusOptions): Promise<StatusResult> {
  const follow = opts.follow ?? true;
  const interval = opts.intervalMs ?? 10_000;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const emit = opts.onProgress ?? (() => {});
  if (!isExecutionArn(target) && !RUN_ID.test(target)) {
    throw new SpecError(`${JSON.stringify(target)}: neither a run id nor a Step Functions execution ARN`);
  }
  const stack = await findStack(clients, opts.stack);
  const store = stackStore(clients, stack);

  // Which execution, which runs.
  const arn = isExecutionArn(target) ? target : executionArnOf(stack, target);
  let described = await describe(clients, arn);
  if (!described && isExecutionArn(target)) throw new CloudError(`${target}: no such execution`);
  let runIds: string[] | undefined = isExecutionArn(target) ? undefined : [target];
  for (;;) {
    if (!runIds && described) {
      const planned = await plannedRuns(clients, arn);
      if (planned) runIds = planned.map((r) => r.runId);
    }
    const ended = described && (END_STATUSES as readonly string[]).includes(described.status ?? '');
    if (runIds || ended || !follow) break;
    await sleep(interval);
    described = await describe(clients, arn);
  }
  if (!runIds) {
    // The execution ended (or we only look once) before Plan named any run.
    return { stack, ...(described ? { execution: executionState(described) } : {}), runs: [], finished: Boolean(described && described.status !== 'RUNNING') };
  }

  // Each run's manifest: Plan may not have written it yet.
  const trackers: RunTracker[] = [];
  let waiting = [...runIds];
  for (;;) {
    const still: string[] = [];
    for (const runId of waiting) {
      if (!(await store.exists(keys.runManifest(runId)))) {
        still.push(runId);
        continue;
      }
      const manifest = await readManifest(store, runId);
      trackers.push(new RunTracker(store, runId, manifest.sweep.name, manifest.candidates.length));
    }
    waiting = still;
    if (waiting.length > 0 && !described) {
      throw new CloudError(`run ${waiting[0]}: no ${keys.runManifest(waiting[0]!)} in ${store.location} and no execution named ${waiting[0]}`);
    }
    const ended = (END_STATUSES as readonly string[]).includes(described?.status ?? '');
    if (waiting.length === 0 || ended || !follow) break;
    await sleep(interval);
    described = (await describe(clients, arn)) ?? described;
  }

  let announcedAggregate = false;
  let first = true;
  for (;;) {
    const events: ProgressEvent[] = [];
    for (const t of trackers) events.push(...(await t.poll()));
    if (first) {
      // What is left to train, as the local runner announces it; documents already there count as done before.
      const total = trackers.reduce((n, t) => n + t.progress.candidates, 0) - trackers.reduce((n, t) => n + t.done, 0);
      const plan: PlannedRuns = { runs: trackers.map((t) => ({ runId: t.progress.runId, sweep: t.progress.sweep, candidates: t.progress.candidates })) };
      emit({ type: 'planned', plan, total: Math.max(0, total) });
      first = false;
    } else {
      for (const e of events) emit(e);
    }
    const allDocs = trackers.every((t) => t.done >= t.progress.candidates);
    const allBoards = trackers.every((t) => t.progress.leaderboardKey !== undefined);
    if (allDocs && !allBoards && !announcedAggregate) {
      emit({ type: 'aggregating' });
      announcedAggregate = true;
    }
    const status = described?.status;
    const ended = status !== undefined && (END_STATUSES as readonly string[]).includes(status);
    if (ended && status !== 'SUCCEEDED') {
      const why = [described?.error, described?.cause].filter(Boolean).join(': ');
      throw new CloudError(`execution ${described?.executionArn ?? arn} ${status}${why ? `: ${why}` : ''}`);
    }
    const finished = trackers.length > 0 ? allBoards : Boolean(ended);
    if (finished || !follow) {
      return { stack, ...(described ? { execution: executionState(described) } : {}), runs: trackers.map((t) => ({ ...t.progress })), finished };
    }
    await sleep(interval);
    if (described) described = (await describe(clients, arn)) ?? described;
  }
}
