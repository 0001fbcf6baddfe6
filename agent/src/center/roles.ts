import type { OperatorAction } from '../contract/event-states.ts';
import type { Role } from '../web/passwords.ts';

/**
 * The center's desktop roles of the shared users file: an operator judges alerts, a dispatcher sends patrols, a
 * supervisor also gets escalations and confirms 核查, an admin does all. A `patrol` officer has only the patrol API
 * (patrol/access.ts).
 */
export const CENTER_ROLES = ['operator', 'dispatcher', 'supervisor', 'admin'] as const satisfies readonly Role[];
export type CenterRole = (typeof CENTER_ROLES)[number];

/** Who may take which action: sending a patrol is the dispatcher's; calling an alert false is the operator's. */
export const ACTION_ROLES: Record<OperatorAction, readonly CenterRole[]> = {
  ack: ['operator', 'dispatcher', 'supervisor', 'admin'],
  dispatch: ['dispatcher', 'supervisor', 'admin'],
  false_positive: ['operator', 'admin'],
  resolve: ['operator', 'dispatcher', 'supervisor', 'admin'],
};

export function mayAct(role: string, action: OperatorAction): boolean {
  return (ACTION_ROLES[action] as readonly string[]).includes(role);
}
