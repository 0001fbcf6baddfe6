import type { ServerResponse } from 'node:http';
import type { Logger } from '../../core/log.ts';
import { archivePoller, frame } from '../feed.ts';
import type { PatrolStore } from '../store/patrol-store.ts';
import { createStreams, DEFAULT_STREAM_LIMITS, type StreamLimits } from '../streams.ts';
import type { Order, Unit } from './schema.ts';

/**
 * The patrol's live channels. The archive is the source (several instances write to one database): each instance
 * polls for orders and units changed lately, and at once when it changed one itself. Officers get `task` for their
 * unit's orders (and once more for an order taken from their unit) and `unit` for their unit; the desktop feed gets
 * `order` and `unit` for all, and `unit-removed` for a unit deleted.
 */
export interface PatrolLive {
  /** An officer's stream (`GET /api/patrol/feed`), for his unit; over the limits, a 503 or 429 that says which. */
  attachOfficer(res: ServerResponse, user: string, unitId: string): void;
  kick(): void;
  officers(): number;
  close(): void;
}

export interface PatrolLiveDeps {
  store: PatrolStore;
  /** Presents changed orders and all units at this moment. */
  present: (orders: Awaited<ReturnType<PatrolStore['changedOrdersSince']>>) => Promise<{ orders: Order[]; units: Unit[] }>;
  /** The desktop feed's sender (`/api/stream`) and whether any page listens to it. */
  desktop: (type: 'order' | 'unit' | 'unit-removed', data: unknown) => void;
  desktopClients: () => number;
  log: Logger;
  pollMs?: number;
  pingMs?: number;
  now?: () => number;
  limits?: StreamLimits;
}

export function startPatrolLive(d: PatrolLiveDeps): PatrolLive {
  const now = d.now ?? Date.now;
  const officers = createStreams<string>("officers' feed", d.limits ?? DEFAULT_STREAM_LIMITS, d.log);
  const sentOrders = new Map<string, { updatedAt: string; unit: string | undefined }>();
  const sentUnits = new Map<string, string>();
  /** Deletions announced, by id and time (the poll looks back a few seconds and finds them again). */
  const sentRemovals = new Set<string>();

  const toUnit = (unitId: string | undefined, type: string, data: unknown) => {
    if (!unitId) return;
    officers.send(frame(type, data), (u) => u === unitId);
  };

  const sendOrders = (orders: Order[]) => {
    for (const o of orders) {
      const before = sentOrders.get(o.id);
      if (before?.updatedAt === o.updatedAt) continue;
      sentOrders.set(o.id, { updatedAt: o.updatedAt, unit: o.unit });
      d.desktop('order', o);
      toUnit(o.unit, 'task', o);
      if (before?.unit && before.unit !== o.unit) toUnit(before.unit, 'task', o);
    }
  };
  const sendUnits = (units: Unit[]) => {
    for (const u of units) {
      const key = JSON.stringify(u);
      if (sentUnits.get(u.id) === key) continue;
      sentUnits.set(u.id, key);
      d.desktop('unit', u);
      toUnit(u.id, 'unit', u);
    }
  };

  /** Units deleted (here, by another instance or by `jifang center units`) and not created again since. */
  const sendRemovals = (removed: { id: string; at: number }[], units: Unit[]) => {
    for (const r of removed) {
      const key = `${r.id}@${r.at}`;
      if (sentRemovals.has(key) || units.some((u) => u.id === r.id)) continue;
      sentRemovals.add(key);
      sentUnits.delete(r.id);
      d.desktop('unit-removed', { id: r.id });
    }
  };

  const poll = archivePoller(
    async (since) => {
      const changed = await d.store.changedOrdersSince(since);
      const removed = await d.store.deletedUnitsSince(since);
      if (!changed.length && !removed.length && !(await d.store.changedUnitsSince(since)).length) return;
      const { orders, units } = await d.present(changed);
      sendOrders(orders);
      sendUnits(units);
      sendRemovals(removed, units);
    },
    now,
    (err) => d.log.warn({ err }, 'patrol live poll failed'),
  );

  const timer = setInterval(() => {
    if (officers.size() || d.desktopClients()) void poll();
  }, d.pollMs ?? 500);
  const ping = setInterval(() => officers.send(frame('ping', { at: new Date(now()).toISOString() })), d.pingMs ?? 15_000);
  timer.unref();
  ping.unref();

  return {
    attachOfficer(res, user, unitId) {
      officers.admit(res, user, unitId);
      res.write(frame('ping', { at: new Date(now()).toISOString() }));
    },
    kick: () => void poll(),
    officers: () => officers.size(),
    close() {
      clearInterval(timer);
      clearInterval(ping);
      officers.close();
    },
  };
}
