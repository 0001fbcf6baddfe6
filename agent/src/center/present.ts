import { urlHost } from '../core/redact.ts';
import type { PageId } from './client/pages/table.ts';
import type { CenterConfig } from './config.ts';
import { offsetMinutesOf } from './planner.ts';
import { ACTION_ROLES } from './roles.ts';
import type { EventMessageRow } from './store/types.ts';
import type {
  ActionRow,
  BoxRow,
  CenterPageData,
  DeliveryRow,
  DeliveryStat,
  EventDetail,
  EventRow,
  ForwarderView,
  PresentedBox,
  PresentedEvent,
} from './wire.ts';

/* The archive's rows as the pages receive them (the types in ./wire.ts): pure, no HTTP. */

/** An event as the console shows it: the archive row, its point (WGS-84: the page's map shifts it to the tiles' datum). */
export function presentEvent(e: EventRow): PresentedEvent {
  return {
    ...e,
    map: [e.lon, e.lat],
    thumbnail: `/api/events/${encodeURIComponent(e.id)}/thumbnail?site=${encodeURIComponent(e.site)}&rev=${e.rev}`,
  };
}

/**
 * A box as the console shows it: its point (WGS-84), once its status said where it stands. The cameras of a box that
 * is offline are offline too: their last reported state is no longer true.
 */
export function presentBox(b: BoxRow): PresentedBox {
  const cameras = b.online ? b.cameras : b.cameras.map((c) => ({ ...c, state: 'offline', reason: null }));
  return { ...b, cameras, map: b.location ? [b.location.lon, b.location.lat] : null };
}

/** One event in full: its latest alert, every lifecycle message, the actions taken on it and its deliveries. */
export function presentEventDetail(got: {
  event: EventRow;
  messages: EventMessageRow[];
  actions: ActionRow[];
  deliveries: DeliveryRow[];
}): EventDetail {
  return {
    event: presentEvent(got.event),
    alert: got.messages.at(-1)?.alert ?? null,
    messages: got.messages.map((m) => ({
      seq: m.seq,
      state: m.state,
      snapshot: m.snapshotSha,
      receivedAt: m.receivedAt,
      observedAt: m.alert.observedAt,
      dwellSeconds: m.alert.dwellSeconds,
      operator: m.alert.operator ?? null,
      reason: m.alert.reason ?? null,
    })),
    actions: got.actions,
    deliveries: got.deliveries,
  };
}

/**
 * The configured forwarders with their delivery counts; a URL's credentials are never shown. Webhooks carry their
 * token in the URL itself (DingTalk, WeCom, Feishu): only an admin, who may read the config anyway, sees more than
 * the host.
 */
export function presentForwarders(cfg: CenterConfig, stats: DeliveryStat[], role: string): ForwarderView[] {
  const byId = new Map(stats.map((s) => [s.forwarder, s]));
  return cfg.forwarders.map((f) => ({
    id: f.id,
    name: f.name ?? f.id,
    url: role === 'admin' ? f.url.replace(/\/\/[^@/]*@/, '//***@') : urlHost(f.url),
    states: f.states,
    stats: byId.get(f.id) ?? { forwarder: f.id, pending: 0, delivered: 0, failed: 0, lastError: null, lastDeliveredAt: null },
  }));
}

/** What a page starts from: the user, what their role may do, the units and the city's clock (the map's basemap is /api/map/style.json). */
export function centerPageData(cfg: CenterConfig, view: PageId, session: { user: string; role: string }): CenterPageData {
  return {
    view,
    name: cfg.name,
    user: session.user,
    role: session.role,
    actionRoles: ACTION_ROLES,
    units: cfg.units,
    reminderMinutes: cfg.dispatchReminderMinutes,
    offsetMinutes: offsetMinutesOf(cfg.risk.utcOffset),
  };
}
