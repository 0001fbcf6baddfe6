import { statfs } from 'node:fs/promises';
import type { BoxHealth } from '../console/wire.ts';
import { redact } from '../core/redact.ts';
import type { PublisherStats } from '../publish/publisher.ts';

/** What the console's Health page shows of the box beyond its cameras, read when asked. */
export async function boxHealth(
  brokerUrl: string,
  stats: PublisherStats | null,
  dataDir: string,
  degraded: string | undefined,
  now = Date.now(),
): Promise<BoxHealth> {
  // A data folder that cannot be read (unmounted) shows as unknown figures, not as an error page.
  const disk = await statfs(dataDir).then(
    (s) => ({ freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize }),
    () => ({ freeBytes: null, totalBytes: null }),
  );
  const outbox = stats?.outbox;
  return {
    broker: {
      url: redact(brokerUrl),
      connected: stats?.connected ?? false,
      protocolVersion: stats?.protocolVersion ?? 0,
      reconnects: stats?.reconnects ?? 0,
      delivered: stats?.delivered ?? 0,
    },
    outbox: {
      messages: outbox?.messages ?? 0,
      bytes: outbox?.bytes ?? 0,
      oldestAgeSeconds: outbox?.oldestCreatedAt == null ? null : (now - outbox.oldestCreatedAt) / 1000,
      held: stats?.held ?? 0,
      dropped: { ...(outbox?.dropped ?? {}) },
    },
    disk: { path: dataDir, ...disk },
    ...(degraded ? { degraded } : {}),
  };
}
