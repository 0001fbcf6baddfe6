/**
 * One command-center instance of `npm run bench:center` in a process of its own, as instances run in a city (each its
 * own event loop and CPU): two instances in the bench's process would share one. The raw config as JSON in argv[2],
 * its folder in argv[3]. Prints `{"url"}` once running; on each line `report` from stdin prints its ingest counters
 * and its own CPU seconds as one line of JSON; on `close` it stops and exits.
 */
import { createInterface } from 'node:readline';
import { parseCenterConfig } from '../agent/src/center/config.ts';
import { startCenter } from '../agent/src/center/service.ts';
import { silentLogger } from '../agent/src/core/log.ts';

const center = await startCenter(
  parseCenterConfig(JSON.parse(process.argv[2] ?? '{}'), 'bench.yaml', process.argv[3] ?? '.'),
  silentLogger,
);
process.stdout.write(`${JSON.stringify({ url: center.url })}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'report') {
    const cpu = process.cpuUsage();
    process.stdout.write(`${JSON.stringify({ counters: center.counters, cpuSeconds: (cpu.user + cpu.system) / 1e6 })}\n`);
  } else if (line === 'close') break;
}
await center.close();
process.exit(0);
