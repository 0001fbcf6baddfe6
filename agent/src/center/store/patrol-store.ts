import type { ShopContact } from '../patrol/schema.ts';
import type { UnitRecord } from '../patrol/units.ts';
import type { OrderRecord, TransitionRecord } from '../patrol/workflow.ts';
import { type Db, num, numOrNull, type Row, strOrNull } from './db.ts';

export interface OrderFilter {
  states?: string[];
  unit?: string;
  open?: boolean;
  limit?: number;
}

export interface EscalationRecord {
  orderId: string;
  stage: string;
  due: number;
  at: number;
  unit: string | null;
  category: string;
}

export type StepSaved = 'saved' | 'stale' | 'duplicate';

export interface PhotoToPrune {
  orderId: string;
  sha256: string;
  bytes: number;
}

/** Patrol units, work orders and their history (migration 5). Every write of an order checks its revision. */
export interface PatrolStore {
  listUnits(): Promise<UnitRecord[]>;
  getUnit(id: string): Promise<UnitRecord | null>;
  /** Creates or replaces a unit's spec; its duty switch and position stay. */
  putUnit(u: Omit<UnitRecord, 'onDuty' | 'position'>): Promise<'created' | 'replaced'>;
  /** Deletes a unit and notes when (older notes are pruned): a page open elsewhere learns of it from the archive. */
  deleteUnit(id: string, at: number): Promise<boolean>;
  setDuty(id: string, onDuty: boolean, at: number): Promise<void>;
  setPosition(id: string, p: NonNullable<UnitRecord['position']>, at: number): Promise<void>;
  changedUnitsSince(since: number): Promise<UnitRecord[]>;
  /** The units deleted since `since` (by any process on this archive), with when. */
  deletedUnitsSince(since: number): Promise<{ id: string; at: number }[]>;

  /** A new order with its opening transition (and its alerts linked). */
  insertOrder(o: OrderRecord, opening: TransitionRecord): Promise<void>;
  /**
   * Saves a step: the order if still at `prevRev`, its transition, and links for new alerts. `duplicate` when the
   * transition's clientId is stored already (nothing changes), `stale` when another writer came first.
   */
  saveStep(prevRev: number, o: OrderRecord, t: TransitionRecord | null): Promise<StepSaved>;
  getOrder(id: string): Promise<OrderRecord | null>;
  listOrders(f: OrderFilter): Promise<OrderRecord[]>;
  ordersOfEvent(site: string, eventId: string): Promise<OrderRecord[]>;
  changedOrdersSince(since: number): Promise<OrderRecord[]>;
  transitions(orderId: string): Promise<TransitionRecord[]>;
  transitionByClientId(clientId: string): Promise<TransitionRecord | null>;

  /** Links a photo to an order (once per order and digest, once per clientId); false when it was there. */
  addPhoto(p: { orderId: string; sha256: string; bytes: number; by: string; at: number; clientId: string | null }): Promise<boolean>;
  photoByClientId(clientId: string): Promise<string | null>;
  /**
   * Photos of orders closed (and unchanged) since before `closedBefore`, not yet deleted by the retention, whose bytes
   * no other order still keeping its photos shares; the oldest first, at most `limit`.
   */
  photosToPrune(closedBefore: number, limit: number): Promise<PhotoToPrune[]>;
  /** The retention deleted these photos' bytes (the rows stay: who took which photo when). */
  markPhotosPruned(photos: readonly PhotoToPrune[], at: number): Promise<void>;
  listShopContacts(): Promise<ShopContact[]>;
  putShopContact(c: ShopContact, at: number): Promise<'created' | 'replaced'>;
  deleteShopContact(id: string): Promise<boolean>;
  /** Records an escalation once per order and stage; false when it was recorded already. */
  recordEscalation(e: EscalationRecord): Promise<boolean>;
  listEscalations(limit: number): Promise<EscalationRecord[]>;
}

const ORDER_COLUMNS =
  'id, state, category, lon, lat, address, unit, outcome, closed_as, note, photos_json, opened_by, opened_at, due_json, done_json, escalated_json, warned, repeat_of, handled_by, updated_at, rev';
