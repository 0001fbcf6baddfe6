import { randomBytes } from 'node:crypto';
import type { Alert } from '../../contract/alert.ts';
import type { Logger } from '../../core/log.ts';
import type { BlobStore } from '../store/blob-store.ts';
import type { CenterStore } from '../store/types.ts';
import { OPEN_ROLES, refuseAction } from './access.ts';
import { limitsFor, type PatrolConfig } from './config.ts';
import { newOrder, type OrderSeed, orderRepeated, orderToJoin, presentOrder, withEvents } from './orders.ts';
import type {
  CreateOrderBody,
  EventRef,
  Order,
  OrderListQuery,
  Position,
  Proposal,
  ShopContact,
  ShopContactSpec,
  TransitionBody,
  TransitionConflict,
  Unit,
  UnitSpec,
} from './schema.ts';
import { memberConflict, presentUnit, proposeUnits, type UnitRecord } from './units.ts';
import { type OrderRecord, openingTransition, type StepRequest, step, type TransitionRecord } from './workflow.ts';

/** A refusal in the service's words; the routes say it in HTTP. */
export class PatrolError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409,
    message: string,
    readonly body?: TransitionConflict,
  ) {
    super(message);
  }
}

export interface Actor {
  user: string;
  role: string;
}

export interface PatrolDeps {
  store: CenterStore;
  cfg: PatrolConfig;
  blobs: BlobStore;
  /** The existing `dispatch` action on a linked alert (the box then watches the spot). */
  dispatchAlert: (ref: EventRef, unit: string, actor: Actor) => Promise<void>;
  /** An order or a unit changed here: the live channels look now. */
  changed: () => void;
  /** A new order was stored (the warning step hooks here). */
  opened?: (o: OrderRecord) => Promise<void>;
  /** A person moved an order (核查 by the box hooks here). */
  moved?: (o: OrderRecord, t: TransitionRecord) => Promise<void>;
  log: Logger;
  now?: () => number;
}

const newOrderId = () => `wo-${randomBytes(6).toString('hex')}`;

