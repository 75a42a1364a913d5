export * from './figures';
export * from './html';
export * from './markdown';
export * from './sections';
export * from './types';
export * from './write';
