/**
 * The simulated fleet of `npm run bench:center` in a process of its own, so making and publishing its messages does
 * not take the event loop of the centers measured. Options as JSON in argv[2] (test/helpers/fleet-simulator.ts); prints
 * what it published as one line of JSON.
 */
import { type FleetOptions, runFleet } from '../test/helpers/fleet-simulator.ts';

const opts = JSON.parse(process.argv[2] ?? '{}') as FleetOptions & { speed?: number | null };
const run = await runFleet({ ...opts, speed: opts.speed ?? Number.POSITIVE_INFINITY });
process.stdout.write(
  `${JSON.stringify({
    events: run.events,
    snapshots: [...run.snapshots],
    latestHealth: [...run.latestHealth],
    messages: run.messages,
    snapshotBytes: run.snapshotBytes,
  })}\n`,
);
