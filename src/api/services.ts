import { createServices, type Services, type ServicesOptions } from '../app/services.ts';
import { ApiKeyStore } from '../auth/index.ts';
import { DeadLetterQueues, DeadLetters } from '../dlq/index.ts';
import { InquiryService } from '../request/inquiries.ts';
import type { ApiOptions } from './handler.ts';

/** What the api function builds at cold start: the shared services, the dead-letter queues, the inquiries, the API keys. */
export function createApiServices(options: ServicesOptions = {}): ApiOptions & { services: Services; apiKeys: ApiKeyStore } {
  const services = createServices(options);
  const deadLetters = new DeadLetters(new DeadLetterQueues({ sqs: services.clients.sqs, queue: services.queue }), services.store);
  const apiKeys = new ApiKeyStore({ doc: services.clients.doc, tableName: services.config.apiKeysTable });
  const inquiries = new InquiryService({ store: services.store, queue: services.queue, service: services.service });
  return { services, apiKeys, deps: { services, deadLetters, inquiries }, log: services.log.child({ component: 'api' }) };
}
