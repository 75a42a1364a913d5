export * from './html';
export * from './markdown';
export * from './types';
export * from './write';