/** The patrol use cases: units, orders and their workflow. Automation (alerts, deadlines, warnings) is in automation.ts. */
export class PatrolService {
  readonly now: () => number;
  private readonly db: CenterStore['patrol'];
  /** The last `open` started: they run one after the other (see `open`). */
  private opening: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: PatrolDeps) {
    this.now = deps.now ?? Date.now;
    this.db = deps.store.patrol;
  }

  async units(): Promise<Unit[]> {
    const by = new Map<string, OrderRecord['state'][]>();
    for (const o of await this.db.listOrders({ open: true, limit: 10_000 }))
      if (o.unit) by.set(o.unit, [...(by.get(o.unit) ?? []), o.state]);
    const at = this.now();
    return (await this.db.listUnits()).map((u) => presentUnit(u, by.get(u.id) ?? [], at, this.deps.cfg.utcOffsetMinutes));
  }

  async unitOf(user: string): Promise<UnitRecord | null> {
    return (await this.db.listUnits()).find((u) => u.members.includes(user)) ?? null;
  }

  private async officerUnit(actor: Actor): Promise<string | null> {
    return actor.role === 'patrol' ? ((await this.unitOf(actor.user))?.id ?? null) : null;
  }

  /** The order, if the actor may see it: an officer only his unit's. */
  private async readable(actor: Actor, id: string): Promise<OrderRecord> {
    const o = await this.db.getOrder(id);
    if (!o) throw new PatrolError(404, `no work order ${id}`);
    if (actor.role === 'patrol' && (o.unit === null || o.unit !== (await this.officerUnit(actor))))
      throw new PatrolError(403, 'refused: this order is not assigned to your unit');
    return o;
  }

  /**
   * Opens an order (or links the alerts to the open one of that spot); `opened` false when they joined one. Another
   * writer may change the order to join between reading and saving it (the automation linking the same alert as it is
   * archived, a deadline escalated): the spot is read again and the alerts linked to what it holds then. Opens run one
   * after the other in an instance: a person and the automation each finding no open order at a spot would otherwise
   * each open one there.
   */
  open(seed: Omit<OrderSeed, 'id' | 'repeatOf'>): Promise<{ order: OrderRecord; opened: boolean }> {
    const run = this.opening.then(() => this.openNow(seed));
    this.opening = run.catch(() => undefined);
    return run;
  }

  private async openNow(seed: Omit<OrderSeed, 'id' | 'repeatOf'>): Promise<{ order: OrderRecord; opened: boolean }> {
    const { cfg, log } = this.deps;
    for (let attempt = 0; ; attempt++) {
      const recent = await this.db.listOrders({ limit: 500 });
      const join = orderToJoin(recent, seed.category, seed.lon, seed.lat, cfg.mergeMeters);
      if (join) {
        const linked = await this.link(join, seed.events);
        if (linked) return { order: linked, opened: false };
        if (attempt > 0) throw new PatrolError(409, 'the order changed meanwhile: try again');
        continue;
      }
      const repeated = orderRepeated(recent, seed.category, seed.lon, seed.lat, cfg.mergeMeters, cfg.repeatMinutes, seed.openedAt);
      const order = newOrder({ ...seed, id: newOrderId(), repeatOf: repeated?.id ?? null }, limitsFor(cfg, seed.category));
      await this.db.insertOrder(order, openingTransition(order, seed.note));
      log.info({ orderId: order.id, category: order.category, by: order.openedBy, repeatOf: order.repeatOf }, 'work order opened');
      this.deps.changed();
      await this.deps.opened?.(order);
      return { order: (await this.db.getOrder(order.id)) ?? order, opened: true };
    }
  }

  /** The order with the alerts linked; null when another writer changed it since it was read. */
  private async link(o: OrderRecord, refs: readonly EventRef[]): Promise<OrderRecord | null> {
    const events = withEvents(o, refs);
    if (!events) return o;
    const next = { ...o, events, updatedAt: this.now(), rev: o.rev + 1 };
    if ((await this.db.saveStep(o.rev, next, null)) !== 'saved') return null;
    this.deps.changed();
    return next;
  }

  /** Applies one action, retrying once when another writer came first; a repeated clientId changes nothing. */
  async apply(id: string, req: StepRequest): Promise<{ order: OrderRecord; transition: TransitionRecord | null }> {
    for (let attempt = 0; ; attempt++) {
      const o = await this.db.getOrder(id);
      if (!o) throw new PatrolError(404, `no work order ${id}`);
      if (req.clientId && (await this.db.transitionByClientId(req.clientId))) return { order: o, transition: null };
      const r = step(o, req, limitsFor(this.deps.cfg, o.category));
      if (!r.ok) throw new PatrolError(409, r.conflict, { error: r.conflict, state: o.state, allowed: r.allowed });
      const saved = await this.db.saveStep(o.rev, r.order, r.transition);
      if (saved === 'duplicate') return { order: (await this.db.getOrder(id)) ?? o, transition: null };
      if (saved === 'saved') {
        this.deps.log.info({ orderId: id, action: req.action, by: req.by, from: o.state, to: r.order.state }, 'work order moved');
        this.deps.changed();
        return r;
      }
      if (attempt > 0) throw new PatrolError(409, 'the order changed meanwhile: reload it and try again');
    }
  }

  private dispatchOnBoxes(o: OrderRecord, actor: Actor): void {
    const { unit } = o;
    if (!unit) return;
    for (const ref of o.events)
      this.deps
        .dispatchAlert(ref, unit, actor)
        .catch((err) => this.deps.log.warn({ err, orderId: o.id, eventId: ref.id }, 'dispatch to the box failed'));
  }

  async putUnit(id: string, spec: UnitSpec): Promise<'created' | 'replaced'> {
    // An officer acts for one unit: his task list and his position are that unit's.
    const conflict = memberConflict(await this.db.listUnits(), id, spec.members);
    if (conflict) throw new PatrolError(409, conflict);
    const r = await this.db.putUnit({ ...spec, id, updatedAt: this.now() });
    this.deps.changed();
    return r;
  }

  async deleteUnit(id: string): Promise<void> {
    if ((await this.db.listOrders({ unit: id, open: true, limit: 1 })).length)
      throw new PatrolError(409, `unit ${id} has open work orders: reassign or close them first`);
    if (!(await this.db.deleteUnit(id, this.now()))) throw new PatrolError(404, `no unit ${id}`);
    this.deps.changed();
  }

  shopContacts(): Promise<ShopContact[]> {
    return this.db.listShopContacts();
  }

  putShopContact(id: string, spec: ShopContactSpec): Promise<'created' | 'replaced'> {
    return this.db.putShopContact({ ...spec, id }, this.now());
  }

  async deleteShopContact(id: string): Promise<void> {
    if (!(await this.db.deleteShopContact(id))) throw new PatrolError(404, `no shop contact ${id}`);
  }

  private async memberUnit(actor: Actor): Promise<UnitRecord> {
    const u = await this.unitOf(actor.user);
    if (!u) throw new PatrolError(403, `refused: ${actor.user} is a member of no patrol unit`);
    return u;
  }

  async setDuty(actor: Actor, onDuty: boolean): Promise<Unit> {
    const u = await this.memberUnit(actor);
    await this.db.setDuty(u.id, onDuty, this.now());
    this.deps.changed();
    return (await this.units()).find((x) => x.id === u.id) as Unit;
  }

  async setPosition(actor: Actor, p: Position): Promise<void> {
    const u = await this.memberUnit(actor);
    await this.db.setPosition(u.id, p, this.now());
    this.deps.changed();
  }

  async listOrders(actor: Actor, q: OrderListQuery): Promise<Order[]> {
    const mine = actor.role === 'patrol' ? await this.officerUnit(actor) : undefined;
    if (mine === null) return [];
    const unit = mine ?? q.unit;
    const rows = await this.db.listOrders({
      ...(q.state ? { states: q.state.split(',') } : {}),
      ...(unit ? { unit } : {}),
      ...(q.open === '1' ? { open: true } : {}),
      ...(q.limit ? { limit: q.limit } : {}),
    });
    const at = this.now();
    const list = rows.map((o) => presentOrder(o, at));
    return q.overdue === '1' ? list.filter((o) => o.overdue.length > 0) : list;
  }

  async getOrder(actor: Actor, id: string): Promise<Order> {
    const o = await this.readable(actor, id);
    return presentOrder(o, this.now(), await this.db.transitions(id));
  }

  async openOrder(actor: Actor, body: CreateOrderBody): Promise<{ order: Order; opened: boolean }> {
    if (!(OPEN_ROLES as readonly string[]).includes(actor.role))
      throw new PatrolError(403, `refused: opening an order needs the role ${OPEN_ROLES.join(' or ')}; you are ${actor.role}`);
    const at = this.now();
    const seed =
      'manual' in body ? manualSeed(body.manual, actor.user, at) : await alertSeed(this.deps.store, body.events, body.note, actor.user, at);
    const r = await this.open(seed);
    return { order: presentOrder(r.order, this.now()), opened: r.opened };
  }

  async proposals(actor: Actor, id: string): Promise<Proposal[]> {
    const o = await this.readable(actor, id);
    return proposeUnits(await this.units(), o.lon, o.lat);
  }

  async transition(actor: Actor, id: string, body: TransitionBody): Promise<Order> {
    const o = await this.readable(actor, id);
    const refusal = refuseAction(actor, body.action, o, await this.officerUnit(actor));
    if (refusal) throw new PatrolError(refusal.status, refusal.error);
    if (body.action === 'dispatch' && body.unitId && !(await this.db.getUnit(body.unitId)))
      throw new PatrolError(400, `unitId: no unit ${body.unitId}`);
    // 核查 without a camera rests on the officer's photo: the second person confirms what it shows.
    if (body.action === 'verify' && o.state === 'handled' && o.events.length === 0 && o.photos.length === 0) {
      const error = '核查 of an order no camera watches needs the officer’s photo of the result first';
      throw new PatrolError(409, error, { error, state: o.state, allowed: ['close', 'reopen'] });
    }
    const r = await this.apply(id, { ...body, unit: body.unitId, by: actor.user, at: this.now() });
    if (r.transition?.action === 'dispatch') this.dispatchOnBoxes(r.order, actor);
    if (r.transition) await this.deps.moved?.(r.order, r.transition);
    return presentOrder((await this.db.getOrder(id)) ?? r.order, this.now(), await this.db.transitions(id));
  }

  async addPhoto(actor: Actor, id: string, jpeg: Buffer, clientId: string | null): Promise<string> {
    await this.readable(actor, id);
    if (clientId) {
      const had = await this.db.photoByClientId(clientId);
      if (had) return had;
    }
    if (jpeg.length < 4 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new PatrolError(400, 'expected a JPEG (it starts with FF D8)');
    const put = await this.deps.blobs.put(jpeg);
    if (await this.db.addPhoto({ orderId: id, sha256: put.sha256, bytes: put.bytes, by: actor.user, at: this.now(), clientId }))
      this.deps.changed();
    return put.sha256;
  }

  /** The evidence picture of the order's first alert (its thumbnail, else its archived snapshot). */
  async evidence(actor: Actor, id: string): Promise<Buffer> {
    const { store } = this.deps;
    const o = await this.readable(actor, id);
    for (const ref of o.events) {
      const a = await store.latestAlert(ref.id, ref.site);
      if (a?.evidence.thumbnail) return Buffer.from(a.evidence.thumbnail.base64, 'base64');
      const snap = a?.evidence.snapshot ? await store.getSnapshot(a.evidence.snapshot.sha256) : null;
      if (snap) return snap;
    }
    throw new PatrolError(404, `no evidence picture for order ${id}`);
  }

  async photo(actor: Actor, id: string, photoId: string): Promise<Buffer> {
    const o = await this.readable(actor, id);
    if (!o.photos.includes(photoId)) throw new PatrolError(404, `order ${id} has no photo ${photoId}`);
    const data = await this.deps.blobs.get(photoId);
    if (!data) throw new PatrolError(404, `photo ${photoId} is not on this center's disk`);
    return data;
  }
}

