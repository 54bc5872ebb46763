export * from './fuzz.js';
export * from './spec.js';
export * from './differential.js';
