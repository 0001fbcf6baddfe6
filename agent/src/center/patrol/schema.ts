import { z } from 'zod';
import { idSchema } from '../../core/schema.ts';

/**
 * The patrol wire (issue 24): units, work orders, their workflow and every body of the patrol API, shared by the
 * center (patrol-core), the officer's phone page, the dispatcher's desktop pages and the map. Additions only once
 * published. Decisions taken here where the outline left room:
 * - Times are ISO-8601 strings with offset on the wire (`at`, `openedAt`, `due.*`).
 * - An order's id is a string the center makes (`wo-` + 12 hex digits); unit ids are ids (`idSchema`).
 * - `closedAs` (the closing reason) is a field of its own beside the officer's `outcome`; `close` takes a `reason`.
 * - A transition the center makes itself is recorded with action `open`, `warn` or `warning_expired` besides the
 *   seven actions a person asks for; `by` is then `system` or `box:<site>`.
 * - `handle` is allowed from `accepted` too (an officer who skipped "arrived"); `dispatch` from `dispatched` or
 *   `accepted` reassigns the order to another unit.
 */

const lon = z.number().min(-180).max(180).describe('Longitude in degrees, WGS-84, east positive.');
const lat = z.number().min(-90).max(90).describe('Latitude in degrees, WGS-84, north positive.');
const isoTime = z.iso.datetime({ offset: true }).describe('An ISO-8601 time with offset, e.g. 2026-12-07T12:00:00Z.');

export const lonLatSchema = z.tuple([lon, lat]).describe('A point in GeoJSON order [lon, lat], WGS-84.');
export type LonLat = z.infer<typeof lonLatSchema>;

export const areaSchema = z
  .array(z.array(lonLatSchema).min(3).describe('One polygon ring, closed or open (the last point may repeat the first).'))
  .describe("A unit's responsibility area (网格): one or more polygon rings, WGS-84 [lon, lat].");
export type Area = z.infer<typeof areaSchema>;

export const unitIdSchema = idSchema.describe('A unit id: lower-case letters, digits, "-" and "_".');
export const userNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9._@-]{1,64}$/)
  .describe("A user name of the center's users file.");

const hhmm = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'expected a time of day HH:MM' })
  .describe('A time of day, HH:MM (24 h, the center’s local time).');

export const dutySlotSchema = z
  .strictObject({
    days: z.array(z.number().int().min(1).max(7)).min(1).describe('Weekdays, 1 = Monday … 7 = Sunday.'),
    from: hhmm.describe('Start of duty, HH:MM.'),
    to: hhmm.describe('End of duty, HH:MM; earlier than `from` means the shift runs past midnight.'),
  })
  .describe('A duty period repeated on the given weekdays.');
export type DutySlot = z.infer<typeof dutySlotSchema>;

export const unitKindSchema = z.enum(['team', 'officer']).describe('A team (中队) or a single officer.');
export const unitStatusSchema = z
  .enum(['off_duty', 'available', 'en_route', 'on_scene', 'busy'])
  .describe('off_duty 下班, available 空闲, en_route 在途, on_scene 到场, busy 忙碌.');
export type UnitStatus = z.infer<typeof unitStatusSchema>;

export const positionSchema = z
  .strictObject({
    lon,
    lat,
    accuracyM: z.number().min(0).optional().describe('Accuracy radius in metres, as the phone reports it.'),
    at: isoTime.describe('When the phone took the position.'),
  })
  .describe("A unit's last known position (its age is computed by whoever shows it).");
export type Position = z.infer<typeof positionSchema>;

/** What an admin writes (`PUT /api/units/:id`, the config's `patrol.units`, the CLI): a unit without its live state. */
export const unitSpecSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(100).describe('The unit name for people, e.g. 城管一中队.'),
    kind: unitKindSchema.default('team'),
    members: z.array(userNameSchema).default([]).describe('Users (role patrol) who act for this unit.'),
    area: areaSchema.default([]),
    duty: z.array(dutySlotSchema).default([]).describe('Duty hours; none: on duty only when an officer says so.'),
  })
  .describe('A patrol unit as an admin defines it.');
