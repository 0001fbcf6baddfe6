import { describe, expect, it } from 'vitest';
import { groupEvents } from '../../../agent/src/center/client/groups.ts';

/** The queue's grouping: one rule at one place is one row, whatever else is around it. */
const ev = (id: string, o: Partial<{ site: string; camera: string; zone: string; rule: string | null; type: string }> = {}) => ({
  id,
  site: 'box-a',
  camera: 'cam-1',
  zone: 'square',
  type: 'loitering',
  rule: 'square-loiter',
  ...o,
});

describe('groupEvents', () => {
  it('puts the alerts of one rule and place in one group led by the first, in the order given', () => {
    const rows = [ev('a'), ev('b', { camera: 'cam-2' }), ev('c'), ev('d', { rule: 'other' }), ev('e')];
    const groups = groupEvents(rows);
    expect(groups.map((g) => [g.lead.id, g.members.map((m) => m.id)])).toEqual([
      ['a', ['a', 'c', 'e']],
      ['b', ['b']],
      ['d', ['d']],
    ]);
  });

  it('keeps the same rule id apart on two boxes or two zones, and groups by type when the rule is unknown', () => {
    const groups = groupEvents([
      ev('a'),
      ev('b', { site: 'box-b' }),
      ev('c', { zone: 'kerb' }),
      ev('x', { rule: null }),
      ev('y', { rule: null }),
    ]);
    expect(groups.map((g) => g.members.length)).toEqual([1, 1, 1, 2]);
  });
});
