/**
 * The CDK app: `npx cdk synth` / `npx cdk deploy` (cdk.json runs this file with tsx). The stack name
 * defaults to `layerbench` (`-c stackName=…` to deploy a second copy); every AwsSolutions check of
 * cdk-nag runs on synth and fails it on an unsuppressed finding.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { LayerbenchStack } from './stack.js';

export function buildApp(app: App = new App()): { app: App; stack: LayerbenchStack } {
  const stackName = String(app.node.tryGetContext('stackName') ?? 'layerbench');
  const stack = new LayerbenchStack(app, stackName, {
    description: 'layerbench: depth × width sweeps of Keras-style networks on Step Functions and Lambda',
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
}

const isEntry = process.argv[1] !== undefined && /infra[/\\]app\.ts$/.test(process.argv[1]);
if (isEntry) {
  buildApp().app.synth();
}
