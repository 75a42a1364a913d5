export * from './cdn';
export * from './loader';
export * from './model';
export * from './regions';
export * from './schema';
