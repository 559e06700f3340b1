// One subject of the overhead benchmark, alone in its process:
// `node bench/overhead-child.ts <id> <rounds> [baseline]`. Prints one JSON line with the medians of the
// baseline (the raw transport unless told) and of the subject, in ns per call.

import { timeSubject } from './overhead.ts';
import { prepareStore } from './store.ts';

const [id = 'ours', rounds = '21', baseline = 'raw'] = process.argv.slice(2);
const stop = id === 'ours-store' ? await prepareStore() : undefined;
console.log(JSON.stringify(await timeSubject(id, Number(rounds), 60, baseline)));
await stop?.();
