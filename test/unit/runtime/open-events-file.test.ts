import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../agent/src/core/log.ts';
import type { SavedEvent } from '../../../agent/src/rules/restore.ts';
import { OpenEventsFile } from '../../../agent/src/runtime/open-events-file.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const saved = (eventId: string, nextSeq: number): SavedEvent => ({
  eventId,
  nextSeq,
  zone: 'kerb',
  rule: 'no-parking',
  type: 'illegal_parking',
  startedAtWall: 1_000,
  lastSeenWall: 2_000,
  dwellMs: 1_000,
  region: { x1: 0, y1: 0, x2: 10, y2: 10 },
  objects: [],
  bestQuality: 0.5,
});

/** An open-events file as the previous run left it, opened as the next start does. */
async function previousRun(events: SavedEvent[]): Promise<OpenEventsFile> {
  const dir = mkdtempSync(join(tmpdir(), 'jifang-open-events-'));
  dirs.push(dir);
  const cameras = { street: events.map((event) => ({ event })) };
  writeFileSync(join(dir, 'open-events.json'), JSON.stringify({ schema: 'jifang.open-events/1', savedAt: 3_000, cameras }));
  return OpenEventsFile.open(dir, { stateIntervalSeconds: 5, restoreGraceSeconds: 30, maxDowntimeMinutes: 60 }, silentLogger);
}

describe('open events of the previous run checked against what it sent (a kill between an alert and the file)', () => {
  it('continues an event after the last seq sent, drops one that an alert already ended or cleared, keeps the rest', async () => {
    const file = await previousRun([saved('behind', 3), saved('ended', 5), saved('same', 7), saved('unsent', 2)]);
    const sent: Record<string, { seq: number; closed: boolean }> = {
      behind: { seq: 3, closed: false },
      ended: { seq: 5, closed: true },
      same: { seq: 6, closed: false },
    };
    file.reconcile((id) => sent[id]);
    expect(file.take('street').map((e) => [e.event.eventId, e.event.nextSeq])).toEqual([
      ['behind', 4],
      ['same', 7],
      ['unsent', 2],
    ]);
  });
});
