/**
 * `npx tsx benchmarks/module-load.ts [--runs 7] [module …]`: what importing a module costs a fresh
 * process — wall time of the import and the process's resident memory after it — median of several
 * fresh processes, with the load average before and after. Default modules: what `layerbench status`
 * loads (src/cloud/status.ts) and, for scale, aws-cdk-lib's workflow construct (infra/workflow.ts).
 * Prints a Markdown table; --json prints the figures as JSON.
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

interface Sample {
  ms: number;
  rssMb: number;
}

function loadOnce(file: string): Sample {
  const url = pathToFileURL(resolve(file)).href;
  const script = `const t = performance.now(); await import(${JSON.stringify(url)}); const ms = performance.now() - t; process.stdout.write(JSON.stringify({ ms, rssMb: process.memoryUsage().rss / 2 ** 20 }));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  return JSON.parse(out) as Sample;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

function main(): void {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { runs: { type: 'string', default: '7' }, json: { type: 'boolean', default: false } } });
  const runs = Number(values.runs);
  const modules = positionals.length > 0 ? positionals : ['src/cloud/status.ts', 'infra/workflow.ts'];
  const before = loadavg();
  const rows = modules.map((m) => {
    loadOnce(m); // warm the file cache and tsx's transform cache
    const samples = Array.from({ length: runs }, () => loadOnce(m));
    return { module: m, runs, medianMs: median(samples.map((s) => s.ms)), medianRssMb: median(samples.map((s) => s.rssMb)), ms: samples.map((s) => s.ms) };
  });
  const after = loadavg();
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ loadavgBefore: before, loadavgAfter: after, rows }, null, 2)}\n`);
    return;
  }
  const fmt = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  const lines = [`load average before: ${fmt(before)}, after: ${fmt(after)}`, '', '| module | import, median ms | RSS after, median MB | runs |', '| --- | ---: | ---: | ---: |'];
  for (const r of rows) lines.push(`| ${r.module} | ${r.medianMs.toFixed(0)} | ${r.medianRssMb.toFixed(0)} | ${r.runs} |`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

main();
