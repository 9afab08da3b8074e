interface Waiting<T> {
  event: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit of a workflow's events in this container: one step at a time per workflow, each
 * step given every event that arrived meanwhile. Ten task-completed events of a batch then cost one
 * load and one versioned save of the workflow, not ten saves that conflict with each other.
 * `apply` takes the events in order and says how many it consumed (at least one); the others wait
 * for the next step. When a step fails, every event of it fails (their messages come back): they
 * concern one workflow, whose trouble (busy, unknown) is theirs alike, and trying each alone would
 * only multiply the wait of a busy workflow past the function's timeout.
 * @example new EventBatcher((id, events) => engine.apply(id, events)).push(workflowId, message)
 */
export class EventBatcher<T> {
  readonly #pending = new Map<string, Waiting<T>[]>();

  constructor(private readonly apply: (key: string, events: T[]) => Promise<number>) {}

  /** Resolves once the step that applied `event` has saved (and carried out) the workflow's new state. */
  push(key: string, event: T): Promise<void> {
    return new Promise((resolve, reject) => {
      const queue = this.#pending.get(key);
      if (queue) return void queue.push({ event, resolve, reject });
      this.#pending.set(key, [{ event, resolve, reject }]);
      void this.#drain(key);
    });
  }

  async #drain(key: string): Promise<void> {
    const queue = this.#pending.get(key)!;
    while (queue.length > 0) {
      const batch = queue.splice(0, queue.length);
      try {
        const consumed = Math.max(
          1,
          Math.min(
            batch.length,
            await this.apply(
              key,
              batch.map((waiting) => waiting.event),
            ),
          ),
        );
        batch.slice(0, consumed).forEach((waiting) => waiting.resolve());
        queue.unshift(...batch.slice(consumed));
      } catch (error) {
        batch.forEach((waiting) => waiting.reject(error));
      }
    }
    this.#pending.delete(key);
  }
}