export type UnitSpec = z.infer<typeof unitSpecSchema>;
export const unitPutBodySchema = unitSpecSchema.describe('Body of PUT /api/units/:id (create or replace).');
export type UnitPutBody = z.input<typeof unitPutBodySchema>;

/**
 * A shop contact (沿街商户联系人): who gets the warning message before dispatch for a spot, registered for the
 * cameras that watch his shopfront (`site/camera`) and/or an area on the map.
 */
export const shopContactSpecSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(100).describe('The shop and the person, e.g. 老王面馆 王先生.'),
    phone: z
      .string()
      .regex(/^\+?[0-9][0-9 -]{4,19}$/, { error: 'expected a phone number of digits, e.g. 13800138000 or +86 138 0013 8000' })
      .describe('The number the forwarder (an SMS or messaging gateway) sends to.'),
    cameras: z
      .array(z.string().regex(/^[^/\s]+\/[^/\s]+$/, { error: 'expected a camera as site/camera, e.g. demo-site/street-1' }))
      .max(100)
      .default([])
      .describe('The cameras that watch the shopfront, as site/camera.'),
    area: areaSchema.default([]),
  })
  .describe("A shop contact as an admin registers it (the config's patrol.shopContacts or PUT /api/shop-contacts/:id).");
export type ShopContactSpec = z.infer<typeof shopContactSpecSchema>;
const registered = (c: ShopContactSpec) => c.cameras.length > 0 || c.area.length > 0;
const registeredError = { message: 'a shop contact is registered for cameras (site/camera) or an area, or both', path: ['cameras'] };
export const shopContactPutBodySchema = shopContactSpecSchema
  .refine(registered, registeredError)
  .describe('Body of PUT /api/shop-contacts/:id (create or replace).');
export const shopContactConfigSchema = shopContactSpecSchema
  .extend({ id: idSchema.describe('The contact id: lower-case letters, digits, "-" and "_".') })
  .refine(registered, registeredError);
export type ShopContact = ShopContactSpec & { id: string };

export const unitSchema = unitSpecSchema
  .extend({
    id: unitIdSchema,
    status: unitStatusSchema,
    position: positionSchema.optional(),
    load: z.number().int().min(0).describe('Open orders assigned to this unit.'),
  })
  .describe('A patrol unit with its live state (GET /api/units).');
export type Unit = z.infer<typeof unitSchema>;

export const unitListSchema = z.strictObject({ units: z.array(unitSchema), now: isoTime.describe('The center’s clock.') });

export const orderStateSchema = z
  .enum(['filed', 'warning', 'dispatched', 'accepted', 'on_scene', 'handled', 'closed'])
  .describe(
    'filed 立案, warning 警告等待, dispatched 派遣, accepted 接单/在途, on_scene 到场, handled 处置完成 (核查 pending), closed 结案.',
  );
export type OrderState = z.infer<typeof orderStateSchema>;
export const OPEN_STATES = orderStateSchema.options.filter((s) => s !== 'closed');

export const orderActionSchema = z
  .enum(['dispatch', 'accept', 'arrive', 'handle', 'verify', 'close', 'reopen'])
  .describe('What a person asks of an order (POST /api/orders/:id/transition).');
export type OrderAction = z.infer<typeof orderActionSchema>;

export const transitionActionSchema = z
  .enum([...orderActionSchema.options, 'open', 'warn', 'warning_expired'])
  .describe('What a stored transition did: a person’s action, or the center’s own open / warn / warning_expired.');
export type TransitionAction = z.infer<typeof transitionActionSchema>;

export const closeReasonSchema = z
  .enum(['handled', 'corrected_after_warning', 'not_found', 'referred', 'duplicate'])
  .describe('Why an order closed.');
export type CloseReason = z.infer<typeof closeReasonSchema>;

export const outcomeSchema = z
  .enum(['corrected', 'warned', 'penalty', 'not_found', 'referred'])
  .describe("The officer's outcome: corrected 当场整改, warned 警告, penalty 处罚通知, not_found 未发现, referred 移交他部门.");
export type Outcome = z.infer<typeof outcomeSchema>;

