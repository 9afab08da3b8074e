import type { Services } from '../app/services.ts';
import type { DeadLetters } from '../dlq/dead-letters.ts';

/** What the routes use: the shared services, and the dead-letter queues. */
export interface ApiDeps {
  services: Pick<Services, 'config' | 'store' | 'output' | 'service' | 'catalog' | 'kv'>;
  deadLetters: Pick<DeadLetters, 'list' | 'redrive'>;
}
