import { describe, expect, it } from 'vitest';
import { LoginThrottle } from '../../../agent/src/web/throttle.ts';

const opts = { freeAttempts: 3, baseDelayMs: 1000, maxDelayMs: 8000, lockAfter: 6, lockMs: 60_000 };

/** Attempts that all fail (no success is reported); how many were let through to a password check. */
function guess(t: LoginThrottle, user: string, address: string, now: number, times = 1): number {
  let checked = 0;
  for (let i = 0; i < times; i++) if (t.attempt(user, address, now).ok) checked++;
  return checked;
}

describe('login throttle', () => {
  it('lets the first failures through, then makes each next attempt wait longer, then locks out', () => {
    const t = new LoginThrottle(opts);
    let now = 0;
    expect(guess(t, 'alice', '10.0.0.2', now, 2)).toBe(2);
    expect(t.attempt('alice', '10.0.0.2', now)).toEqual({ ok: true, lockedOut: false }); // third: slowed from now on
    expect(t.attempt('alice', '10.0.0.2', now)).toEqual({ ok: false, retryAfterMs: 1000, locked: false });
    now += 1000;
    expect(guess(t, 'alice', '10.0.0.2', now)).toBe(1);
    expect(t.attempt('alice', '10.0.0.2', now)).toEqual({ ok: false, retryAfterMs: 2000, locked: false });
    now += 2000;
    guess(t, 'alice', '10.0.0.2', now);
    now += 4000;
    expect(t.attempt('alice', '10.0.0.2', now)).toEqual({ ok: true, lockedOut: true }); // sixth: locks out should it fail
    expect(t.attempt('alice', '10.0.0.2', now + 59_000)).toEqual({ ok: false, retryAfterMs: 1000, locked: true });
    expect(t.attempt('alice', '10.0.0.2', now + 60_000).ok).toBe(true);
  });

  it('counts an attempt when it starts: of many concurrent guesses only the free ones are checked', () => {
    const t = new LoginThrottle(opts);
    // None has answered yet (no success or failure reported): each still sees the ones before it.
    expect(guess(t, 'alice', '10.0.0.2', 0, 30)).toBe(opts.freeAttempts);
  });

  it('a success takes its own attempt back and clears the user’s count', () => {
    const t = new LoginThrottle(opts);
    guess(t, 'alice', '10.0.0.2', 0, 2);
    expect(t.attempt('alice', '10.0.0.2', 0).ok).toBe(true);
    t.succeeded('alice', '10.0.0.2', 0);
    expect(guess(t, 'alice', '10.0.0.2', 0, 3)).toBe(3);
  });

  it('slows one address spraying user names, but never locks it out', () => {
    const t = new LoginThrottle(opts);
    let tried = 0;
    for (let i = 0; i < 200; i++) tried += guess(t, `user${i}`, '198.51.100.9', i * 100);
    // 4 × freeAttempts free, then one per delay (1, 2, 4, 8 s…) over 20 s.
    expect(tried).toBeLessThanOrEqual(4 * opts.freeAttempts + 4);
    expect(t.attempt('someone', '198.51.100.9', 200 * 100)).toMatchObject({ ok: false, locked: false });
  });

  it("a stranger's wrong passwords lock out the stranger, never the user at another address", () => {
    const t = new LoginThrottle(opts);
    for (let i = 0; i < 40; i++) guess(t, 'Alice', '203.0.113.9', i * 10_000);
    expect(t.attempt('alice', '203.0.113.9', 400_000)).toMatchObject({ ok: false, locked: true });
    // The user's first attempt from another address is not held up by the stranger's failures.
    expect(t.attempt('alice', '10.0.0.2', 400_000).ok).toBe(true);
  });

  it('where the user logged in before, failures of others at that address do not hold the user up', () => {
    const t = new LoginThrottle(opts);
    expect(t.attempt('alice', '192.0.2.1', 0).ok).toBe(true);
    t.succeeded('alice', '192.0.2.1', 0);
    for (let i = 0; i < 100; i++) guess(t, `stranger${i}`, '192.0.2.1', 1000);
    for (let i = 0; i < 100; i++) guess(t, 'alice', `203.0.113.${i}`, 1000, 3);
    expect(t.attempt('alice', '192.0.2.1', 1000).ok).toBe(true);
  });

  it('guessing one user from many addresses goes no faster than one attempt per maximum delay, after one per address', () => {
    const t = new LoginThrottle(opts);
    let now = 0;
    let tried = 0;
    for (let i = 0; i < 400; i++, now += 100) tried += guess(t, 'alice', `198.51.100.${i % 20}`, now);
    // 20 addresses: each one's first attempt, then one per delay (1, 2, 4, 8, 8, … s) over 40 s.
    expect(tried).toBeLessThanOrEqual(20 + 3 + Math.ceil(40_000 / opts.maxDelayMs) + 3);
    expect(tried).toBeGreaterThanOrEqual(20);
  });
});
