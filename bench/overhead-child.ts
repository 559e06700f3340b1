// One subject of the overhead benchmark, alone in its process: `node bench/overhead-child.ts <id> <rounds>`.
// Prints one JSON line with the medians of the raw transport and of the subject, in ns per call.

import { timeSubject } from './overhead.ts';

const [id = 'ours', rounds = '21'] = process.argv.slice(2);
console.log(JSON.stringify(await timeSubject(id, Number(rounds))));
