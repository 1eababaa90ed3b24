import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/setup/web.ts'],
    env: { BUILD_WEB: 'false' },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Files that start PGlite and brokers are heavy; two at a time suits the 2-core machines.
    maxWorkers: 2,
    // expect.poll waits for an outcome, not for a speed: a loaded CI machine may take seconds.
    expect: { poll: { timeout: 20_000 } },
  },
});
