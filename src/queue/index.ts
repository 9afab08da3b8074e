export * from './messages.ts';
export * from './work-queue.ts';
