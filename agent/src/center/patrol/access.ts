import type { OrderAction } from './schema.ts';

/** Roles that reach the patrol API at all: the desktop's and the officer's. */
export const PATROL_API_ROLES = ['operator', 'dispatcher', 'supervisor', 'admin', 'patrol'] as const;
/** Who opens an order from alerts or a hotline report. */
export const OPEN_ROLES = ['operator', 'dispatcher', 'supervisor', 'admin'] as const;
/** Who manages units. */
export const UNIT_ADMIN_ROLES = ['admin'] as const;

/** Who may take which action on an order; a patrol officer only on his own unit's orders (checked by the caller). */
export const ORDER_ACTION_ROLES: Record<OrderAction, readonly string[]> = {
  dispatch: ['dispatcher', 'supervisor', 'admin'],
  accept: ['patrol', 'dispatcher', 'supervisor', 'admin'],
  arrive: ['patrol', 'dispatcher', 'supervisor', 'admin'],
  handle: ['patrol', 'dispatcher', 'supervisor', 'admin'],
  // 核查 without a camera: a second person, the supervisor, confirms the officer's photo.
  verify: ['supervisor', 'admin'],
  close: ['dispatcher', 'supervisor', 'admin'],
  reopen: ['dispatcher', 'supervisor', 'admin'],
};

export type Refusal = { status: 403; error: string } | null;

/**
 * Whether `actor` may take `action` on an order assigned to `unit`: by role, the officer only for his unit, and 核查
 * never by the person who reported the order handled. Pure.
 */
export function refuseAction(
  actor: { user: string; role: string },
  action: OrderAction,
  order: { unit: string | null; handledBy: string | null },
  actorUnit: string | null,
): Refusal {
  const roles = ORDER_ACTION_ROLES[action];
  if (!roles.includes(actor.role))
    return { status: 403, error: `refused: ${action} needs the role ${roles.join(' or ')}; you are ${actor.role}` };
  if (actor.role === 'patrol' && (actorUnit === null || order.unit !== actorUnit))
    return { status: 403, error: `refused: this order is not assigned to your unit${actorUnit ? ` (${actorUnit})` : ''}` };
  if (action === 'verify' && order.handledBy === actor.user)
    return { status: 403, error: 'refused: 核查 needs a second person; you reported this order handled' };
  return null;
}
