// Runs the generated LocalStack init hook against the substrate (awslocal = aws CLI + endpoint) and compares with the definition.
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createClients } from '../../src/config/clients.ts';
import { loadConfig } from '../../src/config/index.ts';
import { deleteResources, LOCALSTACK_INIT_PATH, resourceDefinition } from '../../src/resources/index.ts';
import { uniqueStage } from '../helpers/substrate.ts';

const hasAwsCli = (() => {
  try {
    execFileSync('aws', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasAwsCli || inject('externalSubstrate'))('localstack/ready.d/init-resources.sh', () => {
  const stage = uniqueStage();
  const bin = mkdtempSync(join(tmpdir(), 'awslocal-'));
  const env = {
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_DEFAULT_REGION: inject('region'),
    AWS_REGION: inject('region'),
  };
  const clients = createClients(loadConfig({ ...env, AWS_ENDPOINT_URL_SQS: inject('sqsEndpoint'), AWS_ENDPOINT_URL_DYNAMODB: inject('dynamodbEndpoint') }));

  afterAll(async () => {
    rmSync(bin, { recursive: true, force: true });
    await deleteResources(clients, stage);
  });

  it('creates the same queues, redrive, tables, indexes and TTL as the definition', async () => {
    // awslocal, as in the LocalStack image, but pointed at the embedded emulators.
    writeFileSync(
      join(bin, 'awslocal'),
      `#!/usr/bin/env bash
case "$1" in sqs) endpoint=${inject('sqsEndpoint')} ;; *) endpoint=${inject('dynamodbEndpoint')} ;; esac
exec aws --endpoint-url "$endpoint" "$@"
`,
    );
    chmodSync(join(bin, 'awslocal'), 0o755);
    const { stdout } = await promisify(execFile)('bash', [LOCALSTACK_INIT_PATH], {
      env: { ...process.env, ...env, PATH: `${bin}:${process.env.PATH}`, ACTIONRUNNER_STAGE: stage, AWS_PAGER: '' },
      timeout: 90_000,
    });
    expect(stdout).toContain(`init-resources: table lambda-actionrunner-${stage}-output`);

    const definition = resourceDefinition(stage);
    for (const queue of definition.queues) {
      const { QueueUrl } = await clients.sqs.send(new GetQueueUrlCommand({ QueueName: queue.name }));
      const { QueueUrl: dlqUrl } = await clients.sqs.send(new GetQueueUrlCommand({ QueueName: queue.dlq!.name }));
      const { Attributes: a = {} } = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
      const { Attributes: d = {} } = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['All'] }));
      expect(Number(a.VisibilityTimeout)).toBe(queue.visibilityTimeout);
      expect(Number(a.MessageRetentionPeriod)).toBe(queue.retention);
      expect(Number(d.MessageRetentionPeriod)).toBe(queue.dlq!.retention);
      const redrive = JSON.parse(a.RedrivePolicy!);
      expect(redrive.deadLetterTargetArn).toBe(d.QueueArn);
      expect(Number(redrive.maxReceiveCount)).toBe(queue.dlq!.maxReceiveCount);
    }
    for (const table of definition.tables) {
      const { Table } = await clients.dynamodb.send(new DescribeTableCommand({ TableName: table.name }));
      expect(Table?.KeySchema?.map((k) => k.AttributeName)).toEqual([table.keys.partition.name, ...(table.keys.sort ? [table.keys.sort.name] : [])]);
      expect((Table?.GlobalSecondaryIndexes ?? []).map((g) => g.IndexName).sort()).toEqual(table.gsis.map((g) => g.name).sort());
      const { TimeToLiveDescription } = await clients.dynamodb.send(new DescribeTimeToLiveCommand({ TableName: table.name }));
      expect(TimeToLiveDescription?.AttributeName).toBe(table.ttlAttribute);
    }
  });
});
