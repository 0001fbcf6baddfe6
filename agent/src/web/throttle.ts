/**
 * Failed logins slow the next attempt down, then lock it out: after `freeAttempts` failures in a row each further
 * attempt must wait `baseDelayMs`·2^k (capped at `maxDelayMs`); after `lockAfter` failures it waits `lockMs`.
 * Counted per key; a key that may not lock (a user name across all addresses) is only ever slowed, so a stranger's
 * wrong passwords cannot lock a user out of the box, while guessing from many addresses still goes no faster than
 * one attempt per `maxDelayMs`. A success clears its keys' counts. Pure state, clock passed in.
 */
export interface ThrottleOptions {
  freeAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  lockAfter: number;
  lockMs: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = {
  freeAttempts: 3,
  baseDelayMs: 5_000,
  maxDelayMs: 60_000,
  lockAfter: 10,
  lockMs: 15 * 60_000,
};

interface Entry {
  failures: number;
  notBefore: number;
  lastAt: number;
}

/** What a failure is counted against; `lockOut: false` caps the key at slowing down. */
export interface ThrottleKey {
  id: string;
  lockOut: boolean;
}

export type ThrottleVerdict = { ok: true } | { ok: false; retryAfterMs: number; locked: boolean };

export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly opts: ThrottleOptions = DEFAULT_THROTTLE) {}

  /** May an attempt for these keys (user name, address, both) be checked now? */
  check(keys: readonly ThrottleKey[], now: number): ThrottleVerdict {
    let wait = 0;
    let locked = false;
    for (const k of keys) {
      const e = this.entries.get(k.id);
      if (!e || e.notBefore <= now) continue;
      wait = Math.max(wait, e.notBefore - now);
      locked ||= k.lockOut && e.failures >= this.opts.lockAfter;
    }
    return wait > 0 ? { ok: false, retryAfterMs: wait, locked } : { ok: true };
  }

  /** Records a failure; returns whether the keys are now locked out. */
  fail(keys: readonly ThrottleKey[], now: number): boolean {
    let locked = false;
    for (const k of keys) {
      const e = this.entries.get(k.id) ?? { failures: 0, notBefore: 0, lastAt: 0 };
      // A lock-out served in full starts the count afresh.
      if (k.lockOut && e.failures >= this.opts.lockAfter && e.notBefore <= now) e.failures = 0;
      e.failures += 1;
      e.lastAt = now;
      const { freeAttempts, baseDelayMs, maxDelayMs, lockAfter, lockMs } = this.opts;
      if (k.lockOut && e.failures >= lockAfter) {
        e.notBefore = now + lockMs;
        locked = true;
      } else if (e.failures >= freeAttempts) {
        e.notBefore = now + Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(30, e.failures - freeAttempts));
      }
      this.entries.set(k.id, e);
    }
    this.prune(now);
    return locked;
  }

  succeed(keys: readonly ThrottleKey[]): void {
    for (const k of keys) this.entries.delete(k.id);
  }

  /** Bounds memory under a flood of distinct names: entries idle for a lock-out period are forgotten. */
  private prune(now: number): void {
    if (this.entries.size < 10_000) return;
    for (const [k, e] of this.entries) if (now - e.lastAt > this.opts.lockMs && e.notBefore <= now) this.entries.delete(k);
  }
}

/**
 * A login attempt's keys: the user at this address and the address lock out; the user name everywhere only slows
 * (case-insensitive, as user names are).
 */
export function loginKeys(user: string, address: string): ThrottleKey[] {
  const name = user.toLowerCase();
  return [
    { id: `pair:${name}@${address}`, lockOut: true },
    { id: `addr:${address}`, lockOut: true },
    { id: `user:${name}`, lockOut: false },
  ];
}
