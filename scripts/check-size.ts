// Size budgets, run by `npm test`: each entry of `entries` (scripts/bundle-size.ts) that has a budget must
// stay at or under it, minified + gzipped. Raise a budget only on purpose, in the same commit as the growth.

import { entries, kb, measureEntry, missing } from './bundle-size.ts';

let failures = 0;
for (const entry of entries) {
  if (entry.budget === undefined) continue;
  const why = await missing(entry);
  if (why) {
    console.log(`size: skip ${entry.label}: ${why} (budget ${kb(entry.budget)} applies once it does)`);
    continue;
  }
  const { gzip } = await measureEntry(entry);
  if (gzip > entry.budget) {
    failures++;
    console.error(
      `size: ${entry.label} is ${kb(gzip)} min+gz (${gzip} B), over its budget of ${kb(entry.budget)} ` +
        `by ${gzip - entry.budget} B. Shrink it, or raise the budget in scripts/bundle-size.ts on purpose.`,
    );
  } else {
    console.log(`size: ${entry.label} ${kb(gzip)} min+gz, budget ${kb(entry.budget)}`);
  }
}
if (failures) process.exit(1);