export const stageSchema = z.enum(['dispatch', 'arrive', 'handle']).describe('A time-limited stage: 派遣, 到场, 处置.');
export type Stage = z.infer<typeof stageSchema>;

export const whereSchema = z
  .strictObject({ lon, lat, accuracyM: z.number().min(0).optional().describe('Accuracy radius in metres.') })
  .describe("Where the actor was: the officer's phone position, or the spot a box's camera sees.");
export type Where = z.infer<typeof whereSchema>;

export const transitionSchema = z
  .strictObject({
    from: orderStateSchema.nullable().describe('The state before; null for the order’s opening.'),
    to: orderStateSchema,
    action: transitionActionSchema,
    by: z.string().describe("A user name, 'box:<site>' or 'system'."),
    at: isoTime,
    where: whereSchema.optional(),
    note: z.string().optional(),
    unit: unitIdSchema.optional().describe('The unit a dispatch sent.'),
    outcome: outcomeSchema.optional().describe('The outcome a handle reported.'),
    reason: closeReasonSchema.optional().describe('Why a close closed.'),
  })
  .describe('One stored step of an order (archive and audit).');
export type Transition = z.infer<typeof transitionSchema>;

export const eventRefSchema = z
  .strictObject({ site: z.string().min(1).describe('The box’s site.'), id: z.string().min(1).describe('The event id.') })
  .describe('A linked alert.');
export type EventRef = z.infer<typeof eventRefSchema>;

export const placeSchema = z
  .strictObject({ lon, lat, address: z.string().max(300).optional().describe('The address in words.') })
  .describe('Where the problem is.');
export type Place = z.infer<typeof placeSchema>;

export const photoIdSchema = z
  .string()
  .regex(/^[0-9a-f]{64}$/)
  .describe('A photo: the SHA-256 of its JPEG, 64 hex digits.');

export const dueSchema = z
  .strictObject({ dispatch: isoTime, arrive: isoTime, handle: isoTime })
  .describe('Deadlines per stage, from the per-category limits.');

export const orderIdSchema = z
  .string()
  .regex(/^wo-[0-9a-f]{12}$/)
  .describe('A work order id, wo- and 12 hex digits.');

export const orderSchema = z
  .strictObject({
    id: orderIdSchema,
    state: orderStateSchema,
    category: z.string().min(1).describe("The catalogue's event type id, e.g. street_vending."),
    events: z.array(eventRefSchema).describe('Linked alerts (several when merged).'),
    place: placeSchema,
    unit: unitIdSchema.optional().describe('The unit the order is assigned to.'),
    outcome: outcomeSchema.optional(),
    closedAs: closeReasonSchema.optional(),
    note: z.string().optional(),
    photos: z.array(photoIdSchema),
    openedBy: z.string().describe("A user name, 'system' (automatic) or 'box:<site>'."),
    openedAt: isoTime,
    due: dueSchema,
    overdue: z.array(stageSchema).describe('Stages past their deadline (now or when they were done).'),
    escalated: z.array(stageSchema).describe('Stages already escalated to the supervisors (once each).'),
    warned: z.boolean().describe('A warning was given before dispatch (无事不扰).'),
    reopenOf: orderIdSchema.optional().describe('Reserved: reopens keep the same order (see transitions).'),
    repeatOf: orderIdSchema.optional().describe('The closed order this one repeats (same spot seen again).'),
    updatedAt: isoTime,
    transitions: z.array(transitionSchema).optional().describe('Every step, oldest first (GET /api/orders/:id only).'),
  })
  .describe('A work order (工单).');
export type Order = z.infer<typeof orderSchema>;

export const orderListSchema = z.strictObject({ orders: z.array(orderSchema), now: isoTime });

export const orderListQuerySchema = z
  .strictObject({
    state: z
      .string()
      .regex(/^[a-z_,]+$/)
      .optional()
      .describe('Comma-separated states.'),
    unit: unitIdSchema.optional(),
    open: z.enum(['1', '0']).optional().describe('1: only orders not closed.'),
    overdue: z.enum(['1', '0']).optional().describe('1: only orders with an overdue stage.'),
    limit: z.coerce.number().int().min(1).max(2000).optional(),
  })
  .describe('Query of GET /api/orders.');
