/**
 * Failed logins slow the next attempt down, then lock it out: after `freeAttempts` failures in a row each further
 * attempt must wait `baseDelayMs`·2^k (capped at `maxDelayMs`); after `lockAfter` failures it waits `lockMs`.
 *
 * Who pays for a failure, thought through for a console behind a reverse proxy and a stranger who knows a user name:
 * - the user at this address (`pair`) is slowed, then locked out: only the one who keeps guessing is locked;
 * - the address (`addr`, all names) is only slowed, after `addressFreeAttempts`: one address spraying names goes no
 *   faster than one attempt per `maxDelayMs`, and an office behind one NAT address is never locked;
 * - the user name everywhere (`user`) is only slowed: guessing one user from many addresses goes no faster either.
 * A stranger could hold the last two up for good by guessing once per delay, so neither holds up the first attempt
 * of an address for a user (one that has not failed there), nor a user at an address where they logged in before.
 *
 * An attempt counts as a failure when it starts, before its (asynchronous) password check, so concurrent guesses
 * see each other; a success takes its own count back. Pure state, clock passed in.
 */
export interface ThrottleOptions {
  freeAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  lockAfter: number;
  lockMs: number;
  /** Failures from one address (any user name) before it is slowed; default 4 × `freeAttempts`. */
  addressFreeAttempts?: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = {
  freeAttempts: 3,
  baseDelayMs: 5_000,
  maxDelayMs: 60_000,
  lockAfter: 10,
  lockMs: 15 * 60_000,
};

/** How long a successful login keeps its user and address exempt from the others' slow-downs. */
const KNOWN_FOR_MS = 30 * 24 * 3600_000;
const MAX_ENTRIES = 10_000;

interface Entry {
  failures: number;
  notBefore: number;
  lastAt: number;
}

interface Key {
  id: string;
  lockOut: boolean;
  free: number;
}

export type ThrottleVerdict = { ok: true; lockedOut: boolean } | { ok: false; retryAfterMs: number; locked: boolean };

export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();
  /** `user@address` → when that user last logged in there. */
  private readonly known = new Map<string, number>();

  constructor(private readonly opts: ThrottleOptions = DEFAULT_THROTTLE) {}

  /**
   * May this attempt be checked now? When it may, it is counted as a failure at once (`lockedOut`: this one locks
   * the user out at this address should it fail); `succeeded` takes it back.
   */
  attempt(user: string, address: string, now: number): ThrottleVerdict {
    const keys = this.keysOf(user, address, now);
    let wait = 0;
    let locked = false;
    for (const k of keys) {
      const e = this.entries.get(k.id);
      if (!e || e.notBefore <= now) continue;
      wait = Math.max(wait, e.notBefore - now);
      locked ||= k.lockOut && e.failures >= this.opts.lockAfter;
    }
    if (wait > 0) return { ok: false, retryAfterMs: wait, locked };
    let lockedOut = false;
    for (const k of keys) lockedOut = this.count(k, now) || lockedOut;
    this.prune(now);
    return { ok: true, lockedOut };
  }

  /** The right password: the attempt's count taken back, the user's slow-downs cleared, this address remembered. */
  succeeded(user: string, address: string, now: number): void {
    const name = user.toLowerCase();
    this.entries.delete(`pair:${name}@${address}`);
    this.entries.delete(`user:${name}`);
    const a = this.entries.get(`addr:${address}`);
    if (a) a.failures = Math.max(0, a.failures - 1);
    this.known.delete(`${name}@${address}`);
    this.known.set(`${name}@${address}`, now);
    if (this.known.size > MAX_ENTRIES) this.known.delete(this.known.keys().next().value!);
  }

  private keysOf(user: string, address: string, now: number): Key[] {
    const name = user.toLowerCase();
    const { freeAttempts, addressFreeAttempts = 4 * freeAttempts } = this.opts;
    const pair: Key = { id: `pair:${name}@${address}`, lockOut: true, free: freeAttempts };
    const seen = this.known.get(`${name}@${address}`);
    if (seen !== undefined && now - seen < KNOWN_FOR_MS) return [pair];
    const keys = [pair, { id: `addr:${address}`, lockOut: false, free: addressFreeAttempts }];
    if ((this.entries.get(pair.id)?.failures ?? 0) > 0) keys.push({ id: `user:${name}`, lockOut: false, free: freeAttempts });
    return keys;
  }

  /** One more failure on `k`; whether it is now locked out. */
  private count(k: Key, now: number): boolean {
    const { baseDelayMs, maxDelayMs, lockAfter, lockMs } = this.opts;
    const e = this.entries.get(k.id) ?? { failures: 0, notBefore: 0, lastAt: 0 };
    // A lock-out served in full starts the count afresh.
    if (k.lockOut && e.failures >= lockAfter && e.notBefore <= now) e.failures = 0;
    e.failures += 1;
    e.lastAt = now;
    this.entries.set(k.id, e);
    if (k.lockOut && e.failures >= lockAfter) {
      e.notBefore = now + lockMs;
      return true;
    }
    if (e.failures >= k.free) e.notBefore = now + Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(30, e.failures - k.free));
    return false;
  }

  /** Bounds memory under a flood of distinct names: entries idle for a lock-out period are forgotten. */
  private prune(now: number): void {
    if (this.entries.size < MAX_ENTRIES) return;
    for (const [k, e] of this.entries) if (now - e.lastAt > this.opts.lockMs && e.notBefore <= now) this.entries.delete(k);
  }
}
