/** `layerbench plan <sweep>`: list the candidates a sweep expands into, with their ids. Writes nothing. */
import Table from 'cli-table3';
import type { Command } from 'commander';
import { expandCandidates } from '../../search/candidates.js';
import { openStore } from '../../store/open.js';
import { prepareSweepFile } from '../sweep-file.js';

export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description('list the candidates (depth × width) a sweep expands into, with their ids')
    .argument('<sweep>', 'the sweep spec, a JSON file')
    .option('--store <uri>', 'where the dataset is: a directory or s3://bucket/prefix (default: LAYERBENCH_STORE or .layerbench/store)')
    .option('--json', 'print the candidates as JSON')
    .action(async (file: string, opts: { store?: string; json?: boolean }) => {
      const { spec, datasetVersion } = await prepareSweepFile(file, openStore(opts.store));
      const candidates = expandCandidates(spec, datasetVersion);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(candidates, null, 2)}\n`);
        return;
      }
      const table = new Table({ head: ['id', 'family', 'depth', 'width', 'units per layer'], style: { head: [], border: [], compact: true } });
      for (const c of candidates) table.push([c.id, c.family, c.depth, c.width, c.units.join('-')]);
      process.stdout.write(`${spec.name}: ${candidates.length} candidates, ranked by ${candidates[0]?.metric ?? '-'}, dataset version ${datasetVersion}\n${table.toString()}\n`);
    });
}
