import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.ts';

describe('loadConfig', () => {
  it("defaults to st2's pools and names everything after the stage", () => {
    const config = loadConfig({ ACTIONRUNNER_STAGE: 'prod' });
    expect(config).toMatchObject({
      workflowsPoolSize: 40,
      actionsPoolSize: 60,
      executionsTable: 'lambda-actionrunner-prod-executions',
      actionsQueueName: 'lambda-actionrunner-prod-actions',
      defaultTimeoutSeconds: 60,
      outputFlushMs: 250,
      ttlDays: 14,
      packsPaths: [],
    });
  });

  it('reads the service-specific endpoints before the general one', () => {
    const config = loadConfig({ AWS_ENDPOINT_URL: 'http://all:4566', AWS_ENDPOINT_URL_SQS: 'http://sqs:1' });
    expect(config).toMatchObject({ sqsEndpoint: 'http://sqs:1', dynamodbEndpoint: 'http://all:4566' });
  });

  it("takes ctx(st2).api_url from ACTIONRUNNER_API_URL, st2's default otherwise, and refuses what is not an http(s) URL", () => {
    expect(loadConfig({}).apiUrl).toBe('http://127.0.0.1:9101/v1');
    expect(loadConfig({ ACTIONRUNNER_API_URL: 'https://st2.example.com/api/v1/' }).apiUrl).toBe('https://st2.example.com/api/v1');
    expect(() => loadConfig({ ACTIONRUNNER_API_URL: 'st2.example.com' })).toThrow(
      'invalid configuration: ACTIONRUNNER_API_URL - expected an http(s) URL, got "st2.example.com"',
    );
  });

  it('bounds task runs per workflow at 1000 unless ACTIONRUNNER_WORKFLOW_MAX_TASK_RUNS says otherwise', () => {
    expect(loadConfig({}).workflowMaxTaskRuns).toBe(1000);
    expect(loadConfig({ ACTIONRUNNER_WORKFLOW_MAX_TASK_RUNS: '20' }).workflowMaxTaskRuns).toBe(20);
    expect(() => loadConfig({ ACTIONRUNNER_WORKFLOW_MAX_TASK_RUNS: '0' })).toThrow(
      'invalid configuration: ACTIONRUNNER_WORKFLOW_MAX_TASK_RUNS - expected an integer >= 1, got "0"',
    );
  });

  it('splits ACTIONRUNNER_PACKS_PATH like st2 packs_base_paths', () => {
    expect(loadConfig({ ACTIONRUNNER_PACKS_PATH: '/opt/a::/opt/b' }).packsPaths).toEqual(['/opt/a', '/opt/b']);
  });

  it('says what was expected and what was given for a bad number', () => {
    expect(() => loadConfig({ ACTIONRUNNER_PARALLELISM: 'ten' })).toThrow(
      'invalid configuration: ACTIONRUNNER_PARALLELISM - expected an integer >= 1, got "ten"',
    );
  });

  it('refuses an in-flight visibility that could bring a message back while its lease lives', () => {
    expect(() => loadConfig({ ACTIONRUNNER_LEASE_MS: '45000' })).toThrow(
      'invalid configuration: ACTIONRUNNER_IN_FLIGHT_VISIBILITY_SECONDS - expected 2/3 of it to exceed the lease plus one heartbeat (47000 ms), got 60 s',
    );
    expect(loadConfig({ ACTIONRUNNER_LEASE_MS: '45000', ACTIONRUNNER_IN_FLIGHT_VISIBILITY_SECONDS: '90' }).leaseMs).toBe(45000);
  });
});
