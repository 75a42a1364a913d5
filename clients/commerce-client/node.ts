/** For Node (kiosks, micro apps, storefront servers): everything in index.ts, plus the file-backed store. */
export * from './index';
export { FileStore } from './storage/file-store';
