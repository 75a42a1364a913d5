export * from './cdn';
export * from './loader';
export * from './model';
export { REPLICATION_LATENCY_ALARM_MS } from './operations-schema';
export * from './regions';
export * from './schema';
