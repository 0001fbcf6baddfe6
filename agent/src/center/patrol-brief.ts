import type { Order } from './patrol/schema.ts';
import type { TaskBrief } from './phone/brief.ts';
import type { CenterStore } from './store/types.ts';
import type { ArchivedAlert } from './wire.ts';

/*
 * What the officer's phone shows of an order beyond the order: the first linked alert's standard category, plate, rule
 * in words, address and whether a picture exists (served by the patrol API's evidence route). The phone never reads the operators' event API: it sees only what its orders link.
 */

export type BriefStore = Pick<CenterStore, 'getEvent' | 'latestAlert'>;

export async function briefOf(store: BriefStore, order: Order): Promise<TaskBrief> {
  const ref = order.events[0];
  const none: TaskBrief = { category: null, plate: null, rule: null, ruleRef: null, address: order.place.address ?? null, picture: null };
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
    ruleRef: alert ? { type: alert.rule.type, parameters: alert.rule.parameters } : null,
    address: order.place.address ?? ev?.address ?? null,
    picture: hasPicture ? `/api/orders/${order.id}/evidence` : null,
  };
}
