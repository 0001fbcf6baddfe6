import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ActionDeps, takeAction } from '../../../agent/src/center/actions.ts';
import type { CenterStore } from '../../../agent/src/center/store/types.ts';
import { COMMAND_RESULT_SCHEMA_ID, type CommandResult, type EventCommand } from '../../../agent/src/contract/commands.ts';
import { makeAlert } from '../../helpers/box-simulator.ts';
import { incoming, openTempArchive } from '../../helpers/center-archive.ts';

/**
 * The operator's and dispatcher's use case on a real SQLite archive. The broker link is a fake (a real one needs a
 * broker and a box answering on it; the end-to-end test has both): it records what was sent and answers as told.
 */
type Answer = { ok: true } | { ok: false; error: string } | 'timeout';
function fakeBoxLink(answer: Answer, onSend: (site: string, cmd: EventCommand) => Promise<void> | void = () => {}, brokerUp = true) {
  const sent: { site: string; cmd: EventCommand & { requestId: string } }[] = [];
  const link: ActionDeps['link'] = {
    connected: () => brokerUp,
    sendEventCommand: async (site, cmd) => {
      sent.push({ site, cmd });
      await onSend(site, cmd);
      if (answer === 'timeout') return { timeout: true };
      const result: CommandResult = {
        schema: COMMAND_RESULT_SCHEMA_ID,
        command: 'event',
        topic: `jifang/v1/${site}/cmd/event`,
        requestId: cmd.requestId,
        ok: answer.ok,
        ...(answer.ok ? {} : { error: answer.error }),
        boxId: `box-${site}`,
        at: new Date().toISOString(),
      };
      return result;
    },
  };
  return { link, sent };
}

let store: CenterStore;
let remove: () => Promise<void>;
let changes: number;
beforeEach(async () => {
  ({ store, remove } = await openTempArchive());
  changes = 0;
  await store.saveEvent(
    incoming(makeAlert({ site: 'box-a', camera: 'cam-1', id: 'ev-1', seq: 0, state: 'started', jpeg: Buffer.from('pic') })),
    [],
  );
});
afterEach(() => remove());

const deps = (link: ActionDeps['link']): ActionDeps => ({
  store,
  link,
  changed: () => changes++,
  commandTimeoutSeconds: 7,
  requestId: () => 'req-1',
});
const actionsOf = async (id: string) => (await store.getEvent(id))!.actions;

