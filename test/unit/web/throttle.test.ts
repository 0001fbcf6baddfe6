import { describe, expect, it } from 'vitest';
import { LoginThrottle } from '../../../agent/src/web/throttle.ts';

const opts = { freeAttempts: 3, baseDelayMs: 1000, maxDelayMs: 8000, lockAfter: 6, lockMs: 60_000 };

describe('login throttle', () => {
  it('lets the first failures through, then makes each next attempt wait longer, then locks out', () => {
    const t = new LoginThrottle(opts);
    const keys = ['user:alice', 'addr:10.0.0.2'];
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
    for (const u of ['a', 'b', 'c']) t.fail([`user:${u}`, 'addr:x'], 0);
    expect(t.check(['user:d', 'addr:x'], 0).ok).toBe(false);
    expect(t.check(['user:d', 'addr:y'], 0).ok).toBe(true);
    t.succeed(['user:d', 'addr:x']);
    expect(t.check(['user:a', 'addr:x'], 0).ok).toBe(true);
  });
});