const UNIT_COLUMNS = 'id, name, kind, members_json, area_json, duty_json, on_duty, lon, lat, accuracy_m, position_at, updated_at';
const TRANSITION_COLUMNS =
  'order_id, from_state, to_state, action, by_user, at, lon, lat, accuracy_m, note, unit, outcome, reason, client_id';

const json = (v: unknown) => JSON.stringify(v);
const parse = <T>(v: unknown): T => JSON.parse(String(v)) as T;

function unitRow(r: Row): UnitRecord {
  const at = numOrNull(r.position_at);
  const acc = numOrNull(r.accuracy_m);
  return {
    id: String(r.id),
    name: String(r.name),
    kind: String(r.kind) as UnitRecord['kind'],
    members: parse(r.members_json),
    area: parse(r.area_json),
    duty: parse(r.duty_json),
    onDuty: r.on_duty === null || r.on_duty === undefined ? null : num(r.on_duty) === 1,
    position:
      at === null
        ? null
        : { lon: num(r.lon), lat: num(r.lat), at: new Date(at).toISOString(), ...(acc !== null ? { accuracyM: acc } : {}) },
    updatedAt: num(r.updated_at),
  };
}

function orderRow(r: Row, events: OrderRecord['events']): OrderRecord {
  return {
    id: String(r.id),
    state: String(r.state) as OrderRecord['state'],
    category: String(r.category),
    events,
    lon: num(r.lon),
    lat: num(r.lat),
    address: strOrNull(r.address),
    unit: strOrNull(r.unit),
    outcome: strOrNull(r.outcome) as OrderRecord['outcome'],
    closedAs: strOrNull(r.closed_as) as OrderRecord['closedAs'],
    note: strOrNull(r.note),
    photos: parse(r.photos_json),
    openedBy: String(r.opened_by),
    openedAt: num(r.opened_at),
    due: parse(r.due_json),
    done: parse(r.done_json),
    escalated: parse(r.escalated_json),
    warned: num(r.warned) === 1,
    repeatOf: strOrNull(r.repeat_of),
    handledBy: strOrNull(r.handled_by),
    updatedAt: num(r.updated_at),
    rev: num(r.rev),
  };
}

function transitionRow(r: Row): TransitionRecord {
  const lon = numOrNull(r.lon);
  const acc = numOrNull(r.accuracy_m);
  return {
    orderId: String(r.order_id),
    from: strOrNull(r.from_state) as TransitionRecord['from'],
    to: String(r.to_state) as TransitionRecord['to'],
    action: String(r.action) as TransitionRecord['action'],
    by: String(r.by_user),
    at: num(r.at),
    where: lon === null ? null : { lon, lat: num(r.lat), ...(acc !== null ? { accuracyM: acc } : {}) },
    note: strOrNull(r.note),
    unit: strOrNull(r.unit),
    outcome: strOrNull(r.outcome) as TransitionRecord['outcome'],
    reason: strOrNull(r.reason) as TransitionRecord['reason'],
    clientId: strOrNull(r.client_id),
  };
}

const orderValues = (o: OrderRecord): unknown[] => [
  o.id,
  o.state,
  o.category,
  o.lon,
  o.lat,
  o.address,
  o.unit,
  o.outcome,
  o.closedAs,
  o.note,
  json(o.photos),
  o.openedBy,
  o.openedAt,
  json(o.due),
  json(o.done),
  json(o.escalated),
  o.warned ? 1 : 0,
  o.repeatOf,
  o.handledBy,
  o.updatedAt,
  o.rev,
];

