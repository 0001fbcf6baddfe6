import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { dataDirOf } from '../config/data-dir.ts';
import { healthProblem } from '../runtime/health-file.ts';
import { defineCommand, UserError } from './command.ts';

/**
 * `jifang healthcheck CONFIG`: exit 0 when the agent of that config refreshed its health file recently
 * (three of its health intervals). For container HEALTHCHECKs and watchdogs, run every few seconds on small boxes:
 * it reads only where the data lives (the agent validated the config when it started), loads no schema or model
 * and opens no port.
 */
export const command = defineCommand({
  summary: { args: 'CONFIG', text: 'exit 0 if the agent of CONFIG is alive (container health checks)' },
  usage: `usage: jifang healthcheck CONFIG

  exit 0 and print "ok" when the agent running CONFIG refreshed <dataDir>/health.json within three health
  intervals; exit 1 with the reason otherwise (for container HEALTHCHECKs and watchdogs; opens no port)
`,
  positionals: { min: 1, max: 1, missing: 'a CONFIG file' },
  async run({ positionals: [file] }, io) {
    let raw: unknown;
    try {
      raw = parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new UserError(
        `${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message.split('\n')[0]}`,
      );
    }
    const problem = await healthProblem(join(dataDirOf(raw, file), 'health.json'));
    if (problem) {
      io.err.write(`${problem}\n`);
      return 1;
    }
    io.out.write('ok\n');
    return 0;
  },
});
