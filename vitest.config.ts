import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

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
  },
});
