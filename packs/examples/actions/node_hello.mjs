// An action for the node-script runner: the module exports `run(params, context)`;
// what it returns is the result, a thrown error fails the execution.
export async function run(params, context) {
  const greeting = `Hello, ${params.name}!`;
  console.log(`greeting ${params.name}`);
  return {
    greeting: params.shout ? greeting.toUpperCase() : greeting,
    executionId: context?.executionId ?? null,
  };
}
