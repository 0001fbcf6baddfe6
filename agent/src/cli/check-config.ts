import { loadConfig } from '../config/load.ts';
import { ConfigError } from '../config/errors.ts';

/** `jifang check-config FILE...`: every problem on its own line as `FILE: path: message`; exit 1 if any. */
export async function checkConfigCommand(argv: string[]): Promise<number> {
  if (argv.length === 0) {
    process.stderr.write('usage: jifang check-config FILE...\n');
    return 2;
  }
  let failed = false;
  for (const file of argv) {
    try {
      const { config } = loadConfig(file);
      const zones = config.cameras.reduce((n, c) => n + c.zones.length, 0);
      const rules = config.cameras.reduce((n, c) => n + c.zones.reduce((m, z) => m + z.rules.length, 0), 0);
      process.stdout.write(`${file}: ok (site ${config.site.id}, ${config.cameras.length} camera(s), ${zones} zone(s), ${rules} rule(s))\n`);
    } catch (err) {
      failed = true;
      process.stderr.write(`${err instanceof ConfigError ? err.message : `${file}: ${(err as Error).message}`}\n`);
    }
  }
  return failed ? 1 : 0;
}
