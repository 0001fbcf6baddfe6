import { describe, expect, it } from 'vitest';
import { LoginThrottle, loginKeys } from '../../../agent/src/web/throttle.ts';

const opts = { freeAttempts: 3, baseDelayMs: 1000, maxDelayMs: 8000, lockAfter: 6, lockMs: 60_000 };

describe('login throttle', () => {
  it('lets the first failures through, then makes each next attempt wait longer, then locks out', () => {
    const t = new LoginThrottle(opts);
    const keys = loginKeys('alice', '10.0.0.2');
    let now = 0;
    for (let i = 0; i < 2; i++) {
      expect(t.check(keys, now).ok).toBe(true);
      t.fail(keys, now);
    }
    expect(t.check(keys, now).ok).toBe(true);
    t.fail(keys, now); // third failure: slowed from now on
    expect(t.check(keys, now)).toEqual({ ok: false, retryAfterMs: 1000, locked: false });
    now += 1000;
    expect(t.check(keys, now).ok).toBe(true);
    t.fail(keys, now);
    expect(t.check(keys, now)).toEqual({ ok: false, retryAfterMs: 2000, locked: false });
    now += 2000;
    t.fail(keys, now);
    now += 4000;
    expect(t.fail(keys, now)).toBe(true); // sixth: locked
    expect(t.check(keys, now + 59_000)).toEqual({ ok: false, retryAfterMs: 1000, locked: true });
    expect(t.check(keys, now + 60_000).ok).toBe(true);
  });

  it('slows one address guessing many user names, and a success clears the count', () => {
    const t = new LoginThrottle(opts);
    for (const u of ['a', 'b', 'c']) t.fail(loginKeys(u, 'x'), 0);
    expect(t.check(loginKeys('d', 'x'), 0).ok).toBe(false);
    expect(t.check(loginKeys('d', 'y'), 0).ok).toBe(true);
    t.succeed(loginKeys('d', 'x'));
    expect(t.check(loginKeys('a', 'x'), 0).ok).toBe(true);
  });

  it("a stranger's wrong passwords lock out the stranger, never the user at another address: there it is only slowed", () => {
    const t = new LoginThrottle(opts);
    let now = 0;
    let locked = false;
    for (let i = 0; i < 20; i++) {
      now = i * 10_000;
      locked = t.fail(loginKeys('Alice', '203.0.113.9'), now) || locked;
    }
    expect(locked).toBe(true);
    expect(t.check(loginKeys('alice', '203.0.113.9'), now)).toMatchObject({ ok: false, locked: true });
    const atHome = t.check(loginKeys('alice', '10.0.0.2'), now);
    expect(atHome).toMatchObject({ ok: false, locked: false });
    expect(atHome.ok || atHome.retryAfterMs).toBeLessThanOrEqual(opts.maxDelayMs);
    expect(t.check(loginKeys('alice', '10.0.0.2'), now + opts.maxDelayMs).ok).toBe(true);
  });

  it('guessing one user from many addresses goes no faster than one attempt per maximum delay', () => {
    const t = new LoginThrottle(opts);
    let now = 0;
    let tried = 0;
    for (let i = 0; i < 400; i++, now += 100) {
      const keys = loginKeys('alice', `198.51.100.${i % 250}`);
      if (!t.check(keys, now).ok) continue;
      tried++;
      t.fail(keys, now);
    }
    // 40 s of attempts: the three free ones, then one per delay (1, 2, 4, 8, 8, … s).
    expect(tried).toBeLessThanOrEqual(3 + 1 + Math.ceil(40_000 / opts.maxDelayMs) + 3);
    expect(tried).toBeGreaterThanOrEqual(5);
  });
});
