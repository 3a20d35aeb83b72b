// Adds the plain closing line "N passed, N failed[, N skipped]" that ./coachflow test and CI read, after
// vitest's own summary.
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryLineReporter implements Reporter {
  private line = '';

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of modules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
      if (module.state() === 'failed' && !module.children.size) failed++; // a file that failed to load
    }
    this.line = `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
  }

  // Printed from onFinished, which runs after every reporter's onTestRunEnd, so it lands after vitest's summary.
  onFinished(): void {
    if (this.line) process.stdout.write(`${this.line}\n`);
  }
}
