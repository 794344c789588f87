/**
 * Announcing what a step found on an EventBridge bus (the account's default bus unless the stack says
 * otherwise): PutEvents in batches of 10, its limit. A failed entry is an error (TransientError for
 * throttling and internal failures, so the state machine retries the step).
 */
import { type EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { LayerbenchError, TransientError } from '../../src/errors.js';

export interface StepEvent {
  source: string;
  detailType: string;
  detail: Record<string, unknown>;
}

export async function publishEvents(client: EventBridgeClient, busName: string, events: readonly StepEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += 10) {
    const Entries: PutEventsRequestEntry[] = events.slice(i, i + 10).map((e) => ({
      EventBusName: busName,
      Source: e.source,
      DetailType: e.detailType,
      Detail: JSON.stringify(e.detail),
    }));
    const out = await client.send(new PutEventsCommand({ Entries }));
    const failed = (out.Entries ?? []).find((e) => e.ErrorCode);
    if (failed || (out.FailedEntryCount ?? 0) > 0) {
      const detail = `PutEvents to ${busName}: ${failed?.ErrorCode ?? 'failed'}: ${failed?.ErrorMessage ?? ''}`.trim();
      throw failed?.ErrorCode === 'ThrottlingException' || failed?.ErrorCode === 'InternalFailure' ? new TransientError(detail) : new LayerbenchError(detail, { code: 'E_EVENTS', kind: 'fatal' });
    }
  }
}
