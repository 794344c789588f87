/** `layerbench plan <sweep>`: list the candidates a sweep expands into, with their ids and what each costs. Writes nothing but example data. */
import Table from 'cli-table3';
import { fmtInt } from '../../format.js';
import { estimateResources, formatBytes } from '../../model/params.js';
import { wrapLine } from '../../report/wrap.js';
import { strategyFor } from '../../search/strategies.js';
import { openCheckedStore } from '../../store/open.js';
import { withActivity } from '../activity.js';
import { prepareSweepFile } from '../sweep-file.js';
import { learningCurvePlanLine } from '../../results/learning-curve.js';

export interface PlanCommandOptions {
  store?: string;
  json?: boolean;
  quiet?: boolean;
}

export async function planCommand(file: string, opts: PlanCommandOptions, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const store = await openCheckedStore(opts.store);
  const { spec, datasetVersion, info, candidates } = await withActivity(opts, (activity) => {
    activity.phase(`reading ${file} and its data`);
    return prepareSweepFile(file, store, opts);
  });
  const rows = candidates.map((c) => {
    const e = estimateResources(c, spec, info);
    return { ...c, resources: { params: e.params, macs: e.macs, memoryBytes: e.memory.total } };
  });
  if (opts.json) {
    out.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  const table = new Table({
    head: ['id', 'family', 'depth', 'width', 'units per layer', 'params', 'memory'],
    colAligns: ['left', 'left', 'right', 'right', 'left', 'right', 'right'],
    style: { head: [], border: [], compact: true },
  });
  for (const c of rows) table.push([c.id, c.family, c.depth, c.width, c.units.join('-'), fmtInt(c.resources.params), formatBytes(c.resources.memoryBytes)]);
  out.write(`${wrapLine(`${spec.name}: ${fmtInt(candidates.length)} candidates, ranked by ${candidates[0]?.metric ?? '-'}, dataset version ${datasetVersion}`)}\n${table.toString()}\n`);
  const curve = learningCurvePlanLine(spec, candidates.length);
  if (curve) out.write(`${wrapLine(curve)}\n`);
  // A search in rounds: what each round trains and what that comes to against the grid.
  const { rounds, epochs } = strategyFor(spec.search).schedule(spec, candidates.length);
  if (rounds.length > 1) {
    const count = (r: (typeof rounds)[number]) => (r.atMost > r.candidates ? `${r.candidates}–${r.atMost}` : `${r.candidates}`);
    const line =
      `${spec.search.strategy}: ${rounds.map((r) => `${count(r)} at ${r.epochs} epoch${r.epochs === 1 ? '' : 's'}`).join(' → ')}; ` +
      `${fmtInt(epochs.planned)}–${fmtInt(epochs.atMost)} epochs in all, ${Math.round((100 * epochs.planned) / epochs.grid)}–${Math.round((100 * epochs.atMost) / epochs.grid)} % of the grid's ${fmtInt(epochs.grid)} (every trial to training.epochs, before early stopping)`;
    out.write(`${wrapLine(line)}\n`);
  }
}
