// The embedded emulators in a process of their own, so that benchmarks measure our code's CPU and
// not the SQS emulator's (in AWS both services run elsewhere). Prints one JSON line with the endpoints,
// then runs until stdin closes or a signal arrives.
import { startEmulators } from '../src/substrate/index.ts';

const emulators = await startEmulators();
const stop = () => void emulators.stop().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop).resume();
console.log(JSON.stringify({ sqsEndpoint: emulators.sqsEndpoint, dynamodbEndpoint: emulators.dynamodbEndpoint }));
