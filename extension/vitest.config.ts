import { defineConfig } from 'vitest/config';
import SummaryLineReporter from './test/support/summary-reporter';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 10_000,
    reporters: ['default', new SummaryLineReporter()],
  },
});
