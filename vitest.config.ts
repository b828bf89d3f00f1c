import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // CLI suites spawn a real process per command; on a loaded 2-core machine a case can take over a minute.
    testTimeout: 180_000,
    hookTimeout: 120_000,
    // Integration suites start real daemons (sshd, Slurm); running files one at a time keeps them from
    // fighting over ports and CPU on 2-core machines.
    fileParallelism: false,
    reporters: ['default'],
  },
});
