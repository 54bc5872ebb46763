// What every vitest config of the project shares: tests run the emulator's
// TypeScript sources (not its build), and read the shared corpus in place.
import { fileURLToPath } from 'node:url';
import { findCorpus } from './emulator/src/__test-helpers__/corpus_path.mjs';

export const root = fileURLToPath(new URL('.', import.meta.url));

export const alias = {
  'unicorn-bpf-emulator': fileURLToPath(new URL('./emulator/src/index.ts', import.meta.url)),
  'seccheck/properties': fileURLToPath(new URL('./properties/index.ts', import.meta.url)),
};

export const env = { SECCHECK_CORPUS: findCorpus() };
