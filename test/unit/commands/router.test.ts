import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CommandHandlers } from '../../../agent/src/commands/handlers/types.ts';
import { type CommandAuditEntry, createCommandRouter } from '../../../agent/src/commands/router.ts';
import type { IncomingCommand } from '../../../agent/src/commands/types.ts';
import { commandResultSchema, type EventCommand } from '../../../agent/src/contract/commands.ts';
import { silentLogger } from '../../../agent/src/core/log.ts';
import { buildTopics } from '../../../agent/src/publish/topics.ts';

const topics = buildTopics('jifang/v1', 'site-a');
const cmd = (name: string, body: unknown, prefix = topics.prefix): IncomingCommand => ({
  topic: `${prefix}/cmd/${name}`,
  payload: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
});

/** A stand-in for the rules engine: known events with their last operator action. */
function fixture(opts: { reloadResult?: { ok: true } | { ok: false; error: string }; throwOnEvent?: boolean } = {}) {
  const events = new Map<string, string | null>([['evt-1', null]]);
  const calls: string[] = [];
  const audit: CommandAuditEntry[] = [];
  const jpeg = Buffer.from('jpeg bytes');
  const handlers: CommandHandlers = {
    applyEventAction(c: EventCommand) {
      calls.push(`event:${c.eventId}:${c.action}`);
      if (opts.throwOnEvent) throw new Error('rules engine exploded');
      if (!events.has(c.eventId)) return { ok: false, error: `unknown event id "${c.eventId}"` };
      events.set(c.eventId, c.action);
      return { ok: true, detail: { eventId: c.eventId, state: 'updated' } };
    },
    cameras: () => ['cam-1', 'cam-2'],
    async snapshot(camera) {
      calls.push(`snapshot:${camera}`);
      return { ok: true, jpeg, width: 640, height: 360, sha256: createHash('sha256').update(jpeg).digest('hex') };
    },
    async reload() {
      calls.push('reload');
      return opts.reloadResult ?? { ok: true };
    },
    captureReference(camera) {
      calls.push(`reference:${camera}`);
      return camera === 'cam-2'
        ? { ok: false, error: 'camera "cam-2" has no rule reading static foreground' }
        : { ok: true, detail: { camera } };
    },
    resend({ from, to }) {
      calls.push(`resend:${from}-${to ?? ''}`);
      const detail = { from, through: 3, latest: 3, resent: 0, queued: 0, notKept: [[from, 3]], more: false };
      return { ok: false, error: `publications ${from}–3 are no longer kept`, detail };
    },
  };
  const route = createCommandRouter({
    topics,
    boxId: 'box-1',
    handlers,
    log: silentLogger,
    audit: (e) => audit.push(e),
    now: () => Date.parse('2025-05-01T00:00:00Z'),
  });
  return { route, events, calls, audit, jpeg };
}

const valid = { eventId: 'evt-1', action: 'dispatch', by: 'operator-7', unit: 'patrol-3', note: 'blocking the bus lane', requestId: 'r-1' };

