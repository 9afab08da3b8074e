export * from './dead-letter-queues.ts';
export * from './dead-letters.ts';
export * from './describe.ts';
export * from './errors.ts';
export * from './redrive.ts';
