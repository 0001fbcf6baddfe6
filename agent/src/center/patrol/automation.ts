import type { Alert } from '../../contract/alert.ts';
import type { ForwarderConfig } from '../config.ts';
import { orderRepeated } from './orders.ts';
import type { Escalation, OrderAction, ShopContact, Stage } from './schema.ts';
import { alertPlace, type PatrolDeps, PatrolService } from './service.ts';
import { inDutyHours } from './units.ts';
import { contactsOfSpot, localTime, sendWarning, type WarningWords } from './warn.ts';
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
  return new PatrolAutomation(deps);
}

type BoxExtra = { reason?: 'corrected_after_warning'; note?: string };

class PatrolAutomation implements Patrol {
  readonly service: PatrolService;
  private readonly now: () => number;
  private readonly timer: NodeJS.Timeout;
  private ticking = false;

  constructor(private readonly deps: PatrolAutomationDeps) {
    this.now = deps.now ?? Date.now;
    // Every new order, whoever opened it, gets its warning first where one is configured.
    this.service = new PatrolService({ ...deps, opened: (o) => this.warnIfConfigured(o), moved: (o, t) => this.verifyIfCleared(o, t) });
    this.timer = setInterval(() => this.scheduledTick(), deps.cfg.checkSeconds * 1000);
    this.timer.unref();
  }

  private get db() {
    return this.deps.store.patrol;
  }

  async onAlert(alert: Alert): Promise<void> {
    const orders = await this.db.ordersOfEvent(alert.site, alert.id);
    if (alert.state === 'cleared') return this.onCleared(alert, orders);
    if (alert.state === 'ended') return;
    if (orders.length) return this.onSeen(alert, orders);
    if (alert.state === 'started') await this.onNew(alert);
  }

