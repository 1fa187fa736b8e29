/**
 * autocannon through its programmatic API, for bodies its CLI cannot send: the CLI reads `-i` files as UTF-8 text,
 * which corrupts a binary body (the REST binary data extension). Prints autocannon's result as one JSON line, as
 * `autocannon --json` does.
 *
 *   node dist/bench/http-load.js --url http://127.0.0.1:8000/predict --body body.bin [--header k=v ...]
 *     [--connections 32] [--duration 8 | --amount N] [--rate N]
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    body: { type: 'string' },
    header: { type: 'string', multiple: true, default: [] },
    connections: { type: 'string', default: '32' },
    duration: { type: 'string', default: '8' },
    rate: { type: 'string' },
    // A number of requests instead of a duration.
    amount: { type: 'string' },
  },
});
// autocannon is CommonJS without type declarations.
const autocannon = createRequire(import.meta.url)('autocannon') as (options: Record<string, unknown>) => Promise<unknown>;
const headers = Object.fromEntries(values.header.map((h) => [h.slice(0, h.indexOf('=')), h.slice(h.indexOf('=') + 1)]));
const result = await autocannon({
  url: values.url, method: 'POST', headers, body: readFileSync(values.body!), connections: Number(values.connections), duration: Number(values.duration),
  ...(values.rate === undefined ? {} : { overallRate: Number(values.rate) }),
  ...(values.amount === undefined ? {} : { amount: Number(values.amount) }),
});
process.stdout.write(`${JSON.stringify(result)}\n`);
