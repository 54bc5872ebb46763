// `npm run test:containers`: the suites that run the probe in Docker
// containers (containers/docker/). Their files end in .ctest.ts so that the
// main config's test/**/*.test.ts (npm test) never needs Docker.
import { defineConfig } from 'vitest/config';
import { alias, env, root } from '../../vitest.shared.js';

export default defineConfig({
  root,
  resolve: { alias },
  test: {
    include: ['test/containers/**/*.ctest.ts'],
    // A first run builds the image; each container is about half a second after that.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // One Docker daemon: the suites' containers run one file at a time.
    fileParallelism: false,
    env,
  },
});
