import { dirname, resolve } from 'node:path';

export const DEFAULT_DATA_DIR = 'data';

/**
 * Where a config's data lives: its `dataDir`, else `$JIFANG_DATA_DIR` (containers and services set it without
 * editing every config), else `data`; relative to the config file's folder. Without zod, so that
 * `jifang healthcheck` finds the health file without loading the config schema.
 */
export function dataDirOf(raw: unknown, configFile: string): string {
  const given = (raw as { dataDir?: unknown } | null)?.dataDir;
  const dir = typeof given === 'string' && given ? given : process.env.JIFANG_DATA_DIR || DEFAULT_DATA_DIR;
  return resolve(dirname(resolve(configFile)), dir);
}
