export { runProcess } from './run-process.ts';
export type { RunProcessOptions, ProcessResult, TextFilter } from './run-process.ts';
export { buildChildEnv, ENV_ALLOW_LIST } from './env.ts';
export type { BuildChildEnvOptions } from './env.ts';
export { LineChunker, splitAtBytes, DEFAULT_MAX_WRITE_BYTES } from './lines.ts';
export { CappedText } from './capture.ts';
export { groupMembers, signalGroup, terminateGroup, killGroup, waitGroupEmpty } from './group.ts';
export { PIPE_DRAIN_MS, releasePipesWhenGroupGone } from './pipes.ts';
export type { PipeRelease } from './pipes.ts';
