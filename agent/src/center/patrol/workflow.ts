import type { CloseReason, EventRef, OrderAction, OrderState, Outcome, Stage, TransitionAction, Where } from './schema.ts';

/** Stage deadlines and the times each stage was done, in ms since the epoch. */
export type StageTimes = Record<Stage, number>;

/** A work order as the center keeps it (times in ms); the wire's `Order` is presented from it. */
export interface OrderRecord {
  id: string;
  state: OrderState;
  category: string;
  events: EventRef[];
  lon: number;
  lat: number;
  address: string | null;
  unit: string | null;
  outcome: Outcome | null;
  closedAs: CloseReason | null;
  note: string | null;
  photos: string[];
  openedBy: string;
  openedAt: number;
  due: StageTimes;
  done: Partial<StageTimes>;
  escalated: Stage[];
  warned: boolean;
  repeatOf: string | null;
  /** Who reported the order handled (核查 needs a second person). */
  handledBy: string | null;
  updatedAt: number;
  rev: number;
}

/** One stored step, times in ms. */
export interface TransitionRecord {
  orderId: string;
  from: OrderState | null;
  to: OrderState;
  action: TransitionAction;
  by: string;
  at: number;
  where: Where | null;
  note: string | null;
  unit: string | null;
  outcome: Outcome | null;
  reason: CloseReason | null;
  clientId: string | null;
}

/** Minutes allowed per stage: 派遣 after opening, 到场 after dispatch, 处置 after arrival. */
export type StageLimits = Record<Stage, number>;

/** Which states each action leaves from, and where it goes (reopen: back to the same unit). */
const FROM: Record<OrderAction, readonly OrderState[]> = {
  dispatch: ['filed', 'warning', 'dispatched', 'accepted'],
  accept: ['dispatched'],
  arrive: ['dispatched', 'accepted'],
  handle: ['accepted', 'on_scene'],
  verify: ['handled'],
  close: ['filed', 'warning', 'dispatched', 'accepted', 'on_scene', 'handled'],
  reopen: ['handled', 'closed'],
};
const TO: Record<Exclude<OrderAction, 'reopen'>, OrderState> = {
  dispatch: 'dispatched',
  accept: 'accepted',
  arrive: 'on_scene',
  handle: 'handled',
  verify: 'closed',
  close: 'closed',
};

/** The actions the order's state allows, in the workflow's order. */
export function allowedActions(state: OrderState): OrderAction[] {
  return (Object.keys(FROM) as OrderAction[]).filter((a) => FROM[a].includes(state));
}

/** Deadlines of a new order: each stage's limit counted on from the one before. */
export function initialDue(openedAt: number, limits: StageLimits): StageTimes {
  const dispatch = openedAt + limits.dispatch * 60_000;
  const arrive = dispatch + limits.arrive * 60_000;
  return { dispatch, arrive, handle: arrive + limits.handle * 60_000 };
}

/** What a person (or the box) asks, already validated and allowed by role. */
export interface StepRequest {
  action: OrderAction;
  by: string;
  at: number;
  unit?: string | undefined;
  outcome?: Outcome | undefined;
  reason?: CloseReason | undefined;
  note?: string | undefined;
  where?: Where | undefined;
  clientId?: string | undefined;
}

export type StepResult =
  | { ok: true; order: OrderRecord; transition: TransitionRecord }
  | { ok: false; conflict: string; allowed: OrderAction[] };

/**
 * The workflow: one action applied to an order. A transition the state does not allow answers the allowed actions
 * and changes nothing. Pure: the caller stores the new order and the transition together.
 */
export function step(order: OrderRecord, req: StepRequest, limits: StageLimits): StepResult {
  const allowed = allowedActions(order.state);
  if (!allowed.includes(req.action)) return { ok: false, conflict: `an order in state ${order.state} cannot be ${req.action}ed`, allowed };
  const unit = req.action === 'dispatch' ? (req.unit ?? null) : order.unit;
  if (req.action === 'dispatch' && !unit) return { ok: false, conflict: 'a dispatch names the unit sent', allowed };
  if (req.action === 'reopen' && !unit) return reopenUnassigned(order, req);
  const to = req.action === 'reopen' ? 'dispatched' : TO[req.action];
  const next: OrderRecord = { ...order, state: to, unit, updatedAt: req.at, rev: order.rev + 1 };
  applyEffects(next, order, req, limits);
  return { ok: true, order: next, transition: record(order, next, req) };
}

/** A reopen of an order closed before anyone was sent files it again. */
function reopenUnassigned(order: OrderRecord, req: StepRequest): StepResult {
  const next: OrderRecord = { ...order, state: 'filed', closedAs: null, updatedAt: req.at, rev: order.rev + 1 };
  return { ok: true, order: next, transition: record(order, next, req) };
}

