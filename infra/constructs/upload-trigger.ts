/**
 * Upload trigger: an EventBridge rule on the bucket's "Object Created" events of a non-empty object
 * under `datasets/` or a `.json` under `sweeps/` starts the state machine directly (no Lambda in
 * between) with `{ trigger, key, etag }`. A console "folder" (an empty `sweeps/` object) does not
 * match; writes under `runs/`, `history/` and `plans/` never do, so a run cannot trigger itself. A
 * delivery that cannot start an execution is retried for two hours, then lands in the dead-letter queue.
 *
 * A duplicated delivery starts a second execution (an EventBridge → Step Functions target cannot set
 * the execution name); Plan makes it a no-op by deriving the run id from key and ETag and planning
 * nothing when that run already exists.
 */
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/** Keys whose uploads start a run: any dataset, a sweep's JSON. */
export const TRIGGER_KEYS = { datasets: 'datasets/', sweeps: 'sweeps/*.json' } as const;

export interface UploadTriggerProps {
  readonly bucket: s3.IBucket;
  readonly stateMachine: sfn.IStateMachine;
  /** Where a delivery goes once its retries are spent. */
  readonly deadLetterQueue: sqs.IQueue;
}

export class UploadTrigger extends Construct {
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: UploadTriggerProps) {
    super(scope, id);
    this.rule = new events.Rule(this, 'Rule', {
      description: 'layerbench: an upload under datasets/ or of sweeps/*.json starts a sweep run',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [props.bucket.bucketName] },
          object: {
            key: events.Match.anyOf(events.Match.prefix(TRIGGER_KEYS.datasets), events.Match.wildcard(TRIGGER_KEYS.sweeps)),
            size: events.Match.greaterThan(0),
          },
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
        retryAttempts: 8,
        maxEventAge: Duration.hours(2),
        deadLetterQueue: props.deadLetterQueue,
      }),
    );
  }
}
