import { defineConfig } from 'vitest/config';
import { alias, env } from './vitest.shared.js';

export default defineConfig({
  resolve: { alias },
  test: {
    include: ['emulator/src/**/*.test.ts', 'src/**/*.test.ts', 'properties/**/*.test.ts', 'native/**/*.test.ts', 'test/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 60_000,
    // Tests and the README's vitest example read the shared corpus in place.
    env,
  },
});
