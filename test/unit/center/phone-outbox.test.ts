import { describe, expect, it } from 'vitest';
import { nextToSend, type OutboxItem, retryDelayMs, shownState, verdictOf } from '../../../agent/src/center/phone/outbox.ts';

const item = (seq: number, more: Partial<OutboxItem> = {}): OutboxItem =>
  ({ kind: 'transition', action: 'accept', seq, clientId: `c${seq}`, orderId: 'o1', madeAt: seq, attempts: 0, ...more }) as OutboxItem;

describe('the phone outbox (dead zone queue)', () => {
  it('sends the oldest first, whatever order the items were stored in', () => {
    expect(nextToSend([item(3), item(1), item(2)])?.seq).toBe(1);
    expect(nextToSend([])).toBeUndefined();
  });

  it('skips an item the center refused for good, and sends the next', () => {
    expect(nextToSend([item(1, { refused: true }), item(2)])?.seq).toBe(2);
  });

  it('retries when no answer came or the center was busy; asks for a login on 401; drops a 409 as refused', () => {
    expect(verdictOf(null)).toBe('retry');
    expect(verdictOf(503)).toBe('retry');
    expect(verdictOf(429)).toBe('retry');
    expect(verdictOf(200)).toBe('sent');
    expect(verdictOf(401)).toBe('login');
    expect(verdictOf(409)).toBe('refused');
    expect(verdictOf(413)).toBe('refused');
  });

  it('backs off from 1 s to at most 30 s', () => {
    expect([1, 2, 3, 4, 5, 6, 10].map(retryDelayMs)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  });

  it("shows the order moved on by the officer's own unsent actions, in their order", () => {
    const queued = [item(2, { action: 'arrive' } as Partial<OutboxItem>), item(1)];
    expect(shownState('dispatched', 'o1', queued)).toBe('on_scene');
    expect(shownState('dispatched', 'o2', queued)).toBe('dispatched');
    expect(shownState('dispatched', 'o1', [item(1, { refused: true })])).toBe('dispatched');
  });
});
