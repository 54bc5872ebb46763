// `npm run test:containers`: the suites that run the probe in Docker
// containers (containers/docker/). Their files end in .ctest.ts so that the
// main config's test/**/*.test.ts (npm test) never needs Docker. Same
// aliases and corpus as vitest.config.ts.
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
    include: ['test/containers/**/*.ctest.ts'],
    // A first run builds the image; each container is about half a second after that.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // One Docker daemon: the suites' containers run one file at a time.
    fileParallelism: false,
    env: { SECCHECK_CORPUS: findCorpus() },
  },
});
