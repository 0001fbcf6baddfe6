/** What grouping needs of an event: its place (site, camera, zone) and the rule that raised it. */
export interface Groupable {
  site: string;
  camera: string;
  zone: string;
  type: string;
  rule: string | null;
}

export interface EventGroup<E extends Groupable> {
  key: string;
  /** The group's first member in the order given (the most urgent when the input is sorted by urgency). */
  lead: E;
  members: E[];
}

/** One rule at one place: a loitering crowd raises many alerts of the same key. */
export const groupKey = (e: Groupable): string => JSON.stringify([e.site, e.camera, e.zone, e.rule ?? e.type]);

/**
 * The events grouped by rule and place, in the order of each group's first member; members keep the input's order.
 * No DOM: the queue draws it, a unit test checks it.
 */
export function groupEvents<E extends Groupable>(events: readonly E[]): EventGroup<E>[] {
  const groups = new Map<string, EventGroup<E>>();
  for (const e of events) {
    const key = groupKey(e);
    const g = groups.get(key);
    if (g) g.members.push(e);
    else groups.set(key, { key, lead: e, members: [e] });
  }
  return [...groups.values()];
}
