export * from './executions.ts';
export * from './output.ts';
export * from './errors.ts';
export * from './keys.ts';
export * from './workflow-children.ts';
