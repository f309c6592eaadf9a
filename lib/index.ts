export * from './weight';
export * from './match';
export * from './routing';
export * from './website';
export * from './istio-entry';
export * from './canary-release';
