import type { OutputType } from '../../../src/model/execution.ts';
import type { OutputSink } from '../../../src/runners/types.ts';

/** An OutputSink that keeps every write, in order, optionally slow (to exercise backpressure). */
export class RecordingSink implements OutputSink {
  readonly writes: { type: OutputType; data: string }[] = [];
  /** Bytes handed to write() whose promise has not resolved yet, and the most ever seen. */
  inFlight = 0;
  maxInFlight = 0;

  constructor(private readonly delayMs = 0) {}

  async write(type: OutputType, data: string): Promise<void> {
    const size = Buffer.byteLength(data);
    this.inFlight += size;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    this.writes.push({ type, data });
    this.inFlight -= size;
  }

  text(type: OutputType): string {
    return this.writes
      .filter((w) => w.type === type)
      .map((w) => w.data)
      .join('');
  }

  lines(type: OutputType): string[] {
    return this.text(type)
      .split(/(?<=\n)/)
      .filter((l) => l !== '');
  }
}
