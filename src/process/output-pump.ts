/**
 * A child's stdout and stderr on their way to the output sink: decoded, filtered, cut into lines,
 * transformed, kept (the first bytes) for the result, and written with backpressure.
 */
import type { Readable } from 'node:stream';
import type { OutputType } from '../model/execution.ts';
import type { OutputSink } from '../runners/types.ts';
import type { CappedText } from './capture.ts';
import { DEFAULT_MAX_WRITE_BYTES, LineChunker } from './lines.ts';

/** A stateful rewrite of a stream's text before it is cut into lines (e.g. removing a result block). */
export interface TextFilter {
  /** Text to pass on after `text` arrived (may hold some back). */
  push(text: string): string;
  /** Whatever was held back, at end of stream. */
  end(): string;
}

/** What a run keeps of each stream for its result. */
export type CapturedOutput = Record<OutputType, CappedText>;

/** How output is written (the matching fields of `RunProcessOptions`). */
export interface OutputPumpOptions {
  output: OutputSink;
  maxWriteBytes?: number;
  transform?: (type: OutputType, text: string) => string;
}

/**
 * Pumps both streams of one run. When the sink fails, writing stops but the pipes keep draining
 * (the child would block on a full pipe), and `onSinkError` ends the run: output is being lost.
 */
export class OutputPump {
  private sinkError: { error: unknown } | undefined;

  constructor(
    private readonly options: OutputPumpOptions,
    private readonly captured: CapturedOutput,
    private readonly onSinkError: () => void,
  ) {}

  /** Reads `stream` to its end; a broken pipe ends it early, and what arrived is kept. */
  async pump(stream: Readable | null, type: OutputType, filter?: TextFilter): Promise<void> {
    if (!stream) return;
    const decoder = new TextDecoder('utf-8');
    const chunker = new LineChunker(this.options.maxWriteBytes ?? DEFAULT_MAX_WRITE_BYTES);
    const pass = async (text: string) => {
      for (const piece of chunker.push(filter && text !== '' ? filter.push(text) : text)) await this.emit(type, piece);
    };
    try {
      // Async iteration pauses the stream while a write is pending: the pipe fills and the child blocks.
      for await (const chunk of stream) await pass(decoder.decode(chunk as Uint8Array, { stream: true }));
    } catch {
      // A broken pipe ends the stream early; what arrived is kept.
    }
    await pass(decoder.decode());
    if (filter) for (const piece of chunker.push(filter.end())) await this.emit(type, piece);
    for (const piece of chunker.end()) await this.emit(type, piece);
  }

  /** Rethrows the sink's error, if writing failed. */
  throwIfSinkFailed(): void {
    if (this.sinkError) throw this.sinkError.error;
  }

  private async emit(type: OutputType, piece: string): Promise<void> {
    const text = this.options.transform ? this.options.transform(type, piece) : piece;
    this.captured[type].append(text);
    if (this.sinkError) return;
    try {
      await this.options.output.write(type, text);
    } catch (error) {
      this.sinkError = { error };
      this.onSinkError();
    }
  }
}
