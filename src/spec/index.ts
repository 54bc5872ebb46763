// seccheck verify as a library: the spec file and checking a filter against it.
export * from './spec.js';
export * from './verify.js';
