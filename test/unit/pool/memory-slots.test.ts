import { describe } from 'vitest';
import { MemorySlotPool } from '../../../src/pool/index.ts';
import { slotPoolContract } from '../../helpers/slot-pool-contract.ts';

let n = 0;
describe('MemorySlotPool', () => {
  slotPoolContract(
    (clock) => new MemorySlotPool({ now: clock.now }),
    () => `pool${n++}`,
  );
});
