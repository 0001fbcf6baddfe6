export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

/**
 * Delay before reconnect attempt `attempt` (0 = first retry): doubles from `initialMs` up to `maxMs`, ±20 % jitter so
 * that the cameras of a box that lost its uplink do not all reconnect in the same instant.
 */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const base = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, attempt));
  return Math.min(policy.maxMs, base * (0.8 + 0.4 * random()));
}
