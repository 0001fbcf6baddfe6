import { readFile } from 'node:fs/promises';
import type { CameraHealth } from '../contract/health.ts';
import { writeFileAtomic } from '../core/durable.ts';

/**
 * A file the agent rewrites every health interval, so a container HEALTHCHECK or a watchdog can tell the agent is
 * alive without a listening port (boxes are push-only).
 */
export interface HealthFile {
  at: string;
  pid: number;
  connected: boolean;
  /** How often the agent rewrites the file: the health check allows three intervals (files without it: 10 s). */
  intervalSeconds?: number;
  cameras: CameraHealth[];
}

export async function writeHealthFile(path: string, h: HealthFile): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(h)}\n`);
}

/** Null when the file says the agent is alive and recent enough; otherwise why not. */
export async function healthProblem(path: string, now = Date.now()): Promise<string | null> {
  let h: HealthFile;
  try {
    h = JSON.parse(await readFile(path, 'utf8')) as HealthFile;
  } catch (err) {
    return `no health file at ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): the agent is not running or has not started yet`;
  }
  const maxAgeMs = (h.intervalSeconds ?? 10) * 3000 + 5000;
  const age = now - Date.parse(h.at);
  if (!(age <= maxAgeMs))
    return `health file ${path} is ${Math.round(age / 1000)} s old (limit ${Math.round(maxAgeMs / 1000)} s): the agent is stuck or stopped`;
  return null;
}
