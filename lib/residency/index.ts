export * from './cdn';
export * from './encryption';
export * from './finding';
export * from './guardrails';
export * from './inventory';
export * from './lambda-reach';
export * from './replication';
export * from './rules';
