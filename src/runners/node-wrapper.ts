/**
 * The child side of the node-script runner, run as `node --input-type=module --eval <source>` so it
 * travels inside any bundle. Reads `{ entryPoint, parameters, context }` as JSON on stdin, imports the
 * entry point, awaits `run(parameters, context)` and prints `{"result": ..., "status": true}` (or
 * `{"result": null, "status": false, "error": {message, stack}}`) between st2's delimiter lines.
 */
export const NODE_WRAPPER_SOURCE = String.raw`
import { pathToFileURL } from 'node:url';

const DELIMITER = '%%%%%~=~=~=************=~=~=~%%%%\n';

function serialize(block) {
  try {
    return JSON.stringify(block, (_key, value) => (typeof value === 'bigint' ? value.toString() : value));
  } catch (error) {
    return JSON.stringify({ result: String(block.result), status: block.status, error: 'result is not JSON-serialisable: ' + error.message });
  }
}

function finish(block, code) {
  // Exit only after everything written so far (the action's own output first) has left both pipes.
  process.stdout.write(DELIMITER + serialize(block) + '\n' + DELIMITER, () => {
    process.stderr.write('', () => process.exit(code));
  });
}

function pickRun(module) {
  if (typeof module.run === 'function') return module.run;
  if (module.default && typeof module.default.run === 'function') return module.default.run;
  if (typeof module.default === 'function') return module.default;
  return undefined;
}

let payload;
try {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  payload = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const module = await import(pathToFileURL(payload.entryPoint).href);
  const run = pickRun(module);
  if (!run) throw new TypeError(payload.entryPoint + ' does not export a run(params, context) function');
  const result = await run(payload.parameters ?? {}, payload.context ?? {});
  finish({ result: result === undefined ? null : result, status: true }, 0);
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  const stack = error instanceof Error && error.stack ? error.stack : message;
  process.stderr.write(stack + '\n');
  finish({ result: null, status: false, error: { message, stack } }, 1);
}
`;
