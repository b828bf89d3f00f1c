import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration suites start real daemons (sshd, Slurm); running files one at a time keeps them from
    // fighting over ports and CPU on 2-core machines.
    fileParallelism: false,
    reporters: ['default'],
  },
});
