import { describe, expect, it } from 'vitest';
import { RefusalCounter } from '../../../agent/src/web/refusals.ts';

describe('refused logins audited as totals', () => {
  it('sums an interval by reason, names the most frequent users and addresses, and starts afresh', () => {
    const c = new RefusalCounter();
    expect(c.take(0)).toBeUndefined();
    for (let i = 0; i < 5; i++) c.add('wrong_password', 'admin', '203.0.113.7', 1000 + i);
    c.add('slowed', 'admin', '203.0.113.7', 2000);
    c.add('wrong_password', 'olga', '198.51.100.2', 3000, true);
    expect(c.take(60_000)).toEqual({
      action: 'login_refused',
      from: new Date(1000).toISOString(),
      to: new Date(60_000).toISOString(),
      refused: 7,
      reasons: { wrong_password: 6, slowed: 1 },
      users: { admin: 6, olga: 1 },
      addresses: { '203.0.113.7': 6, '198.51.100.2': 1 },
      lockedOut: ['olga@198.51.100.2'],
    });
    expect(c.take(120_000)).toBeUndefined();
  });

  it('stays small under a flood of distinct names: twenty named, the rest counted under "…"', () => {
    const c = new RefusalCounter();
    for (let i = 0; i < 50_000; i++) c.add('slowed', `user${i}`, `10.0.${(i >> 8) & 255}.${i & 255}`, i);
    c.add('slowed', 'user7', '10.0.0.7', 50_000);
    const t = c.take(60_000)!;
    expect(t.refused).toBe(50_001);
    expect(Object.keys(t.users)).toHaveLength(21);
    expect(t.users.user7).toBe(2);
    expect(Object.values(t.users).reduce((a, b) => a + b, 0)).toBe(50_001);
    expect(Object.values(t.addresses).reduce((a, b) => a + b, 0)).toBe(50_001);
  });
});
