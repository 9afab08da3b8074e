import type { Services } from '../app/services.ts';
import type { DeadLetters } from '../dlq/dead-letters.ts';
import type { InquiryService } from '../request/inquiries.ts';

/** What the routes use: the shared services, the dead-letter queues and the inquiries. */
export interface ApiDeps {
  services: Pick<Services, 'config' | 'store' | 'output' | 'service' | 'catalog' | 'kv'>;
  deadLetters: Pick<DeadLetters, 'list' | 'redrive'>;
  inquiries: Pick<InquiryService, 'list' | 'get' | 'respond'>;
}
