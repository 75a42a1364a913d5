export * from './cdn';
export * from './encryption';
export * from './finding';
export * from './guardrails';
export * from './inventory';
export * from './replication';
export * from './rules';
