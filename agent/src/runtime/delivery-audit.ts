import type { AuditLog } from '../audit/audit-log.ts';
import type { Delivery } from '../publish/publisher.ts';

/** A delivery's audit record; the publisher deletes the outbox row only once it is on disk. */
export function deliveryRecorder(audit: Pick<AuditLog, 'append'>): (d: Delivery) => Promise<void> {
  return (d) =>
    audit.append('delivery', {
      outboxId: d.message.id,
      kind: d.message.kind,
      camera: d.message.camera,
      eventId: d.message.eventId,
      state: d.message.state,
      topic: d.message.topic,
      ackedAt: new Date(d.ackedAt).toISOString(),
    });
}
