/**
 * What every command that takes a sweep file does first: read and validate it, make sure the bundled
 * example data is in the store when the sweep names it, check the data (too little data for the
 * splits too), and check that every candidate fits a worker's memory — all before anything about the
 * sweep is written, so bad input leaves nothing behind.
 */
import { EXAMPLE_DATASETS, prepareExamples } from '../../examples/prepare.js';
import { dataLayout } from '../data/split.js';
import { dataSummary } from '../data/summary.js';
import type { DataInfo } from '../data/types.js';
import { checkMemoryBudget, type MemoryBudget } from '../model/params.js';
import type { DataSummary } from '../results/data-summary.js';
import { expandCandidates } from '../search/candidates.js';
import type { Candidate } from '../sweep/candidate.js';
import { readSweepFile } from '../sweep/load.js';
import { wrapLine } from '../report/wrap.js';
import type { SweepSpec } from '../sweep/schema.js';
import { loadSweepDataset } from '../steps/dataset.js';
import type { Store } from '../store/store.js';

export interface SweepFile {
  text: string;
  spec: SweepSpec;
  /** The dataset's version (content hash or ETag), part of every candidate id. */
  datasetVersion: string;
  /** What will be done to the data (columns, missing cells, splits). */
  data: DataSummary;
  /** What a network sees of the data (the layout of the development rows, as Plan computes it). */
  info: DataInfo;
  candidates: Candidate[];
}

export interface PrepareOptions {
  /** No note on stderr when the example data is prepared. */
  quiet?: boolean;
  /** What one candidate may use on a worker (default: the wasm backend's heap). */
  memoryBudget?: MemoryBudget;
}

export async function prepareSweepFile(file: string, store: Store, opts: PrepareOptions = {}): Promise<SweepFile> {
  const { text, spec } = await readSweepFile(file);
  if ((Object.values(EXAMPLE_DATASETS) as string[]).includes(spec.dataset.key) && !(await store.exists(spec.dataset.key))) {
    const written = await prepareExamples(store);
    if (written.length > 0 && !opts.quiet) process.stderr.write(`${wrapLine(`prepared the example data: ${written.join(', ')} in ${store.location}`)}\n`);
  }
  // Bad data fails here, too little data for the splits too (the parse is cached for the steps that follow).
  const { parsed, version } = await loadSweepDataset(store, spec.dataset, { scope: 'anywhere' });
  const data = dataSummary(parsed, spec);
  const { info } = dataLayout(parsed, spec.evaluation, spec.training.seed);
  const candidates = expandCandidates(spec, version);
  checkMemoryBudget(candidates, spec, info, opts.memoryBudget);
  return { text, spec, datasetVersion: version, data, info, candidates };
}
