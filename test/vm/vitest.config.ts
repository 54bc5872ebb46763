// `npm run test:vm`: the suites that boot qemu-system VMs (containers/vm/).
// Their files end in .vmtest.ts so that the main config's test/**/*.test.ts
// (npm test) never boots a VM.
import { defineConfig } from 'vitest/config';
import { alias, env, root } from '../../vitest.shared.js';

export default defineConfig({
  root,
  resolve: { alias },
  test: {
    include: ['test/vm/**/*.vmtest.ts'],
    // One boot per suite; TCG on a busy 2-core host is slow.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    env,
  },
});
