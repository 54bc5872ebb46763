// `npm run test:vm`: the suites that boot qemu-system VMs (containers/vm/).
// Their files end in .vmtest.ts so that the main config's test/**/*.test.ts
// (npm test) never boots a VM. Same aliases and corpus as vitest.config.ts.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { findCorpus } from '../../emulator/src/__test-helpers__/corpus_path.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));

export default defineConfig({
  root,
  resolve: {
    alias: {
      'unicorn-bpf-emulator': fileURLToPath(new URL('../../emulator/src/index.ts', import.meta.url)),
      'seccheck/properties': fileURLToPath(new URL('../../properties/index.ts', import.meta.url)),
    },
  },
  test: {
    include: ['test/vm/**/*.vmtest.ts'],
    // One boot per suite; TCG on a busy 2-core host is slow.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    env: { SECCHECK_CORPUS: findCorpus() },
  },
});
