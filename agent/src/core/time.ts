/**
 * A moment read from both clocks. `wall` (ms since the epoch) is what people and other systems read: alert
 * timestamps, schedules. `mono` (ms on a clock that never steps) measures durations: dwell, end-after, reminders.
 * A box without a real-time clock boots with a wrong wall clock and NTP later steps it, forwards or back.
 */
export interface Instant {
  wall: number;
  mono: number;
}

export interface Clock {
  /** Wall clock, ms since the epoch. */
  now(): number;
  /** Monotonic ms, shared by every thread of the process; only differences mean anything. */
  monotonic(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => Number(process.hrtime.bigint()) / 1e6,
};

export function instantOf(clock: Clock = systemClock): Instant {
  return { wall: clock.now(), mono: clock.monotonic() };
}