describe('an operator or dispatcher acting on an event (fake broker link)', () => {
  it('a dispatch is recorded as pending, sent to the event’s box with unit and note, and the box’s yes recorded', async () => {
    let whileWaiting: unknown;
    const { link, sent } = fakeBoxLink({ ok: true }, async () => {
      whileWaiting = (await actionsOf('ev-1')).map((a) => a.result);
    });
    const audited: unknown[] = [];
    const out = await takeAction(
      deps(link),
      'ev-1',
      { action: 'dispatch', unit: 'patrol-3', note: 'blue van' },
      { user: 'li', role: 'dispatcher' },
      (a) => audited.push(a),
    );

    expect(out).toMatchObject({ kind: 'answered', requestId: 'req-1', result: { ok: true } });
    expect(sent).toEqual([
      { site: 'box-a', cmd: { eventId: 'ev-1', action: 'dispatch', by: 'li', requestId: 'req-1', unit: 'patrol-3', note: 'blue van' } },
    ]);
    expect(whileWaiting).toEqual(['pending']);
    expect(audited).toEqual([{ eventId: 'ev-1', action: 'dispatch', requestId: 'req-1', unit: 'patrol-3' }]);
    expect(await actionsOf('ev-1')).toMatchObject([
      {
        requestId: 'req-1',
        action: 'dispatch',
        by: 'li',
        role: 'dispatcher',
        unit: 'patrol-3',
        note: 'blue van',
        result: 'ok',
        error: null,
      },
    ]);
    // The live feed is told twice: once for the pending row, once for the answer.
    expect(changes).toBe(2);
  });

  it('a box that refuses: the row says refused, with the box’s reason', async () => {
    const { link } = fakeBoxLink({ ok: false, error: 'event ev-1 is not open on this box' });
    const out = await takeAction(deps(link), 'ev-1', { action: 'resolve' }, { user: 'wang', role: 'operator' });

    expect(out).toMatchObject({ kind: 'answered', result: { ok: false, error: 'event ev-1 is not open on this box' } });
    expect(await actionsOf('ev-1')).toMatchObject([{ action: 'resolve', result: 'refused', error: 'event ev-1 is not open on this box' }]);
  });

  it('no answer in time: recorded as a timeout naming the box, and a late answer still lands on the row', async () => {
    const { link } = fakeBoxLink('timeout');
    const out = await takeAction(deps(link), 'ev-1', { action: 'ack' }, { user: 'wang', role: 'operator' });

    expect(out).toEqual({ kind: 'no-answer', requestId: 'req-1', error: 'no answer from the box within 7 s' });
    expect(await actionsOf('ev-1')).toMatchObject([
      { result: 'timeout', error: 'no answer from box box-a within 7 s (it may be offline; the broker keeps the command for it)' },
    ]);

    const late: CommandResult = {
      schema: COMMAND_RESULT_SCHEMA_ID,
      command: 'event',
      topic: 'jifang/v1/box-a/cmd-result',
      requestId: 'req-1',
      ok: true,
      boxId: 'box-box-a',
      at: new Date().toISOString(),
    };
    await store.saveCommandResult('box-a', late, JSON.stringify(late), Date.now());
    expect(await actionsOf('ev-1')).toMatchObject([{ result: 'ok', error: null }]);
  });

  it('a dispatch the box refuses as expired after an outage: the row says so, and the event changes so its page shows it', async () => {
    const { link } = fakeBoxLink('timeout');
    await takeAction(deps(link), 'ev-1', { action: 'dispatch', unit: 'patrol-3' }, { user: 'li', role: 'dispatcher' });
    const revBefore = (await store.getEvent('ev-1'))!.event.rev;

    const error = 'expired: issued 2026-03-01T08:00:00.000Z, 7 days ago, older than 60 min (mqtt.commandMaxAgeMinutes): not applied';
    const late: CommandResult = {
      schema: COMMAND_RESULT_SCHEMA_ID,
      command: 'event',
      topic: 'jifang/v1/box-a/cmd/event',
      requestId: 'req-1',
      ok: false,
      error,
      boxId: 'box-box-a',
      at: new Date().toISOString(),
    };
    const saved = await store.saveCommandResult('box-a', late, JSON.stringify(late), Date.now());

    expect(saved).toEqual({ inserted: true, answered: [{ site: 'box-a', id: 'ev-1' }] });
    expect(await actionsOf('ev-1')).toMatchObject([{ action: 'dispatch', result: 'refused', error }]);
    expect((await store.getEvent('ev-1'))!.event.rev).toBeGreaterThan(revBefore);
  });

  it('an operator may not dispatch: nothing is recorded and nothing sent', async () => {
    const { link, sent } = fakeBoxLink({ ok: true });
    const out = await takeAction(deps(link), 'ev-1', { action: 'dispatch', unit: 'patrol-3' }, { user: 'wang', role: 'operator' });

    expect(out).toEqual({
      kind: 'not-allowed',
      error: 'refused: dispatch needs the role dispatcher or supervisor or admin; you are operator',
    });
    expect(sent).toEqual([]);
    expect(await actionsOf('ev-1')).toEqual([]);
    expect(changes).toBe(0);
  });

  it('an event the archive does not have: said so, nothing sent', async () => {
    const { link, sent } = fakeBoxLink({ ok: true });
    const out = await takeAction(deps(link), 'ev-404', { action: 'ack' }, { user: 'wang', role: 'operator' });

    expect(out).toEqual({ kind: 'no-event', error: 'no event ev-404' });
    expect(sent).toEqual([]);
  });

  it('the broker unreachable: refused as not sent, nothing recorded as pending and nothing handed to the link to send later', async () => {
    const { link, sent } = fakeBoxLink({ ok: true }, () => {}, false);
    const out = await takeAction(deps(link), 'ev-1', { action: 'ack' }, { user: 'wang', role: 'operator' });

    expect(out).toEqual({ kind: 'not-sent', error: 'broker unreachable, not sent to the box: try again when it is back' });
    expect(sent).toEqual([]);
    expect(await actionsOf('ev-1')).toEqual([]);
  });
});
