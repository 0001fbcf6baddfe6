/**
 * The simulated fleet of `npm run bench:center` in a process of its own, so making and publishing its messages does
 * not take the event loop of the centers measured. Options as JSON in argv[2] (test/helpers/fleet-simulator.ts). Every
 * message is made before the first is published; prints `{"publishing":true}` then, and at the end what it published
 * as one line of JSON, with its CPU seconds making the messages (with its start) and publishing them.
 */
import { type FleetOptions, runFleet } from '../test/helpers/fleet-simulator.ts';

const opts = JSON.parse(process.argv[2] ?? '{}') as FleetOptions & { speed?: number | null };
const cpu = () => (process.cpuUsage().user + process.cpuUsage().system) / 1e6;
let making = 0;
const run = await runFleet({
  ...opts,
  speed: opts.speed ?? Number.POSITIVE_INFINITY,
  prebuild: true,
  onPublishing: () => {
    making = cpu();
    process.stdout.write(`${JSON.stringify({ publishing: true })}\n`);
  },
});
process.stdout.write(
  `${JSON.stringify({
    events: run.events,
    snapshots: [...run.snapshots],
    latestHealth: [...run.latestHealth],
    messages: run.messages,
    snapshotBytes: run.snapshotBytes,
    cpuSeconds: { making, publishing: cpu() - making },
  })}\n`,
);
