import { parentPort, workerData } from 'node:worker_threads';
import { fitForPlan, type RefitInput, type RefitOutput, replayDiscovery } from './patrol-plan.ts';

/* The nightly refit in its own thread: seconds of arithmetic on a year of incidents that must not stall ingest. */

const input = workerData as RefitInput;
const model = fitForPlan(input.incidents, input.at, input.cellMeters);
const out: RefitOutput = { model, backtest: replayDiscovery(input.incidents, model, input.budget, input.weeks) };
parentPort?.postMessage(out);
