import type { Alert } from '../../contract/alert.ts';
import type { ForwarderConfig } from '../config.ts';
import { orderRepeated } from './orders.ts';
import type { Escalation, OrderAction } from './schema.ts';
import { alertPlace, createPatrolService, type PatrolDeps, type PatrolService } from './service.ts';
import { inDutyHours } from './units.ts';
import { localTime, sendWarning, type WarningWords } from './warn.ts';
import { type OrderRecord, systemStep, type TransitionRecord, toEscalate } from './workflow.ts';

export interface PatrolAutomationDeps extends PatrolDeps {
  forwarders: readonly ForwarderConfig[];
  /** An overdue stage was escalated to the supervisors (once). */
  escalated: (e: Escalation) => void;
}

export interface Patrol {
  service: PatrolService;
  /** An alert message was archived: open, warn-clear, verify, reopen or repeat orders as it says. */
  onAlert(alert: Alert): Promise<void>;
  /** Deadlines and warning waits, checked every `checkSeconds` (and by tests). */
  tick(): Promise<void>;
  stop(): void;
}

/**
 * The patrol's automation around the service: orders opened per event type and schedule, the box's `cleared`
 * verifying a handled order (核查) or ending a warning, a violation still seen after `handled` reopening the order,
 * one seen again soon after closing opening a repeat, overdue stages escalated once, warnings given before dispatch.
 */
export function startPatrol(deps: PatrolAutomationDeps): Patrol {
  const { store, cfg, log } = deps;
  const db = store.patrol;
  const now = deps.now ?? Date.now;
  // Every new order, whoever opened it, gets its warning first where one is configured.
  const service = createPatrolService({ ...deps, opened: (o) => warnIfConfigured(o), moved: (o, t) => verifyIfCleared(o, t) });

  const byBox = (o: OrderRecord, alert: Alert, action: OrderAction, extra: { reason?: 'corrected_after_warning'; note?: string } = {}) =>
    service.apply(o.id, { action, by: `box:${alert.site}`, at: now(), ...extra }).catch((err) => {
      log.warn({ err, orderId: o.id, eventId: alert.id, action }, 'automatic order step refused');
    });

  const warnIfConfigured = async (o: OrderRecord) => {
    const w = cfg.warnings.find((x) => x.types.includes(o.category));
    // Only a camera can see the violation cleared within the wait: a hand-made order goes straight on.
    if (!w || o.events.length === 0) return;
    const s = systemStep(o, 'warn', now(), `warning, waiting ${w.waitSeconds} s for the box to see it cleared`);
    if (!s || (await db.saveStep(o.rev, s.order, s.transition)) !== 'saved') return;
    deps.changed();
    const first = await store.latestAlert(o.events[0].id, o.events[0].site);
    const words: WarningWords = {
      orderId: o.id,
      category: o.category,
      categoryName: first?.category?.name ?? o.category,
      address: o.address ?? '',
      time: localTime(o.openedAt, cfg.utcOffsetMinutes),
      lon: o.lon,
      lat: o.lat,
    };
    void sendWarning(w, words, deps.forwarders, log);
  };

  // The camera may see the spot clear before the officer reports it handled (the vendor left as he arrived).
  const verifyIfCleared = async (o: OrderRecord, t: TransitionRecord) => {
    if (t.action !== 'handle') return;
    for (const ref of o.events) {
      const alert = await store.latestAlert(ref.id, ref.site);
      if (alert?.state === 'cleared') return void (await byBox(o, alert, 'verify', { note: 'the camera saw the spot clear' }));
    }
  };

  const onCleared = async (alert: Alert, orders: OrderRecord[]) => {
    for (const o of orders) {
      if (o.state === 'warning') await byBox(o, alert, 'close', { reason: 'corrected_after_warning', note: 'cleared after the warning' });
      else if (o.state === 'handled') await byBox(o, alert, 'verify', { note: 'the camera sees the spot clear' });
    }
  };

  const onSeen = async (alert: Alert, orders: OrderRecord[]) => {
    const seenAt = Date.parse(alert.observedAt);
    for (const o of orders)
      if (o.state === 'handled' && seenAt > (o.done.handle ?? 0)) await byBox(o, alert, 'reopen', { note: 'still seen after handled' });
    const last = orders.at(-1);
    if (!last || orders.some((o) => o.state !== 'closed')) return;
    if (seenAt > last.updatedAt && now() - last.updatedAt <= cfg.repeatMinutes * 60_000) await openFor(alert, true);
  };

  const openFor = async (alert: Alert, repeat: boolean) => {
    await service.open({
      ...alertPlace(alert),
      events: [{ site: alert.site, id: alert.id }],
      note: repeat ? 'seen again after closing' : null,
      openedBy: 'system',
      openedAt: now(),
    });
  };

  const onNew = async (alert: Alert) => {
    const at = now();
    const auto = cfg.autoOpen.some(
      (r) => r.types.includes(alertPlace(alert).category) && (r.schedule.length === 0 || inDutyHours(r.schedule, at, cfg.utcOffsetMinutes)),
    );
    const p = alertPlace(alert);
    const repeated = orderRepeated(
      await db.listOrders({ states: ['closed'], limit: 500 }),
      p.category,
      p.lon,
      p.lat,
      cfg.mergeMeters,
      cfg.repeatMinutes,
      at,
    );
    if (auto || repeated) await openFor(alert, repeated !== null);
  };

  const escalate = async (o: OrderRecord) => {
    const at = now();
    for (const stage of toEscalate(o, at)) {
      const e = { orderId: o.id, stage, due: o.due[stage], at, unit: o.unit, category: o.category };
      if (!(await db.recordEscalation(e))) continue;
      const fresh = await db.getOrder(o.id);
      if (fresh && !fresh.escalated.includes(stage))
        await db.saveStep(fresh.rev, { ...fresh, escalated: [...fresh.escalated, stage], updatedAt: at, rev: fresh.rev + 1 }, null);
      log.warn({ orderId: o.id, stage, unit: o.unit }, 'work order overdue: escalated to the supervisors');
      deps.escalated({
        orderId: o.id,
        stage,
        due: new Date(e.due).toISOString(),
        at: new Date(at).toISOString(),
        category: o.category,
        ...(o.unit ? { unit: o.unit } : {}),
      });
      deps.changed();
    }
  };

  const tick = async () => {
    for (const o of await db.listOrders({ open: true, limit: 10_000 })) {
      const w = cfg.warnings.find((x) => x.types.includes(o.category));
      if (o.state === 'warning' && now() - o.updatedAt >= (w?.waitSeconds ?? 0) * 1000) {
        const s = systemStep(o, 'warning_expired', now(), 'not cleared within the wait: to dispatch');
        if (s && (await db.saveStep(o.rev, s.order, s.transition)) === 'saved') deps.changed();
        continue;
      }
      await escalate(o);
    }
  };

  let ticking = false;
  const timer = setInterval(() => {
    if (ticking) return;
    ticking = true;
    tick()
      .catch((err) => log.warn({ err }, 'patrol check failed'))
      .finally(() => {
        ticking = false;
      });
  }, cfg.checkSeconds * 1000);
  timer.unref();

  return {
    service,
    async onAlert(alert) {
      const orders = await db.ordersOfEvent(alert.site, alert.id);
      if (alert.state === 'cleared') return onCleared(alert, orders);
      if (alert.state === 'ended') return;
      if (orders.length) return onSeen(alert, orders);
      if (alert.state === 'started') await onNew(alert);
    },
    tick,
    stop: () => clearInterval(timer),
  };
}
