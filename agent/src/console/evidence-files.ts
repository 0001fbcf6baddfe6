import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface EvidenceLink {
  kind: string;
  name: string;
  sha256: string;
  /** Under the console's /evidence/ route. */
  href: string;
}

/**
 * The stored files of an event, read from its `event.json` in `root/<day>/<eventId>/` (the evidence store's
 * layout). Read-only: the console never writes evidence.
 */
export async function evidenceLinks(root: string, eventId: string): Promise<EvidenceLink[]> {
  const days = await readdir(root).catch(() => [] as string[]);
  for (const day of days
    .filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d))
    .sort()
    .reverse()) {
    const meta = await readFile(join(root, day, eventId, 'event.json'), 'utf8').catch(() => undefined);
    if (!meta) continue;
    try {
      const files = (JSON.parse(meta) as { files?: { kind: string; name: string; sha256: string }[] }).files ?? [];
      return files.map((f) => ({
        kind: f.kind,
        name: f.name,
        sha256: f.sha256,
        href: `/evidence/${day}/${encodeURIComponent(eventId)}/${encodeURIComponent(f.name)}`,
      }));
    } catch {
      return [];
    }
  }
  return [];
}