function manualSeed(
  m: { lon: number; lat: number; address?: string | undefined; category: string; note?: string | undefined },
  by: string,
  at: number,
) {
  return {
    category: m.category,
    lon: m.lon,
    lat: m.lat,
    address: m.address ?? null,
    events: [],
    note: m.note ?? null,
    openedBy: by,
    openedAt: at,
  };
}

/** An order's seed from its alerts: the first one's category and spot; all must be archived and of one category. */
async function alertSeed(store: CenterStore, refs: readonly EventRef[], note: string | undefined, by: string, at: number) {
  const alerts: Alert[] = [];
  for (const r of refs) {
    const a = await store.latestAlert(r.id, r.site);
    if (!a || a.site !== r.site) throw new PatrolError(404, `no event ${r.id} of site ${r.site}`);
    alerts.push(a);
  }
  const category = alertPlace(alerts[0]).category;
  const other = alerts.find((a) => alertPlace(a).category !== category);
  if (other) throw new PatrolError(400, `events: ${other.id} is ${alertPlace(other).category}, not ${category}: one order is one category`);
  const [first] = alerts;
  return { ...alertPlace(first), events: [...refs], note: note ?? null, openedBy: by, openedAt: at };
}

/** An alert's spot and its category: the catalogue's event type, else (an older box) its rule type. */
export function alertPlace(a: Alert): { category: string; lon: number; lat: number; address: string | null } {
  const [lon, lat] = a.location.coordinates;
  return { category: a.category?.id ?? a.type, lon, lat, address: a.address ?? null };
}
