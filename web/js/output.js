// Live output: reads the output route from an offset, again and again (long poll), appending each chunk as text.
import { executions } from './api.js';
import { el } from './dom.js';
import { describeError } from './format.js';

/** Seconds each read may wait for new output while the execution runs. */
const WAIT_SECONDS = 10;
const RETRY_MS = 2000;

/** Follows the output of execution `id` into `pre`; `state` tells whether it still follows. Returns stop(). */
export function followOutput(id, pre, state) {
  const controller = new AbortController();
  let offset = 0;
  const run = async () => {
    state.textContent = 'following…';
    while (!controller.signal.aborted) {
      let page;
      try {
        page = await executions.output(id, offset, WAIT_SECONDS, { signal: controller.signal });
      } catch (error) {
        if (controller.signal.aborted) return;
        state.textContent = `Cannot read the output: ${describeError(error)}`;
        if (error.status === 401 || error.status === 404) return;
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        continue;
      }
      // Follow the end only when the reader is already there (one who scrolled up keeps their place).
      const atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
      for (const chunk of page.output) pre.append(el('span', { class: chunk.output_type === 'stderr' ? 'stderr' : 'stdout' }, chunk.data));
      if (atEnd) pre.scrollTop = pre.scrollHeight;
      offset = page.next_offset;
      pre.dataset.offset = String(offset);
      if (page.done) {
        state.textContent = pre.childNodes.length ? `ended (${page.status})` : `no output (${page.status})`;
        pre.dataset.done = 'true';
        return;
      }
    }
  };
  void run();
  return { stop: () => controller.abort() };
}
