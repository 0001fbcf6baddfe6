import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../config/load.ts';

/** The box's id in alerts and the MQTT client id: the configured one, else the host name made topic-safe. */
export function boxIdOf(site: { boxId?: string }): string {
  if (site.boxId) return site.boxId;
  const h = hostname()
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return h.slice(0, 63) || 'box';
}

/** The agent's version, as package.json says (alerts and status carry it). */
export function agentVersion(): string {
  const pkg = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
