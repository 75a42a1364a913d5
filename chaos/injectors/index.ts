export * from './drill-flag';
export * from './fis';
export * from './local';
export * from './route53';
export * from './types';
export * from './payment-mode';
