// Prints vitest's result counts as one plain line ("vitest: N passed, N failed, N skipped"), read by CI.
import { readFileSync } from 'node:fs';

const report = JSON.parse(readFileSync(new URL('../reports/vitest.json', import.meta.url), 'utf8')) as {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
};
console.log(
  `vitest: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${report.numPendingTests + report.numTodoTests} skipped`,
);
