/**
 * The layers of layerbench, as rules (docs/architecture.md draws them). `npm run lint` checks them.
 * Bottom to top: foundations (errors, random, stats, kernels) → the sweep spec, stores, costs →
 * data, search, result documents → models and training → the workflow's steps → the local runner →
 * report, cloud commands and CLI. Infrastructure (infra/) and the Lambda handlers (functions/) sit
 * above src/, which never imports them.
 */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'a circle makes its modules one module', from: { path: '^(src|infra|functions)/' }, to: { circular: true } },
    { name: 'src-not-infra', severity: 'error', comment: 'src/ is the library; infra/ and functions/ build on it (src/workflow/contract.ts is what they share)', from: { path: '^src/' }, to: { path: '^(infra|functions)/' } },
    { name: 'stats-is-a-foundation', severity: 'error', comment: 'the statistics import nothing of layerbench but themselves', from: { path: '^src/stats/' }, to: { path: '^src/(?!stats/)' } },
    { name: 'foundations-stay-down', severity: 'error', comment: 'errors, random and the kernels import no layer above them', from: { path: '^src/(errors|random)\\.ts$|^src/kernels/' }, to: { path: '^src/(sweep|store|cost|data|search|results|model|train|artifacts|steps|workflow|report|cli|cloud)/' } },
    { name: 'base-below-documents', severity: 'error', comment: 'the sweep spec, stores and costs know nothing of data, search or result documents (a cost reads what it needs of a document by shape)', from: { path: '^src/(sweep|store|cost)/' }, to: { path: '^src/(data|search|results)/' } },
    { name: 'documents-below-steps', severity: 'error', comment: 'spec, stores, data, search and result documents know nothing of models, training, steps or what presents them', from: { path: '^src/(sweep|store|cost|data|search|results)/' }, to: { path: '^src/(model|train|artifacts|steps|workflow|report|cli|cloud)/' } },
    { name: 'training-below-steps', severity: 'error', comment: 'models and training know nothing of the workflow or what presents results', from: { path: '^src/(model|train|artifacts)/' }, to: { path: '^src/(steps|workflow|report|cli|cloud)/' } },
    { name: 'steps-below-runner', severity: 'error', comment: 'a step runs the same in a Lambda and in the local runner: it imports neither the runner nor the CLI', from: { path: '^src/steps/' }, to: { path: '^src/(workflow|cli|cloud)/(?!contract\\.ts$)' } },
    { name: 'report-reads-documents', severity: 'error', comment: 'the report reads result documents; it never trains, runs steps or drives the workflow', from: { path: '^src/report/' }, to: { path: '^src/(train|kernels|steps|workflow|cli|cloud)/' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(node_modules|test|benchmarks|wasm)/' },
  },
};
