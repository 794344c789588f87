/**
 * Upload trigger: an EventBridge rule on the bucket's "Object Created" events under `datasets/` and
 * `sweeps/` starts the state machine directly (no Lambda in between) with `{ trigger, key, etag }`.
 * Writes under `runs/` and `history/` never match, so a run cannot trigger itself.
 *
 * A duplicated delivery starts a second execution (an EventBridge → Step Functions target cannot set
 * the execution name); Plan makes it a no-op by deriving the run id from key and ETag and planning
 * nothing when that run already exists.
 */
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/** Key prefixes whose uploads start a run. */
export const TRIGGER_PREFIXES = ['datasets/', 'sweeps/'] as const;

export interface UploadTriggerProps {
  readonly bucket: s3.IBucket;
  readonly stateMachine: sfn.IStateMachine;
}

export class UploadTrigger extends Construct {
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: UploadTriggerProps) {
    super(scope, id);
    this.rule = new events.Rule(this, 'Rule', {
      description: 'layerbench: an upload under datasets/ or sweeps/ starts a sweep run',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [props.bucket.bucketName] },
          object: { key: TRIGGER_PREFIXES.map((prefix) => ({ prefix })) },
        },
      },
    });
    this.rule.addTarget(
      new targets.SfnStateMachine(props.stateMachine, {
        input: events.RuleTargetInput.fromObject({
          trigger: 'upload',
          key: events.EventField.fromPath('$.detail.object.key'),
          etag: events.EventField.fromPath('$.detail.object.etag'),
        }),
      }),
    );
  }
}
