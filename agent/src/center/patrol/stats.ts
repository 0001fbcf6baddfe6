import type { PatrolStore } from '../store/patrol-store.ts';
import type { CloseReason } from './schema.ts';
import { overdueStages } from './workflow.ts';

export interface PatrolStats {
  open: number;
  closed: number;
  /** Closed orders per closing reason; `corrected_after_warning` is the warnings' own count (无事不扰). */
  closedAs: Partial<Record<CloseReason, number>>;
  warned: number;
  overdueOpen: number;
  escalations: number;
  repeats: number;
}

/** The patrol's counts over the latest orders (for the statistics pages and the benchmark). */
export async function patrolStats(store: PatrolStore, now: number): Promise<PatrolStats> {
  const orders = await store.listOrders({ limit: 100_000 });
  const closedAs: PatrolStats['closedAs'] = {};
  for (const o of orders) if (o.closedAs) closedAs[o.closedAs] = (closedAs[o.closedAs] ?? 0) + 1;
  const open = orders.filter((o) => o.state !== 'closed');
  return {
    open: open.length,
    closed: orders.length - open.length,
    closedAs,
    warned: orders.filter((o) => o.warned).length,
    overdueOpen: open.filter((o) => overdueStages(o, now).length > 0).length,
    escalations: (await store.listEscalations(100_000)).length,
    repeats: orders.filter((o) => o.repeatOf !== null).length,
  };
}