async function insertTransition(db: Db, t: TransitionRecord): Promise<void> {
  await db.run(
    `INSERT INTO work_order_transitions (${TRANSITION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
    [
      t.orderId,
      t.from,
      t.to,
      t.action,
      t.by,
      t.at,
      t.where?.lon ?? null,
      t.where?.lat ?? null,
      t.where?.accuracyM ?? null,
      t.note,
      t.unit,
      t.outcome,
      t.reason,
      t.clientId,
    ],
  );
}

async function linkEvents(db: Db, o: OrderRecord): Promise<void> {
  for (const e of o.events)
    await db.run(
      'INSERT INTO work_order_events (order_id, site, event_id, linked_at) VALUES ($1, $2, $3, $4) ON CONFLICT (order_id, site, event_id) DO NOTHING',
      [o.id, e.site, e.id, o.updatedAt],
    );
}

/** Live polls read a deletion's note within seconds (a reloaded page reads the units anew): a day is plenty. */
const DELETIONS_KEPT_MS = 24 * 3600_000;

/** The store in parts that share nothing but `db`: units, orders with their transitions, photos and escalations, shop contacts. */
export function createPatrolStore(db: Db): PatrolStore {
  return { ...unitStore(db), ...orderStore(db), ...photoAndEscalationStore(db), ...contactStore(db) };
}

// Each part is typed by its slice of PatrolStore, so a method missing from the composed object fails to compile.
type UnitStore = Pick<
  PatrolStore,
  'listUnits' | 'getUnit' | 'putUnit' | 'deleteUnit' | 'setDuty' | 'setPosition' | 'changedUnitsSince' | 'deletedUnitsSince'
>;
type OrderStore = Pick<
  PatrolStore,
  'insertOrder' | 'saveStep' | 'getOrder' | 'listOrders' | 'ordersOfEvent' | 'changedOrdersSince' | 'transitions' | 'transitionByClientId'
>;
type PhotoAndEscalationStore = Pick<
  PatrolStore,
  'addPhoto' | 'photoByClientId' | 'photosToPrune' | 'markPhotosPruned' | 'recordEscalation' | 'listEscalations'
>;

type ContactStore = Pick<PatrolStore, 'listShopContacts' | 'putShopContact' | 'deleteShopContact'>;

function contactStore(db: Db): ContactStore {
  return {
    listShopContacts: async () =>
      (await db.all('SELECT id, name, phone, cameras_json, area_json FROM shop_contacts ORDER BY id', [])).map((r) => ({
        id: String(r.id),
        name: String(r.name),
        phone: String(r.phone),
        cameras: parse<string[]>(r.cameras_json),
        area: parse<ShopContact['area']>(r.area_json),
      })),
    putShopContact: (c, at) =>
      db.tx(async (t) => {
        const values = [c.id, c.name, c.phone, json(c.cameras), json(c.area), at];
        const n = await t.run(
          'UPDATE shop_contacts SET name = $2, phone = $3, cameras_json = $4, area_json = $5, updated_at = $6 WHERE id = $1',
          values,
        );
        if (n > 0) return 'replaced';
        await t.run(
          'INSERT INTO shop_contacts (id, name, phone, cameras_json, area_json, updated_at) VALUES ($1, $2, $3, $4, $5, $6)',
          values,
        );
        return 'created';
      }),
    deleteShopContact: async (id) => (await db.run('DELETE FROM shop_contacts WHERE id = $1', [id])) > 0,
  };
}

/** The orders a `where` clause selects, each with its linked alerts (one query for all their links). */
async function selectOrders(db: Db, where: string, params: unknown[]): Promise<OrderRecord[]> {
  const rows = await db.all(`SELECT ${ORDER_COLUMNS} FROM work_orders ${where}`, params);
  if (!rows.length) return [];
  const ids = rows.map((r) => String(r.id));
  const marks = ids.map((_, i) => `$${i + 1}`).join(', ');
  const links = await db.all(
    `SELECT order_id, site, event_id FROM work_order_events WHERE order_id IN (${marks}) ORDER BY linked_at, site, event_id`,
    ids,
  );
  const by = new Map<string, OrderRecord['events']>();
  for (const l of links)
    by.set(String(l.order_id), [...(by.get(String(l.order_id)) ?? []), { site: String(l.site), id: String(l.event_id) }]);
  return rows.map((r) => orderRow(r, by.get(String(r.id)) ?? []));
}

function unitStore(db: Db): UnitStore {
  const units = async (where: string, params: unknown[]) =>
    (await db.all(`SELECT ${UNIT_COLUMNS} FROM patrol_units ${where}`, params)).map(unitRow);
  return {
    listUnits: () => units('ORDER BY id', []),
    getUnit: async (id) => (await units('WHERE id = $1', [id]))[0] ?? null,
    putUnit: async (u) =>
      db.tx(async (t) => {
        const n = await t.run(
          'UPDATE patrol_units SET name = $2, kind = $3, members_json = $4, area_json = $5, duty_json = $6, updated_at = $7 WHERE id = $1',
          [u.id, u.name, u.kind, json(u.members), json(u.area), json(u.duty), u.updatedAt],
        );
        if (n > 0) return 'replaced';
        await t.run(
          'INSERT INTO patrol_units (id, name, kind, members_json, area_json, duty_json, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
          [u.id, u.name, u.kind, json(u.members), json(u.area), json(u.duty), u.updatedAt],
        );
        return 'created';
      }),
    deleteUnit: (id, at) =>
      db.tx(async (t) => {
        if ((await t.run('DELETE FROM patrol_units WHERE id = $1', [id])) === 0) return false;
        await t.run('INSERT INTO patrol_unit_deletions (id, deleted_at) VALUES ($1, $2)', [id, at]);
        await t.run('DELETE FROM patrol_unit_deletions WHERE deleted_at < $1', [at - DELETIONS_KEPT_MS]);
        return true;
      }),
    setDuty: async (id, onDuty, at) => {
      await db.run('UPDATE patrol_units SET on_duty = $2, updated_at = $3 WHERE id = $1', [id, onDuty ? 1 : 0, at]);
    },
    setPosition: async (id, p, at) => {
      await db.run('UPDATE patrol_units SET lon = $2, lat = $3, accuracy_m = $4, position_at = $5, updated_at = $6 WHERE id = $1', [
        id,
        p.lon,
        p.lat,
        p.accuracyM ?? null,
        Date.parse(p.at),
        at,
      ]);
    },
    changedUnitsSince: (since) => units('WHERE updated_at >= $1 ORDER BY updated_at', [since]),
    deletedUnitsSince: async (since) =>
      (await db.all('SELECT id, deleted_at FROM patrol_unit_deletions WHERE deleted_at >= $1 ORDER BY deleted_at', [since])).map((r) => ({
        id: String(r.id),
        at: num(r.deleted_at),
      })),
  };
}

function orderStore(db: Db): OrderStore {
  return {
    insertOrder: (o, opening) =>
      db.tx(async (t) => {
        await t.run(
          `INSERT INTO work_orders (${ORDER_COLUMNS}) VALUES (${orderValues(o)
            .map((_, i) => `$${i + 1}`)
            .join(', ')})`,
          orderValues(o),
        );
        await linkEvents(t, o);
        await insertTransition(t, opening);
      }),
    saveStep: (prevRev, o, tr) =>
      db.tx(async (t) => {
        if (tr?.clientId && (await t.all('SELECT 1 FROM work_order_transitions WHERE client_id = $1', [tr.clientId])).length)
          return 'duplicate';
        const v = orderValues(o);
        const sets = ORDER_COLUMNS.split(', ')
          .map((c, i) => `${c} = $${i + 1}`)
          .slice(1)
          .join(', ');
        const n = await t.run(`UPDATE work_orders SET ${sets} WHERE id = $1 AND rev = $${v.length + 1}`, [...v, prevRev]);
        if (n === 0) return 'stale';
        await linkEvents(t, o);
        if (tr) await insertTransition(t, tr);
        return 'saved';
      }),
    getOrder: async (id) => (await selectOrders(db, 'WHERE id = $1', [id]))[0] ?? null,
    listOrders: (f) => {
      const where: string[] = [];
      const params: unknown[] = [];
      if (f.states?.length) {
        where.push(`state IN (${f.states.map((s) => `$${params.push(s)}`).join(', ')})`);
      }
      if (f.unit) where.push(`unit = $${params.push(f.unit)}`);
      if (f.open) where.push("state <> 'closed'");
      const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
      return selectOrders(db, `${clause} ORDER BY opened_at DESC LIMIT $${params.push(f.limit ?? 500)}`, params);
    },
    ordersOfEvent: (site, eventId) =>
      selectOrders(db, 'WHERE id IN (SELECT order_id FROM work_order_events WHERE site = $1 AND event_id = $2) ORDER BY opened_at', [
        site,
        eventId,
      ]),
    changedOrdersSince: (since) => selectOrders(db, 'WHERE updated_at >= $1 ORDER BY updated_at LIMIT 1000', [since]),
    transitions: async (orderId) =>
      (await db.all(`SELECT ${TRANSITION_COLUMNS} FROM work_order_transitions WHERE order_id = $1 ORDER BY id`, [orderId])).map(
        transitionRow,
      ),
    transitionByClientId: async (clientId) => {
      const [r] = await db.all(`SELECT ${TRANSITION_COLUMNS} FROM work_order_transitions WHERE client_id = $1`, [clientId]);
      return r ? transitionRow(r) : null;
    },
  };
}

function photoAndEscalationStore(db: Db): PhotoAndEscalationStore {
  return {
    addPhoto: (p) =>
      db.tx(async (t) => {
        const n = await t.run(
          'INSERT INTO work_order_photos (order_id, sha256, bytes, by_user, at, client_id) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING',
          [p.orderId, p.sha256, p.bytes, p.by, p.at, p.clientId],
        );
        if (n === 0) return false;
        const [r] = await t.all('SELECT photos_json, rev FROM work_orders WHERE id = $1', [p.orderId]);
        const photos = [...parse<string[]>(r?.photos_json ?? '[]'), p.sha256];
        await t.run('UPDATE work_orders SET photos_json = $2, updated_at = $3, rev = rev + 1 WHERE id = $1', [
          p.orderId,
          json(photos),
          p.at,
        ]);
        return true;
      }),
    photosToPrune: async (closedBefore, limit) => {
      const closedLongAgo = (o: string) => `${o}.state = 'closed' AND ${o}.updated_at < $1`;
      const rows = await db.all(
        `SELECT p.order_id, p.sha256, p.bytes FROM work_order_photos p JOIN work_orders o ON o.id = p.order_id
         WHERE p.pruned_at IS NULL AND ${closedLongAgo('o')} AND NOT EXISTS (
           SELECT 1 FROM work_order_photos q JOIN work_orders r ON r.id = q.order_id
           WHERE q.sha256 = p.sha256 AND q.pruned_at IS NULL AND NOT (${closedLongAgo('r')}))
         ORDER BY p.at LIMIT $2`,
        [closedBefore, limit],
      );
      return rows.map((r) => ({ orderId: String(r.order_id), sha256: String(r.sha256), bytes: num(r.bytes) }));
    },
    markPhotosPruned: (photos, at) =>
      db.tx(async (t) => {
        for (const p of photos)
          await t.run('UPDATE work_order_photos SET pruned_at = $3 WHERE order_id = $1 AND sha256 = $2', [p.orderId, p.sha256, at]);
      }),
    photoByClientId: async (clientId) => {
      const [r] = await db.all('SELECT sha256 FROM work_order_photos WHERE client_id = $1', [clientId]);
      return r ? String(r.sha256) : null;
    },
    recordEscalation: async (e) =>
      (await db.run(
        'INSERT INTO work_order_escalations (order_id, stage, due, at, unit, category) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (order_id, stage) DO NOTHING',
        [e.orderId, e.stage, e.due, e.at, e.unit, e.category],
      )) > 0,
    listEscalations: async (limit) =>
      (await db.all('SELECT order_id, stage, due, at, unit, category FROM work_order_escalations ORDER BY at DESC LIMIT $1', [limit])).map(
        (r) => ({
          orderId: String(r.order_id),
          stage: String(r.stage),
          due: num(r.due),
          at: num(r.at),
          unit: strOrNull(r.unit),
          category: String(r.category),
        }),
      ),
  };
}
