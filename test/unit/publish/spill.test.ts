import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../agent/src/core/log.ts';
import type { NewOutboxMessage } from '../../../agent/src/publish/outbox.ts';
import { HeldSpill } from '../../../agent/src/publish/spill.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const spillPath = () => {
  const dir = mkdtempSync(join(tmpdir(), 'jifang-spill-'));
  dirs.push(dir);
  return join(dir, 'held.spill');
};

const alert = (eventId: string, publication: number): NewOutboxMessage => ({
  kind: 'event',
  camera: 'cam-1',
  eventId,
  state: 'started',
  topic: 'jifang/v1/site/cam-1/events',
  properties: { contentType: 'application/json', userProperties: { eventId } },
  payload: Buffer.from(JSON.stringify({ id: eventId, publication, note: '路边摊' })),
  publication,
});

describe('the room reserved for alerts held on a full disk', () => {
  it('is reserved whole at the first start, and gives back at the next what was last written, byte for byte', () => {
    const path = spillPath();
    const first = HeldSpill.open(path, 64 * 1024, silentLogger)!;
    expect(statSync(path).size).toBe(64 * 1024);
    expect(first.load()).toEqual([]);
    expect(first.save([alert('a', 1), alert('b', 2)])).toBe(2);
    expect(first.save([alert('b', 2), alert('c', 3)])).toBe(2);
    first.close();

    const next = HeldSpill.open(path, 64 * 1024, silentLogger)!;
    expect(next.load()).toEqual([alert('b', 2), alert('c', 3)]);
    expect(next.save([])).toBe(0);
    expect(next.load()).toEqual([]);
    next.close();
  });

  it('a write cut off by a kill leaves the one before it whole', () => {
    const path = spillPath();
    const spill = HeldSpill.open(path, 64 * 1024, silentLogger)!;
    spill.save([alert('a', 1)]);
    spill.save([alert('a', 1), alert('b', 2)]);
    spill.close();
    // The second write (generation 2, the first half) torn: half of its bytes zeroed.
    const bytes = readFileSync(path);
    bytes.fill(0, 200, 400);
    writeFileSync(path, bytes);
    expect(HeldSpill.open(path, 64 * 1024, silentLogger)!.load()).toEqual([alert('a', 1)]);
  });

  it('keeps as many as fit, oldest first, and says how many', () => {
    const spill = HeldSpill.open(spillPath(), 2 * 1024, silentLogger)!;
    const many = Array.from({ length: 20 }, (_, k) => alert(`e${k}`, k + 1));
    const fitted = spill.save(many);
    expect(fitted).toBeGreaterThan(0);
    expect(fitted).toBeLessThan(20);
    expect(spill.load()).toEqual(many.slice(0, fitted));
  });
});
