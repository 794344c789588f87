/** Report's events on EventBridge (functions/shared/events.ts), against the documented PutEvents answers (aws-sdk-client-mock: no EventBridge offline). */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { publishEvents } from '../functions/shared/events.js';
import { TransientError } from '../src/errors.js';

const client = new EventBridgeClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const mock = mockClient(client);
afterEach(() => mock.reset());
afterAll(() => mock.restore());

const event = (i: number) => ({ source: 'layerbench', detailType: 'Sweep Regressed', detail: { runId: `r${i}` } });

describe('publishEvents', () => {
  it('puts the events on the bus in batches of 10, detail as JSON', async () => {
    mock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
    await publishEvents(
      client,
      'default',
      Array.from({ length: 12 }, (_, i) => event(i)),
    );
    const calls = mock.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries!);
    expect(calls.map((e) => e.length)).toEqual([10, 2]);
    expect(calls[1]![1]).toEqual({ EventBusName: 'default', Source: 'layerbench', DetailType: 'Sweep Regressed', Detail: '{"runId":"r11"}' });
  });

  it('turns a throttled entry into a TransientError (the state machine retries Report)', async () => {
    mock.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' }] });
    await expect(publishEvents(client, 'default', [event(1)])).rejects.toBeInstanceOf(TransientError);
  });
});
