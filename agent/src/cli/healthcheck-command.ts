import { join } from 'node:path';
import { loadConfig } from '../config/load.ts';
import { healthProblem } from '../runtime/health-file.ts';

/**
 * `jifang healthcheck CONFIG`: exit 0 when the agent of that config refreshed its health file recently
 * (three health intervals). For container HEALTHCHECKs and watchdogs; needs no network port.
 */
export async function healthcheckCommand(argv: string[]): Promise<number> {
  const [file] = argv;
  if (!file) {
    process.stderr.write('usage: jifang healthcheck CONFIG\n');
    return 2;
  }
  const { config } = loadConfig(file);
  const problem = await healthProblem(join(config.dataDir, 'health.json'), config.mqtt.healthIntervalSeconds * 3000 + 5000);
  if (problem) {
    process.stderr.write(`${problem}\n`);
    return 1;
  }
  process.stdout.write('ok\n');
  return 0;
}
