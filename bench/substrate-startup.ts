// Start-up time of the embedded substrate (fauxqs + DynamoDB Local both answering): median of N runs.
//   node --import tsx bench/substrate-startup.ts [runs=5]
import { startEmulators } from '../src/substrate/index.ts';

const runs = Number(process.argv[2] ?? 5);
const startMs: number[] = [];
const stopMs: number[] = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const emulators = await startEmulators({ env: { PATH: process.env.PATH, JAVA_HOME: process.env.JAVA_HOME } });
  const t1 = performance.now();
  await emulators.stop();
  startMs.push(t1 - t0);
  stopMs.push(performance.now() - t1);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
console.log(`substrate start: median ${median(startMs).toFixed(0)} ms over ${runs} runs [${fmt(startMs)}]`);
console.log(`substrate stop:  median ${median(stopMs).toFixed(0)} ms [${fmt(stopMs)}]`);