/** Deadlines, outcome and closing reason that follow from the action. */
function applyEffects(next: OrderRecord, order: OrderRecord, req: StepRequest, limits: StageLimits): void {
  const min = 60_000;
  switch (req.action) {
    case 'dispatch':
      next.done = { ...order.done, dispatch: order.done.dispatch ?? req.at };
      next.due = { ...order.due, arrive: req.at + limits.arrive * min, handle: req.at + (limits.arrive + limits.handle) * min };
      break;
    case 'arrive':
      next.done = { ...order.done, arrive: req.at };
      next.due = { ...order.due, handle: req.at + limits.handle * min };
      break;
    case 'handle':
      next.done = { ...order.done, handle: req.at };
      next.outcome = req.outcome ?? null;
      next.handledBy = req.by;
      if (req.note) next.note = req.note;
      break;
    case 'verify':
      next.closedAs = closingOf(order.outcome);
      break;
    case 'close':
      next.closedAs = req.reason ?? 'handled';
      break;
    case 'reopen': {
      const { dispatch } = order.done;
      next.done = dispatch === undefined ? {} : { dispatch };
      next.due = { ...order.due, arrive: req.at + limits.arrive * min, handle: req.at + (limits.arrive + limits.handle) * min };
      next.escalated = order.escalated.filter((s) => s === 'dispatch');
      next.closedAs = null;
      next.outcome = null;
      next.handledBy = null;
      break;
    }
    case 'accept':
      break;
  }
}

/** What a verified order closes as: the officer's outcome says whether the problem was there to handle. */
export function closingOf(outcome: Outcome | null): CloseReason {
  if (outcome === 'not_found') return 'not_found';
  if (outcome === 'referred') return 'referred';
  return 'handled';
}

function record(order: OrderRecord, next: OrderRecord, req: StepRequest): TransitionRecord {
  return {
    orderId: order.id,
    from: order.state,
    to: next.state,
    action: req.action,
    by: req.by,
    at: req.at,
    where: req.where ?? null,
    note: req.note ?? null,
    unit: req.action === 'dispatch' ? next.unit : null,
    outcome: req.action === 'handle' ? (req.outcome ?? null) : null,
    reason: next.state === 'closed' ? next.closedAs : null,
    clientId: req.clientId ?? null,
  };
}

/** A step the center takes itself: warn (filed → warning), warning_expired (warning → filed), or the opening. */
export function systemStep(
  order: OrderRecord,
  action: 'warn' | 'warning_expired',
  at: number,
  note: string | null,
): { order: OrderRecord; transition: TransitionRecord } | null {
  const from: OrderState = action === 'warn' ? 'filed' : 'warning';
  if (order.state !== from) return null;
  const to: OrderState = action === 'warn' ? 'warning' : 'filed';
  const next: OrderRecord = { ...order, state: to, warned: true, updatedAt: at, rev: order.rev + 1 };
  const transition = record(order, next, { action: 'accept', by: 'system', at, note: note ?? undefined });
  return { order: next, transition: { ...transition, action } };
}

/** The stages past their deadline: done late, or not done and the deadline passed (a closed order stops the clock). */
export function overdueStages(order: Pick<OrderRecord, 'state' | 'due' | 'done'>, now: number): Stage[] {
  const stages: Stage[] = ['dispatch', 'arrive', 'handle'];
  return stages.filter((s) => {
    const done = order.done[s];
    if (done !== undefined) return done > order.due[s];
    return order.state !== 'closed' && now > order.due[s];
  });
}

/** The stage an open order is in (the first not done); none once handled. */
function currentStage(order: Pick<OrderRecord, 'state' | 'done'>): Stage | null {
  if (order.state === 'closed' || order.state === 'handled') return null;
  return (['dispatch', 'arrive', 'handle'] as const).find((s) => order.done[s] === undefined) ?? null;
}

/** The current stage when past its deadline and not yet escalated (each stage escalates once; later ones in their turn). */
export function toEscalate(order: OrderRecord, now: number): Stage[] {
  const s = currentStage(order);
  return s && now > order.due[s] && !order.escalated.includes(s) ? [s] : [];
}

/** The opening transition of a new order. */
export function openingTransition(order: OrderRecord, note: string | null): TransitionRecord {
  return {
    orderId: order.id,
    from: null,
    to: order.state,
    action: 'open',
    by: order.openedBy,
    at: order.openedAt,
    where: null,
    note,
    unit: null,
    outcome: null,
    reason: null,
    clientId: null,
  };
}
