// Runs the actions handler on what is on the actions queue, in a process of its own, and reports
// the handler's wall time and this process's peak RSS as one JSON line. Config from the environment.
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { createRuntime } from '../src/dispatch/runtime.ts';
import { createLambdaContext } from '../src/local/lambda-context.ts';
import { toSqsRecord } from '../src/local/sqs-event.ts';

const runtime = createRuntime();
const queueUrl = await runtime.queue.url('actions');
const { Messages = [] } = await runtime.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 5, MessageSystemAttributeNames: ['All'] }));
const event = { Records: Messages.map((message) => toSqsRecord(message, `arn:aws:sqs:${runtime.config.region}:000000000000:${runtime.config.actionsQueueName}`, runtime.config.region)) };
const idleRssMb = Math.round(process.memoryUsage().rss / 1024 / 1024);
const t0 = performance.now();
await runtime.processor.process(event, createLambdaContext({ functionName: 'actions', timeoutMs: 900_000 }));
const durationMs = performance.now() - t0;
const executionId = (JSON.parse(Messages[0].Body!) as { executionId: string }).executionId;
const status = (await runtime.store.get(executionId))?.status;
console.log(JSON.stringify({ durationMs, idleRssMb, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024), status }));
