import { describe, expect, it } from 'vitest';
import { centerClientId } from '../../../agent/src/center/config.ts';
import { incomingAlertSchema, WIRE_LIMITS, wireLimitProblem } from '../../../agent/src/center/incoming.ts';
import { classifyWriteError } from '../../../agent/src/center/store/errors.ts';
import { makeAlert } from '../../helpers/box-simulator.ts';

describe("the center's reading of a failed write", () => {
  it('calls SQL data and constraint errors refusals of the message, and everything else the store being away', () => {
    const kind = (code: string | undefined) => classifyWriteError(Object.assign(new Error('x'), code ? { code } : {})).kind;
    for (const c of [
      '22P02',
      '22021',
      '22003',
      '23505',
      '23514',
      '54000',
      'SQLITE_CONSTRAINT_PRIMARYKEY',
      'SQLITE_CONSTRAINT_TRIGGER',
      'SQLITE_TOOBIG',
      'SQLITE_MISMATCH',
    ])
      expect(kind(c), c).toBe('refused');
    for (const c of [
      '08006',
      '08001',
      '57P01',
      '57P03',
      '53300',
      '40P01',
      'ECONNREFUSED',
      'ETIMEDOUT',
      'SQLITE_BUSY',
      'SQLITE_IOERR_FSYNC',
      undefined,
    ])
      expect(kind(c), String(c)).toBe('transient');
  });
});

describe('wire limits', () => {
  it('names the first NUL, oversized id, key, string or array without repeating a hostile key whole', () => {
    expect(wireLimitProblem({ a: [{ b: 'ok' }], id: 'x'.repeat(WIRE_LIMITS.idChars) })).toBeNull();
    expect(wireLimitProblem({ a: { address: 'a\u0000b' } })).toBe('payload.a.address: NUL character in a string');
    expect(wireLimitProblem({ site: 's'.repeat(129) })).toBe('payload.site: 129 characters, at most 128');
    expect(wireLimitProblem({ evidence: { thumbnail: { base64: 'A'.repeat(100_000) } } })).toBeNull();
    expect(wireLimitProblem({ cameras: Array.from({ length: 2000 }, () => 1) })).toBe('payload.cameras: 2000 items, at most 1024');
    const huge = wireLimitProblem({ objects: [{ ['k'.repeat(240_000)]: 1 }] });
    expect(huge).toMatch(/^payload\.objects\[0\]: a key of 240000 characters/);
    expect(huge!.length).toBeLessThan(200);
    let deep: unknown = 1;
    for (let i = 0; i < 50; i++) deep = { d: deep };
    expect(wireLimitProblem(deep)).toMatch(/nested deeper than 16 levels/);
  });
});

describe("a newer agent's alert", () => {
  it('is read with every object open to fields this center does not know, at any depth, and any event type', () => {
    const a = makeAlert({ site: 's', camera: 'c', id: 'e', seq: 0, state: 'started', jpeg: Buffer.from([0xff, 0xd8]) });
    const newer = {
      ...a,
      type: 'illegal_dumping',
      models: { night: { ...a.model, precision: 'int8' } },
      evidence: { ...a.evidence, snapshot: { ...a.evidence.snapshot!, blurred: true } },
      agent: { ...a.agent, build: 'x' },
    };
    const parsed = incomingAlertSchema.parse(newer);
    expect(parsed).toMatchObject({ type: 'illegal_dumping', models: { night: { precision: 'int8' } }, agent: { build: 'x' } });
    expect(incomingAlertSchema.safeParse({ ...a, state: 'exploded' }).success).toBe(false);
  });
});

describe("the center's MQTT client id", () => {
  it('is the configured one, else the same one from the host name after every restart (the broker keeps its session)', () => {
    expect(centerClientId({ clientId: 'center-a' })).toBe('center-a');
    expect(centerClientId({})).toBe(centerClientId({}));
    expect(centerClientId({}, 'ops-01.city.local')).toBe('jifang-center-ops-01.city.local');
    expect(centerClientId({}, 'h/ö+#')).toBe('jifang-center-h____');
    expect(centerClientId({}, 'h'.repeat(100))).toHaveLength(64);
  });
});