  async tick(): Promise<void> {
    const { cfg } = this.deps;
    for (const o of await this.db.listOrders({ open: true, limit: 10_000 })) {
      const w = cfg.warnings.find((x) => x.types.includes(o.category));
      if (o.state === 'warning' && this.now() - o.updatedAt >= (w?.waitSeconds ?? 0) * 1000) {
        const s = systemStep(o, 'warning_expired', this.now(), 'not cleared within the wait: to dispatch');
        if (s && (await this.db.saveStep(o.rev, s.order, s.transition)) === 'saved') this.deps.changed();
        continue;
      }
      await this.escalate(o);
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private scheduledTick(): void {
    if (this.ticking) return;
    this.ticking = true;
    this.tick()
      .catch((err) => this.deps.log.warn({ err }, 'patrol check failed'))
      .finally(() => {
        this.ticking = false;
      });
  }

  /** A step the box's message takes: where is the spot its camera sees (the archive says where, as for an officer). */
  private async byBox(o: OrderRecord, alert: Alert, action: OrderAction, extra: BoxExtra = {}): Promise<void> {
    const [lon, lat] = alert.location.coordinates;
    await this.service.apply(o.id, { action, by: `box:${alert.site}`, at: this.now(), where: { lon, lat }, ...extra }).catch((err) => {
      this.deps.log.warn({ err, orderId: o.id, eventId: alert.id, action }, 'automatic order step refused');
    });
  }

  private async warnIfConfigured(o: OrderRecord): Promise<void> {
    const { cfg, store } = this.deps;
    const w = cfg.warnings.find((x) => x.types.includes(o.category));
    // Only a camera can see the violation cleared within the wait: a hand-made order goes straight on.
    if (!w || o.events.length === 0) return;
    const s = systemStep(o, 'warn', this.now(), `warning, waiting ${w.waitSeconds} s for the box to see it cleared`);
    if (!s || (await this.db.saveStep(o.rev, s.order, s.transition)) !== 'saved') return;
    this.deps.changed();
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
    const contacts = w.forwarder ? await this.contactsOf(o) : [];
    void sendWarning(w, words, { forwarders: this.deps.forwarders, contacts }, this.deps.log);
  }

  /** The shop contacts of the order's spot: by the cameras of its alerts, or by their area. */
  private async contactsOf(o: OrderRecord): Promise<ShopContact[]> {
    const cameras: string[] = [];
    for (const ref of o.events) {
      const a = await this.deps.store.latestAlert(ref.id, ref.site);
      if (a) cameras.push(`${a.site}/${a.camera}`);
    }
    return contactsOfSpot(await this.db.listShopContacts(), cameras, o.lon, o.lat);
  }

  /** The camera may see the spot clear before the officer reports it handled (the vendor left as he arrived). */
  private async verifyIfCleared(o: OrderRecord, t: TransitionRecord): Promise<void> {
    if (t.action !== 'handle') return;
    for (const ref of o.events) {
      const alert = await this.deps.store.latestAlert(ref.id, ref.site);
      if (alert?.state === 'cleared') return this.byBox(o, alert, 'verify', { note: 'the camera saw the spot clear' });
    }
  }

  private async onCleared(alert: Alert, orders: OrderRecord[]): Promise<void> {
    for (const o of orders) {
      if (o.state === 'warning')
        await this.byBox(o, alert, 'close', { reason: 'corrected_after_warning', note: 'cleared after the warning' });
      else if (o.state === 'handled') await this.byBox(o, alert, 'verify', { note: 'the camera sees the spot clear' });
    }
  }

  private async onSeen(alert: Alert, orders: OrderRecord[]): Promise<void> {
    const seenAt = Date.parse(alert.observedAt);
    for (const o of orders)
      if (o.state === 'handled' && seenAt > (o.done.handle ?? 0))
        await this.byBox(o, alert, 'reopen', { note: 'still seen after handled' });
    const last = orders.at(-1);
    if (!last || orders.some((o) => o.state !== 'closed')) return;
    if (seenAt > last.updatedAt && this.now() - last.updatedAt <= this.deps.cfg.repeatMinutes * 60_000) await this.openFor(alert, true);
  }

  private async openFor(alert: Alert, repeat: boolean): Promise<void> {
    await this.service.open({
      ...alertPlace(alert),
      events: [{ site: alert.site, id: alert.id }],
      note: repeat ? 'seen again after closing' : null,
      openedBy: 'system',
      openedAt: this.now(),
    });
  }

  private async onNew(alert: Alert): Promise<void> {
    const { cfg } = this.deps;
    const at = this.now();
    const p = alertPlace(alert);
    const auto = cfg.autoOpen.some(
      (r) => r.types.includes(p.category) && (r.schedule.length === 0 || inDutyHours(r.schedule, at, cfg.utcOffsetMinutes)),
    );
    const closed = await this.db.listOrders({ states: ['closed'], limit: 500 });
    const repeated = orderRepeated(closed, p.category, p.lon, p.lat, cfg.mergeMeters, cfg.repeatMinutes, at);
    if (auto || repeated) await this.openFor(alert, repeated !== null);
  }

  /**
   * The stage marked escalated on the order. A person's step may land between reading the order and saving the mark
   * (the dispatcher acting on the overdue order): the order is read again, as the recorded escalation is never retried.
   */
  private async markEscalated(id: string, stage: Stage, at: number): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const fresh = await this.db.getOrder(id);
      if (!fresh || fresh.escalated.includes(stage)) return;
      const next = { ...fresh, escalated: [...fresh.escalated, stage], updatedAt: at, rev: fresh.rev + 1 };
      if ((await this.db.saveStep(fresh.rev, next, null)) === 'saved') return;
    }
  }

  private async escalate(o: OrderRecord): Promise<void> {
    const at = this.now();
    for (const stage of toEscalate(o, at)) {
      const e = { orderId: o.id, stage, due: o.due[stage], at, unit: o.unit, category: o.category };
      if (!(await this.db.recordEscalation(e))) continue;
      await this.markEscalated(o.id, stage, at);
      this.deps.log.warn({ orderId: o.id, stage, unit: o.unit }, 'work order overdue: escalated to the supervisors');
      this.deps.escalated({
        orderId: o.id,
        stage,
        due: new Date(e.due).toISOString(),
        at: new Date(at).toISOString(),
        category: o.category,
        ...(o.unit ? { unit: o.unit } : {}),
      });
      this.deps.changed();
    }
  }
}
