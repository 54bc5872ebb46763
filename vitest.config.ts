import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { findCorpus } from './emulator/src/__test-helpers__/corpus_path.mjs';

export default defineConfig({
  resolve: {
    // Tests run the emulator's TypeScript sources, not its build.
    alias: {
      'unicorn-bpf-emulator': fileURLToPath(new URL('./emulator/src/index.ts', import.meta.url)),
      'seccheck/properties': fileURLToPath(new URL('./properties/index.ts', import.meta.url)),
    },
  },
  test: {
    include: ['emulator/src/**/*.test.ts', 'src/**/*.test.ts', 'properties/**/*.test.ts', 'native/**/*.test.ts', 'test/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 60_000,
    // Tests and the README's vitest example read the shared corpus in place.
    env: { SECCHECK_CORPUS: findCorpus() },
  },
});
