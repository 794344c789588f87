/**
 * Nightly: an EventBridge Scheduler schedule starts the state machine with `{ trigger: 'schedule' }`;
 * Plan then plans a run of every registered sweep (every `sweeps/*.json`), and Report compares
 * each with its earlier nights in `history/<sweep>.json`. Cron expression and time zone come from
 * context (`-c scheduleCron=… -c scheduleTimeZone=…`).
 */
import { TimeZone } from 'aws-cdk-lib';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/** 03:00 every day. */
export const DEFAULT_SCHEDULE_CRON = 'cron(0 3 * * ? *)';
export const DEFAULT_SCHEDULE_TIME_ZONE = 'UTC';

export interface NightlyScheduleProps {
  readonly stateMachine: sfn.IStateMachine;
  /** A Scheduler `cron(…)` (or `rate(…)`) expression. */
  readonly expression?: string;
  /** An IANA time zone name, e.g. `Europe/Berlin`. */
  readonly timeZone?: string;
  readonly enabled?: boolean;
  /** Where a start that failed its retries goes. */
  readonly deadLetterQueue?: sqs.IQueue;
}

export class NightlySchedule extends Construct {
  readonly schedule: scheduler.Schedule;

  constructor(scope: Construct, id: string, props: NightlyScheduleProps) {
    super(scope, id);
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: 'layerbench: re-run every registered sweep and compare with earlier nights',
      schedule: scheduler.ScheduleExpression.expression(props.expression ?? DEFAULT_SCHEDULE_CRON, TimeZone.of(props.timeZone ?? DEFAULT_SCHEDULE_TIME_ZONE)),
      enabled: props.enabled ?? true,
      target: new schedulerTargets.StepFunctionsStartExecution(props.stateMachine, {
        input: scheduler.ScheduleTargetInput.fromObject({ trigger: 'schedule' }),
        retryAttempts: 2,
        ...(props.deadLetterQueue ? { deadLetterQueue: props.deadLetterQueue } : {}),
      }),
    });
  }
}
