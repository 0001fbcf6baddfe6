import { describe, expect, it } from 'vitest';
import { checkPlateGrammar, PROVINCES, SUFFIXES } from '../../../agent/src/plate/grammar.ts';

describe('plate grammar', () => {
  it.each([
    ['京A12345', 'standard'],
    ['冀D5L690', 'standard'],
    ['粤BZ9X8Y', 'standard'],
    ['皖KD01833', 'new-energy'],
    ['沪AF12345', 'new-energy'],
    ['苏E12345D', 'new-energy'],
    ['京A1234警', 'special'],
    ['川A1234学', 'special'],
    ['鲁B1234挂', 'special'],
    ['粤ZAB12港', 'special'],
    ['粤Z1234澳', 'special'],
    ['沪A1234领', 'special'],
    ['京A1234使', 'special'],
    ['浙A1234临', 'special'],
  ])('accepts %s as %s', (text, kind) => {
    expect(checkPlateGrammar(text)).toMatchObject({ valid: true, kind });
  });

  it('knows all 31 provinces and the eight suffixes', () => {
    expect([...PROVINCES]).toHaveLength(31);
    expect(new Set(PROVINCES).size).toBe(31);
    for (const p of PROVINCES) expect(checkPlateGrammar(`${p}A12345`).valid, p).toBe(true);
    for (const s of SUFFIXES) expect(checkPlateGrammar(`京A1234${s}`), s).toEqual({ valid: true, kind: 'special', suffix: s });
  });

  it.each([
    ['京A1234', '6 characters'],
    ['京A1234567', '9 characters'],
    ['', '0 characters'],
    ['AA12345', '"A" is not a province'],
    ['港A12345', '"港" is not a province'],
    ['京112345', '"1" after the province'],
    ['京I12345', '"I" after the province'],
    ['京A1O345', '"O" is never issued'],
    ['京A12I45', '"I" is never issued'],
    ['京A123456', 'new-energy'],
    ['京AA12345', 'new-energy'],
    ['京AD1234X', 'new-energy'],
    ['京A警1234', '"警" may only end the plate'],
    ['京A1234京', 'is not 5 letters or digits'],
    ['京A12-45', 'is not 5 letters or digits'],
  ])('rejects %s (%s)', (text, reason) => {
    const r = checkPlateGrammar(text);
    expect(r.valid).toBe(false);
    if (!r.valid) expect(r.reason).toContain(reason);
  });
});
