export type RefusalReason = 'wrong_password' | 'slowed' | 'locked' | 'busy';

/** Refused logins of one interval, audited as one entry: a flood of guesses is a few records, not one per guess. */
export interface RefusalTotals {
  action: 'login_refused';
  from: string;
  to: string;
  refused: number;
  reasons: Partial<Record<RefusalReason, number>>;
  /** Refusals by user name and by address, the most frequent first (at most MAX_NAMED each; the rest under "…"). */
  users: Record<string, number>;
  addresses: Record<string, number>;
  /** `user@address` pairs that this interval locked out. */
  lockedOut?: string[];
}

const MAX_NAMED = 20;
/** Distinct names counted per interval; a flood of more adds to "…" only. */
const MAX_TRACKED = 1000;

function countInto(map: Map<string, number>, key: string): void {
  const k = map.has(key) || map.size < MAX_TRACKED ? key : '…';
  map.set(k, (map.get(k) ?? 0) + 1);
}

function top(map: Map<string, number>): Record<string, number> {
  const named = [...map].filter(([k]) => k !== '…').sort((a, b) => b[1] - a[1]);
  const out = Object.fromEntries(named.slice(0, MAX_NAMED));
  const others = (map.get('…') ?? 0) + named.slice(MAX_NAMED).reduce((n, [, v]) => n + v, 0);
  return others > 0 ? { ...out, '…': others } : out;
}

export class RefusalCounter {
  private from: number | undefined;
  private refused = 0;
  private reasons: Partial<Record<RefusalReason, number>> = {};
  private users = new Map<string, number>();
  private addresses = new Map<string, number>();
  private lockedOut: string[] = [];

  add(reason: RefusalReason, user: string, address: string, now: number, lockedOut = false): void {
    this.from ??= now;
    this.refused++;
    this.reasons[reason] = (this.reasons[reason] ?? 0) + 1;
    countInto(this.users, user);
    countInto(this.addresses, address);
    if (lockedOut && this.lockedOut.length < MAX_NAMED) this.lockedOut.push(`${user}@${address}`);
  }

  /** The interval's totals (undefined when nothing was refused), and a fresh count from here. */
  take(now: number): RefusalTotals | undefined {
    if (this.from === undefined) return undefined;
    const totals: RefusalTotals = {
      action: 'login_refused',
      from: new Date(this.from).toISOString(),
      to: new Date(now).toISOString(),
      refused: this.refused,
      reasons: this.reasons,
      users: top(this.users),
      addresses: top(this.addresses),
      ...(this.lockedOut.length > 0 ? { lockedOut: this.lockedOut } : {}),
    };
    this.from = undefined;
    this.refused = 0;
    this.reasons = {};
    this.users = new Map();
    this.addresses = new Map();
    this.lockedOut = [];
    return totals;
  }
}
