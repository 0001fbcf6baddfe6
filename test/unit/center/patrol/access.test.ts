import { describe, expect, it } from 'vitest';
import { refuseAction } from '../../../../agent/src/center/patrol/access.ts';

const order = { unit: 'team-1', handledBy: 'pat' };

describe('who may move a work order', () => {
  it('lets an officer move only his own unit’s orders', () => {
    expect(refuseAction({ user: 'pat', role: 'patrol' }, 'accept', order, 'team-1')).toBeNull();
    expect(refuseAction({ user: 'paul', role: 'patrol' }, 'accept', order, 'team-2')?.error).toContain(
      'not assigned to your unit (team-2)',
    );
    expect(refuseAction({ user: 'nobody', role: 'patrol' }, 'arrive', order, null)?.status).toBe(403);
  });

  it('keeps dispatching to the desk and 核查 to a second person with the supervisor role', () => {
    expect(refuseAction({ user: 'pat', role: 'patrol' }, 'dispatch', order, 'team-1')?.error).toBe(
      'refused: dispatch needs the role dispatcher or supervisor or admin; you are patrol',
    );
    expect(refuseAction({ user: 'olga', role: 'operator' }, 'close', order, null)?.status).toBe(403);
    expect(refuseAction({ user: 'sam', role: 'supervisor' }, 'verify', order, null)).toBeNull();
    expect(refuseAction({ user: 'pat', role: 'supervisor' }, 'verify', order, null)?.error).toContain('second person');
  });
});
