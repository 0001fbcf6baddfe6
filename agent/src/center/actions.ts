import { randomUUID } from 'node:crypto';
import type { CommandResult } from '../contract/commands.ts';
import type { OperatorAction } from '../contract/event-states.ts';
import type { BrokerLink } from './link.ts';
import { ACTION_ROLES, mayAct } from './roles.ts';
import type { CenterStore } from './store/types.ts';

/** What an operator or a dispatcher asked for (the body of `POST /api/events/:id/actions`, already validated). */
export interface ActionRequest {
  action: OperatorAction;
  /** The patrol unit a dispatch sends. */
  unit?: string;
  note?: string;
  /** The event's site, when the caller names it (ids are unique per site; without it, the first archived of that id). */
  site?: string;
}

/** Who asks: the signed-in user and their role. */
export interface Actor {
  user: string;
  role: string;
}

export interface ActionDeps {
  store: CenterStore;
  /** The broker link's command path to the boxes, and whether it is up. */
  link: Pick<BrokerLink, 'sendEventCommand' | 'connected'>;
  /** The archive changed (the action, then its answer): the live feed looks now. */
  changed: () => void;
  /** How long the link waits for a box's answer (said in the timeout's words). */
  commandTimeoutSeconds: number;
  now?: () => number;
  requestId?: () => string;
}

/** The action as recorded, before it is sent (for the audit log). */
export interface RecordedAction {
  eventId: string;
  action: OperatorAction;
  requestId: string;
  unit?: string;
}

export type ActionOutcome =
  | { kind: 'not-allowed'; error: string }
  | { kind: 'no-event'; error: string }
  /** The center cannot reach the broker: nothing was recorded or sent (nothing keeps the command for later). */
  | { kind: 'not-sent'; error: string }
  /** The box did not answer in time; a late answer still updates the row. */
  | { kind: 'no-answer'; requestId: string; error: string }
  /** The box answered: done (`result.ok`) or refused with its reason. */
  | { kind: 'answered'; requestId: string; result: CommandResult };

/**
 * The operator's and dispatcher's use case: an action on an event is recorded (pending), sent to the event's box as
 * a command, and its answer (or the lack of one) recorded on the same row. A role without the right records nothing.
 */
export async function takeAction(
  deps: ActionDeps,
  eventId: string,
  req: ActionRequest,
  actor: Actor,
  onRecorded: (a: RecordedAction) => void = () => {},
): Promise<ActionOutcome> {
  const { store } = deps;
  const now = deps.now ?? Date.now;
  if (!mayAct(actor.role, req.action)) {
    return {
      kind: 'not-allowed',
      error: `refused: ${req.action} needs the role ${ACTION_ROLES[req.action].join(' or ')}; you are ${actor.role}`,
    };
  }
  const alert = await store.latestAlert(eventId, req.site);
  if (!alert) return { kind: 'no-event', error: `no event ${eventId}` };
  // The MQTT client would hold it in memory and send it whenever the broker is back, however late, and lose it if the
  // center restarts first: an operator is told it was not sent instead.
  if (!deps.link.connected()) return { kind: 'not-sent', error: 'broker unreachable, not sent to the box: try again when it is back' };
  const requestId = deps.requestId?.() ?? `center-${randomUUID()}`;
  await store.recordAction({
    requestId,
    eventId: alert.id,
    site: alert.site,
    action: req.action,
    by: actor.user,
    role: actor.role,
    unit: req.unit ?? null,
    note: req.note ?? null,
    requestedAt: now(),
  });
  onRecorded({ eventId: alert.id, action: req.action, requestId, ...(req.unit ? { unit: req.unit } : {}) });
  deps.changed();
  const result = await deps.link.sendEventCommand(alert.site, {
    eventId: alert.id,
    action: req.action,
    by: actor.user,
    requestId,
    ...(req.unit ? { unit: req.unit } : {}),
    ...(req.note ? { note: req.note } : {}),
  });
  const wait = deps.commandTimeoutSeconds;
  if ('timeout' in result) {
    const why = `no answer from box ${alert.site} within ${wait} s (it may be offline; the broker keeps the command for it)`;
    await store.finishAction(requestId, 'timeout', why, now());
    deps.changed();
    return { kind: 'no-answer', requestId, error: `no answer from the box within ${wait} s` };
  }
  await store.finishAction(requestId, result.ok ? 'ok' : 'refused', result.error ?? null, now());
  deps.changed();
  return { kind: 'answered', requestId, result };
}