describe('command router', () => {
  it('applies a valid event command and answers ok with the request id', async () => {
    const f = fixture();
    const { result } = await f.route(cmd('event', valid));
    expect(commandResultSchema.parse(result)).toMatchObject({
      command: 'event',
      ok: true,
      requestId: 'r-1',
      boxId: 'box-1',
      detail: { eventId: 'evt-1' },
    });
    expect(f.events.get('evt-1')).toBe('dispatch');
    expect(f.audit).toEqual([expect.objectContaining({ command: 'event', ok: true, payload: valid })]);
  });

  it.each([
    ['invalid JSON', cmd('event', '{"eventId": "evt-1", action'), /not valid JSON/],
    ['an unknown action', cmd('event', { ...valid, action: 'arrest' }), /action: .*"ack"\|"dispatch"\|"false_positive"\|"resolve"/],
    ['a missing field', cmd('event', { eventId: 'evt-1', action: 'ack' }), /by: expected by/],
    ['an unexpected field', cmd('event', { ...valid, fine: 200 }), /fine/],
    ['a JSON array', cmd('event', [valid]), /invalid cmd\/event/],
    [
      'an unknown command',
      cmd('shutdown', {}),
      /unknown command "shutdown": expected one of cmd\/event, cmd\/snapshot, cmd\/reload, cmd\/reference, cmd\/resend/,
    ],
    ["another box's prefix", cmd('event', valid, 'jifang/v1/site-b'), /not under this box's prefix "jifang\/v1\/site-a\/cmd\/"/],
  ])('refuses %s with an error reply and changes nothing', async (_what, incoming, error) => {
    const f = fixture();
    const { result } = await f.route(incoming);
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(error);
    expect(f.calls).toEqual([]);
    expect(f.events.get('evt-1')).toBeNull();
    expect(f.audit).toEqual([expect.objectContaining({ ok: false, error: result.error })]);
  });

  it('refuses a command issued longer ago than the maximum age as expired, saying when; applies a recent or undated one', async () => {
    const f = fixture();
    const weekOld = await f.route(cmd('event', { ...valid, issuedAt: '2025-04-24T00:00:00.000Z' }));
    expect(weekOld.result).toMatchObject({
      ok: false,
      requestId: 'r-1',
      error: 'expired: issued 2025-04-24T00:00:00.000Z, 7 days ago, older than 60 min (mqtt.commandMaxAgeMinutes): not applied',
    });
    expect(f.calls).toEqual([]);
    expect(f.events.get('evt-1')).toBeNull();
    expect(f.audit).toEqual([expect.objectContaining({ ok: false, error: weekOld.result.error })]);

    expect((await f.route(cmd('event', { ...valid, issuedAt: '2025-04-30T23:30:00+08:00' }))).result.ok).toBe(false);
    expect((await f.route(cmd('event', { ...valid, issuedAt: '2025-04-30T23:59:00Z' }))).result).toMatchObject({ ok: true });
    expect((await f.route(cmd('reload', { issuedAt: '2025-04-30T23:59:00Z' }))).result).toMatchObject({ ok: true });
    expect(f.events.get('evt-1')).toBe('dispatch');
  });

  it('echoes the request id even when the command is refused', async () => {
    const { result } = await fixture().route(cmd('event', { requestId: 'r-9', action: 'ack' }));
    expect(result).toMatchObject({ ok: false, requestId: 'r-9' });
  });

  it('passes on the rules engine refusing an unknown event id', async () => {
    const f = fixture();
    const { result } = await f.route(cmd('event', { ...valid, eventId: 'evt-404' }));
    expect(result).toMatchObject({ ok: false, error: 'unknown event id "evt-404"' });
    expect(f.events.get('evt-1')).toBeNull();
  });

  it('passes on a re-send refused for publications no longer kept, with which ones in the detail', async () => {
    const f = fixture();
    const { result } = await f.route(cmd('resend', { from: 1, requestId: 'gap-1' }));
    expect(commandResultSchema.parse(result)).toMatchObject({
      command: 'resend',
      ok: false,
      requestId: 'gap-1',
      error: 'publications 1–3 are no longer kept',
      detail: { notKept: [[1, 3]] },
    });
    expect(f.calls).toEqual(['resend:1-']);
  });

  it('refuses a re-send range that ends before it starts', async () => {
    const f = fixture();
    const { result } = await f.route(cmd('resend', { from: 9, to: 3 }));
    expect(result).toMatchObject({ ok: false, error: 'invalid cmd/resend: to: expected to ≥ from' });
    expect(f.calls).toEqual([]);
  });

  it('answers with an error when a handler throws', async () => {
    const { result } = await fixture({ throwOnEvent: true }).route(cmd('event', valid));
    expect(result).toMatchObject({ ok: false, error: 'the box failed to apply cmd/event: rules engine exploded' });
  });

  it('takes a snapshot of a known camera and hands the JPEG over for publishing', async () => {
    const f = fixture();
    const reply = await f.route(cmd('snapshot', { camera: 'cam-2' }));
    expect(reply.result).toMatchObject({
      ok: true,
      detail: {
        camera: 'cam-2',
        topic: 'jifang/v1/site-a/cam-2/snapshot',
        bytes: f.jpeg.length,
        sha256: createHash('sha256').update(f.jpeg).digest('hex'),
      },
    });
    expect(reply.snapshot).toEqual({ camera: 'cam-2', jpeg: f.jpeg });
  });

  it('refuses a snapshot of a camera this box does not have, listing the ones it has', async () => {
    const f = fixture();
    const reply = await f.route(cmd('snapshot', { camera: 'cam-9' }));
    expect(reply.result).toMatchObject({ ok: false, error: 'unknown camera "cam-9": this box has "cam-1", "cam-2"' });
    expect(reply.snapshot).toBeUndefined();
    expect(f.calls).toEqual([]);
  });

  it("captures a camera's clean-scene reference; refuses an unknown camera or one without static foreground", async () => {
    const f = fixture();
    expect((await f.route(cmd('reference', { camera: 'cam-1', requestId: 'r1' }))).result).toMatchObject({
      command: 'reference',
      ok: true,
      requestId: 'r1',
      detail: { camera: 'cam-1' },
    });
    expect((await f.route(cmd('reference', { camera: 'cam-9' }))).result).toMatchObject({
      ok: false,
      error: 'unknown camera "cam-9": this box has "cam-1", "cam-2"',
    });
    expect((await f.route(cmd('reference', { camera: 'cam-2' }))).result).toMatchObject({
      ok: false,
      error: /no rule reading static foreground/,
    });
    expect(f.calls).toEqual(['reference:cam-1', 'reference:cam-2']);
  });

  it('reports a reload that kept the old config', async () => {
    const f = fixture({ reloadResult: { ok: false, error: 'cameras[0].url: expected an RTSP URL; kept the running config' } });
    const { result } = await f.route(cmd('reload', {}));
    expect(result).toMatchObject({ command: 'reload', ok: false, error: /kept the running config/ });
    expect(f.calls).toEqual(['reload']);
  });

  it.each([
    [
      'a by with a line break',
      { ...valid, by: 'op\n2025-05-01T00:00:00.000Z STARTED illegal_parking' },
      /by: expected by without control characters/,
    ],
    ['a by with an escape sequence', { ...valid, by: 'op\u001b[31m' }, /by: expected by without control characters/],
    ['a 60 KB by', { ...valid, by: 'x'.repeat(60_000) }, /by: expected by of at most 64 characters/],
    ['a long unit', { ...valid, unit: 'u'.repeat(65) }, /unit: expected unit of at most 64 characters/],
    ['a long note', { ...valid, note: 'n'.repeat(2001) }, /note: expected note of at most 2000 characters/],
    ['a note with an escape sequence', { ...valid, note: 'see\u001b[2J' }, /note: expected note without control characters/],
    ['a long event id', { ...valid, eventId: 'e'.repeat(201) }, /eventId: expected eventId of at most 200 characters/],
  ])('refuses %s, changing nothing', async (_what, body, error) => {
    const f = fixture();
    const { result } = await f.route(cmd('event', body));
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(error);
    expect(f.calls).toEqual([]);
  });

  it('keeps a note’s line breaks', async () => {
    const f = fixture();
    const { result } = await f.route(cmd('event', { ...valid, note: 'bus lane\nsecond time today' }));
    expect(result.ok).toBe(true);
  });

  it('never echoes an oversized request id: an 8 MB one gets a small reply without it', async () => {
    const f = fixture();
    const { result } = await f.route(cmd('event', { ...valid, requestId: 'r'.repeat(8 * 1024 * 1024) }));
    expect(result).toMatchObject({ ok: false, error: expect.stringMatching(/too large/) });
    expect(result.requestId).toBeUndefined();
    expect(Buffer.byteLength(JSON.stringify(result))).toBeLessThan(1024);
    // Within the payload limit but over the request id's own bound: refused, and not echoed either.
    const { result: long } = await f.route(cmd('event', { ...valid, requestId: 'r'.repeat(129) }));
    expect(long).toMatchObject({ ok: false, error: expect.stringMatching(/requestId: expected requestId of at most 128 characters/) });
    expect(long.requestId).toBeUndefined();
    expect(f.calls).toEqual([]);
  });

  it('bounds every echoed field: a huge command name, camera or unknown key', async () => {
    const f = fixture();
    const replies = await Promise.all([
      f.route(cmd('x'.repeat(60_000), {})),
      f.route(cmd('snapshot', { camera: 'c'.repeat(60_000), requestId: 'r-1' })),
      f.route(cmd('event', { ...valid, ['k'.repeat(60_000)]: 1 })),
    ]);
    for (const { result } of replies) {
      expect(result.ok).toBe(false);
      expect(Buffer.byteLength(JSON.stringify(result))).toBeLessThan(2048);
      expect(result.error).toBeTruthy();
    }
    expect(f.calls).toEqual([]);
  });
});
