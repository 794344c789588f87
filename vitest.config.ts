import { defineConfig } from 'vitest/config';

/**
 * Two lanes. `npm test` runs the fast one: units and in-process integration, a few minutes on a
 * 2-core machine. `npm run test:e2e` runs what spawns whole processes and workflows end to end (worker
 * pools, signals, outages, the Lambda bundles on Node 22, the deployed path against a local S3 server).
 * .ci/run runs both.
 */
export const END_TO_END = [
  'test/workflow.outage.test.ts',
  'test/infra.e2e.test.ts',
  'test/workflow.pool.test.ts',
  'test/cli.signals.test.ts',
  'test/functions.bundle.test.ts',
  'test/functions.node22.test.ts',
  'test/workflow.halving.test.ts',
  'test/workflow.cli.test.ts',
  'test/cli.history-recovery.test.ts',
  'test/cli.bundle.test.ts',
  'test/workflow.chaos.test.ts',
  'test/workflow.learning-curve.test.ts',
  // Real outside programs and whole-run scale: headless Chromium, Python running the Keras scripts, the CLI
  // exporting them, a workflow of 10,000 candidates.
  'test/report.browser.test.ts',
  'test/artifacts.card.browser.test.ts',
  'test/report.keras.test.ts',
  'test/cli.export.test.ts',
  'test/workflow.scale.test.ts',
];

const shared = {
  // Training tests are CPU-bound; two cores, so no more than two files at once.
  maxWorkers: 2,
  testTimeout: 120_000,
  hookTimeout: 120_000,
  // The AWS SDK's Node-version warning off, as in the CLI (test/setup-env.ts says why).
  setupFiles: ['test/setup-env.ts'],
};

export default defineConfig({
  test: {
    projects: [{ test: { ...shared, name: 'fast', include: ['test/**/*.test.ts'], exclude: END_TO_END } }, { test: { ...shared, name: 'e2e', include: END_TO_END } }],
  },
});
