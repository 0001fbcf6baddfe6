import type { Order } from './patrol/schema.ts';
import type { TaskBrief } from './phone/brief.ts';
import type { CenterStore } from './store/types.ts';
import type { ArchivedAlert } from './wire.ts';

/*
 * What the officer's phone shows of an order beyond the order: the first linked alert's standard category, plate, rule
 * in words, address and picture. The phone never reads the operators' event API: it sees only what its orders link.
 */

export type BriefStore = Pick<CenterStore, 'getEvent' | 'latestAlert' | 'getSnapshot'>;

export async function briefOf(store: BriefStore, order: Order): Promise<TaskBrief> {
  const ref = order.events[0];
  const none: TaskBrief = { category: null, plate: null, rule: null, address: order.place.address ?? null, picture: null };
  if (!ref) return none;
  const [got, alert] = await Promise.all([
    store.getEvent(ref.id, ref.site),
    store.latestAlert(ref.id, ref.site) as Promise<ArchivedAlert | null>,
  ]);
  const ev = got?.event;
  const cat = alert?.category;
  const hasPicture = Boolean(alert?.evidence.snapshot || alert?.evidence.thumbnail);
  return {
    category: cat
      ? { id: cat.id, name: cat.name, nameEn: cat.nameEn, ...(cat.code ? { code: cat.code } : {}) }
      : ev?.categoryName
        ? { id: ev.type, name: ev.categoryName, nameEn: ev.type, ...(ev.categoryCode ? { code: ev.categoryCode } : {}) }
        : null,
    plate: alert?.plate?.text ?? null,
    rule: alert?.rule.description ?? null,
    address: order.place.address ?? ev?.address ?? null,
    picture: hasPicture ? `/api/patrol/orders/${order.id}/picture` : null,
  };
}

/** The evidence picture of the order's first alert: the full snapshot when it arrived, else the thumbnail. */
export async function pictureOf(store: BriefStore, order: Order): Promise<Buffer | null> {
  const ref = order.events[0];
  if (!ref) return null;
  const alert = await store.latestAlert(ref.id, ref.site);
  const snap = alert?.evidence.snapshot ? await store.getSnapshot(alert.evidence.snapshot.sha256) : null;
  if (snap) return snap;
  const thumb = alert?.evidence.thumbnail;
  return thumb ? Buffer.from(thumb.base64, 'base64') : null;
}
