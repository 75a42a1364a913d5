export * from './html';
export * from './markdown';
export * from './region-deny-scp';
export * from './residency-report';
export * from './retention';
export * from './svg';
export * from './write-report';
