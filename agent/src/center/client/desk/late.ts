import type { Order, Stage } from '../../patrol/schema.ts';

/* When a work order is late: pure, no DOM (the unit tests read it). */

/** Which stages are done in each state: a stage is late only while it is not done. */
const DONE: Record<Stage, readonly Order['state'][]> = {
  dispatch: ['dispatched', 'accepted', 'on_scene', 'handled', 'closed'],
  arrive: ['on_scene', 'handled', 'closed'],
  handle: ['handled', 'closed'],
};

/**
 * The stages of an open order that are late now: the center's own list, and a deadline that passed since it was
 * sent (the page stays open; the clock moves on without a feed message).
 */
export function lateStages(o: Order, now: number): Stage[] {
  if (o.state === 'closed') return [];
  const late = new Set(o.overdue.filter((s) => !DONE[s].includes(o.state)));
  for (const s of ['dispatch', 'arrive', 'handle'] as const) if (!DONE[s].includes(o.state) && Date.parse(o.due[s]) < now) late.add(s);
  return [...late];
}
