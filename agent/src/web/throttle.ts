/**
 * Failed logins slow the next attempt down, then lock it out: after `freeAttempts` failures in a row each further
 * attempt must wait `baseDelayMs`·2^k (capped at `maxDelayMs`); after `lockAfter` failures it waits `lockMs`.
 * Kept per user name and per client address, so neither guessing one password for many users nor many passwords
 * for one user goes fast. A success clears the user's and the address's count. Pure state, clock passed in.
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

export type ThrottleVerdict = { ok: true } | { ok: false; retryAfterMs: number; locked: boolean };

export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly opts: ThrottleOptions = DEFAULT_THROTTLE) {}

  /** May an attempt for these keys (user name, address) be checked now? */
  check(keys: readonly string[], now: number): ThrottleVerdict {
    let wait = 0;
    let locked = false;
    for (const k of keys) {
      const e = this.entries.get(k);
      if (!e || e.notBefore <= now) continue;
      wait = Math.max(wait, e.notBefore - now);
      locked ||= e.failures >= this.opts.lockAfter;
    }
    return wait > 0 ? { ok: false, retryAfterMs: wait, locked } : { ok: true };
  }

  /** Records a failure; returns whether the keys are now locked out. */
  fail(keys: readonly string[], now: number): boolean {
    let locked = false;
    for (const k of keys) {
      const e = this.entries.get(k) ?? { failures: 0, notBefore: 0, lastAt: 0 };
      // A lock-out served in full starts the count afresh.
      if (e.failures >= this.opts.lockAfter && e.notBefore <= now) e.failures = 0;
      e.failures += 1;
      e.lastAt = now;
      const { freeAttempts, baseDelayMs, maxDelayMs, lockAfter, lockMs } = this.opts;
      if (e.failures >= lockAfter) {
        e.notBefore = now + lockMs;
        locked = true;
      } else if (e.failures >= freeAttempts) {
        e.notBefore = now + Math.min(maxDelayMs, baseDelayMs * 2 ** (e.failures - freeAttempts));
      }
      this.entries.set(k, e);
    }
    this.prune(now);
    return locked;
  }

  succeed(keys: readonly string[]): void {
    for (const k of keys) this.entries.delete(k);
  }

  /** Bounds memory under a flood of distinct names: entries idle for a lock-out period are forgotten. */
  private prune(now: number): void {
    if (this.entries.size < 10_000) return;
    for (const [k, e] of this.entries) if (now - e.lastAt > this.opts.lockMs && e.notBefore <= now) this.entries.delete(k);
  }
}
