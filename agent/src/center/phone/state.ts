import { pageData } from '../../web/client/dom.ts';
import { translator } from '../../web/client/i18n.ts';
import type { Order } from '../patrol/schema.ts';
import type { PhonePageData, TaskBrief } from './brief.ts';
import { phoneMessages } from './messages.ts';
import type { OutboxItem, Outcome, Where } from './outbox.ts';
import type { SlotsAnswer } from './slots.ts';

/* What the phone page draws from: the server's page data, the tasks the feed keeps current, and the officer's drafts. */

export const data = pageData<PhonePageData>();
export const t = translator(phoneMessages);
/** A word chosen by a value from the server (a state): the value itself when there is no word for it. */
export const tr = (key: string) => (key in phoneMessages ? t(key as keyof typeof phoneMessages) : key);

export interface Draft {
  outcome?: Outcome;
  note: string;
}

export const state = {
  tasks: new Map<string, Order>(),
  briefs: new Map<string, TaskBrief>(),
  outbox: [] as OutboxItem[],
  fix: null as (Where & { at: number }) | null,
  gpsError: null as string | null,
  onDuty: false,
  /** The unit's duty has been read from the center (this page's session). */
  unitKnown: false,
  /** The live feed is connected (the center is reachable). */
  live: false,
  loginNeeded: false,
  /** The task open on screen, or null for the list. */
  open: null as string | null,
  drafts: new Map<string, Draft>(),
  /** His unit's planned patrol slots, today's and tomorrow's (null until first read from the center). */
  slots: null as SlotsAnswer | null,
  /** Tasks that arrived since the list was last looked at (highlighted). */
  fresh: new Set<string>(),
};

export const draftOf = (id: string): Draft => {
  let d = state.drafts.get(id);
  if (!d) state.drafts.set(id, (d = { note: '' }));
  return d;
};

/** The orders still for this officer, newest first: those to accept, then those under way. */
export function openTasks(): Order[] {
  const rank: Record<string, number> = { dispatched: 0, accepted: 1, on_scene: 1, handled: 2 };
  return [...state.tasks.values()]
    .filter((o) => o.state in rank)
    .sort((a, b) => rank[a.state] - rank[b.state] || b.updatedAt.localeCompare(a.updatedAt));
}