export type OrderListQuery = z.infer<typeof orderListQuerySchema>;

export const manualReportSchema = z
  .strictObject({
    lon,
    lat,
    address: z.string().max(300).optional(),
    category: z.string().min(1).max(64).describe("The catalogue's event type id."),
    note: z.string().max(2000).optional(),
  })
  .describe('A hotline report (place picked on the map).');

export const createOrderBodySchema = z
  .union([
    z.strictObject({
      events: z.array(eventRefSchema).min(1).max(20).describe('One alert, or several of one spot (merged).'),
      note: z.string().max(2000).optional(),
    }),
    z.strictObject({ manual: manualReportSchema }),
  ])
  .describe('Body of POST /api/orders.');
export type CreateOrderBody = z.infer<typeof createOrderBodySchema>;

export const transitionBodySchema = z
  .strictObject({
    action: orderActionSchema,
    unitId: unitIdSchema.optional().describe('dispatch: the unit sent.'),
    outcome: outcomeSchema.optional().describe('handle: what the officer did.'),
    reason: closeReasonSchema.optional().describe('close: why (default handled).'),
    note: z.string().max(2000).optional(),
    where: whereSchema.optional(),
    clientId: z.uuid().describe('Made once per action on the client: a retried action counts once.'),
  })
  .refine((b) => b.action !== 'dispatch' || b.unitId !== undefined, { message: 'a dispatch names the unit sent', path: ['unitId'] })
  .refine((b) => b.action !== 'handle' || b.outcome !== undefined, { message: 'handle says the outcome', path: ['outcome'] })
  .describe('Body of POST /api/orders/:id/transition.');
export type TransitionBody = z.infer<typeof transitionBodySchema>;

export const transitionConflictSchema = z
  .strictObject({ error: z.string(), state: orderStateSchema, allowed: z.array(orderActionSchema) })
  .describe('The 409 answer to an action the state does not allow.');
export type TransitionConflict = z.infer<typeof transitionConflictSchema>;

export const photoReplySchema = z.strictObject({ photoId: photoIdSchema }).describe('Answer of POST /api/orders/:id/photos.');
export const MAX_PHOTO_BYTES = 5 * 1024 * 1024;

export const proposalSchema = z
  .strictObject({
    unitId: unitIdSchema,
    name: z.string(),
    reason: z.enum(['area', 'distance']).describe('area: the spot is in its area; distance: nearest available.'),
    distanceM: z.number().min(0).optional().describe('Metres from its last position to the spot.'),
    status: unitStatusSchema,
    load: z.number().int().min(0),
    positionAt: isoTime.optional().describe('When its position was taken.'),
  })
  .describe('A unit proposed for an order.');
export type Proposal = z.infer<typeof proposalSchema>;
export const proposalListSchema = z.strictObject({ proposals: z.array(proposalSchema) });

export const dutyBodySchema = z
  .strictObject({ onDuty: z.boolean().describe('true: go on duty; false: off.') })
  .describe('Body of POST /api/patrol/duty.');
export const positionBodySchema = positionSchema.describe('Body of POST /api/patrol/position.');

export const escalationSchema = z
  .strictObject({
    orderId: orderIdSchema,
    stage: stageSchema,
    due: isoTime.describe('The deadline missed.'),
    at: isoTime.describe('When the center escalated.'),
    unit: unitIdSchema.optional(),
    category: z.string(),
  })
  .describe('An overdue stage escalated to the supervisors (stored once, sent live as `escalation`).');
export type Escalation = z.infer<typeof escalationSchema>;

/**
 * Live events. `GET /api/patrol/feed` (the officer): `task` (data: an order of his unit, created, assigned or
 * changed; an order taken away from his unit is sent once more with its new `unit`), `unit` (his unit), `ping`.
 * `GET /api/stream` (desktop): besides event/box/broker, `order` (an order), `unit` (a unit), `escalation`.
 */
export const patrolFeedEventSchema = z.enum(['task', 'unit', 'ping']);
export const desktopPatrolEventSchema = z.enum(['order', 'unit', 'escalation']);
