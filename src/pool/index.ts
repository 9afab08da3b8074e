export type { SlotPool } from './slots.ts';
export { checkSlotArguments } from './slots.ts';
export { DynamoSlotPool, type DynamoSlotPoolOptions } from './dynamo-slots.ts';
export { MemorySlotPool } from './memory-slots.ts';
