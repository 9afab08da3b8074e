export { parseWorkflow, loadWorkflow } from './parse.ts';
export { parseInlineParams } from './inline.ts';
export { buildGraph, outboundEdges } from './graph.ts';
export * from './types.ts';
