/** Orquesta workflows: spec loader/validator and the event-driven conductor (pure). */
export * from './spec/index.ts';
export * from './conductor/index.ts';
