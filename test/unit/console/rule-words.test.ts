import { describe, expect, it } from 'vitest';
import { problemPlace, problemWords, warningWords } from '../../../agent/src/console/client/problem-words.ts';
import { type RuleTypeInfo, ruleProblems } from '../../../agent/src/console/client/rule-check.ts';
import { ruleTypes } from '../../../agent/src/console/edit-routes.ts';
import { choiceLabel, fieldHelp, fieldLabel } from '../../../agent/src/console/rule-words.ts';
import { ruleTypeLabel } from '../../../agent/src/web/rule-type-words.ts';

const types = ruleTypes() as RuleTypeInfo[];
const schemaOf = (type: string) => types.find((x) => x.type === type)!.schema;
/** A parameter's identifier as the file writes it (minForegroundArea, dwellSeconds): never a word for people. */
const IDENTIFIER = /\b[a-z]+[A-Z]\w*\b/;

describe('the rule form in words', () => {
  it('every parameter of every rule type has a label in both languages and Chinese help, without identifiers', () => {
    for (const { type, schema } of types) {
      expect(ruleTypeLabel(type, 'zh'), type).not.toBe(type);
      expect(fieldHelp(type, 'type', 'zh', undefined), `${type} help`).not.toBe('');
      for (const [key, prop] of Object.entries(schema.properties ?? {})) {
        if (key === 'type') continue;
        const zhLabel = fieldLabel(key, 'zh');
        const zhHelp = fieldHelp(type, key, 'zh', prop.description);
        expect(zhLabel, `${type}.${key}`).not.toBe(key);
        expect(fieldLabel(key, 'en'), `${type}.${key}`).not.toBe(key);
        expect(zhHelp, `${type}.${key} help`).toMatch(/[\u4e00-\u9fff]/);
        expect(`${zhLabel} ${zhHelp}`, `${type}.${key}`).not.toMatch(IDENTIFIER);
        // The English help is the schema's own description.
        expect(fieldHelp(type, key, 'en', prop.description)).toBe(prop.description);
        for (const choice of prop.enum ?? []) {
          expect(choiceLabel(key, choice, 'zh'), `${key}.${String(choice)}`).toMatch(/[\u4e00-\u9fff]/);
          expect(choiceLabel(key, choice, 'en'), `${key}.${String(choice)}`).not.toBe(choice);
        }
      }
    }
  });

  it('refuses what the config would refuse, by parameter: a negative duration, a fraction of a count, a bad time', () => {
    const problems = ruleProblems(
      {
        id: 'stall',
        type: 'street_vending',
        dwellSeconds: -5,
        minObjects: 1.5,
        reminderSeconds: 0,
        schedule: [{ from: '8:00', to: '20:00' }],
      },
      schemaOf('street_vending'),
      false,
    );
    expect(problems).toEqual([
      { field: 'reminderSeconds', problem: { key: 'field.above', vars: { min: 0 } } },
      { field: 'minObjects', problem: { key: 'field.integer' } },
      { field: 'dwellSeconds', problem: { key: 'field.min', vars: { min: 0 } } },
      { field: 'schedule[0].from', problem: { key: 'schedule.time', vars: { value: '8:00' } } },
    ]);
    expect(ruleProblems({ id: 'Bad id', type: 'crowd' }, schemaOf('crowd'), false).map((p) => p.field)).toEqual(['id', 'minCount']);
    const window = (from: string, to: string, days?: string[]) =>
      ruleProblems({ id: 'r', type: 'loitering', schedule: [{ days, from, to }] }, schemaOf('loitering'), false).map((p) => p.problem.key);
    expect(window('22:00', '06:00')).toEqual([]);
    expect(window('00:00', '24:00', ['sat'])).toEqual([]);
    expect(window('08:00', '08:00')).toEqual(['schedule.same']);
    expect(window('24:00', '08:00')).toEqual(['schedule.from24']);
    expect(window('08:00', '20:00', [])).toEqual(['schedule.days']);
  });

  it("names a check's problem by the zone's name and the rule's id, in Chinese, without the file's path or line", () => {
    const zones = [{ id: 'kerb' }, { id: 'zone-3', name: '公交站', rules: [{ id: 'rule-1' }] }];
    expect(
      problemWords(
        { path: 'cameras[0].zones[1].polygon', message: 'expected at least 3 points, got [[299,649],[600,649]] (line 81, column 18)' },
        zones,
        'zh',
      ),
    ).toBe('区域「公交站」 › 区域轮廓：至少需要 3 个点');
    expect(
      problemWords(
        { path: 'cameras[0].zones[1].rules[0].dwellSeconds', message: 'expected dwellSeconds ≥ 0 seconds (line 9, column 3)' },
        zones,
        'zh',
      ),
    ).toBe('区域「公交站」 › 规则「rule-1」 › 持续时间（秒）：应不小于 0 秒');
    const warning =
      '/etc/jifang/config.yaml: warning: cameras[0].zones[1].polygon: zone "zone-3" lies wholly under privacyMasks[0] and privacyMasks[2]: it is blacked out before analysis, so nothing in it is ever detected and its rules never fire; move the mask off the zone or remove the zone';
    expect(warningWords(warning, zones, 'zh')).toBe(
      '区域「公交站」 › 区域轮廓：整个区域都在隐私遮挡（遮挡 1、遮挡 3）之下：分析前即被涂黑，其中什么也检测不到，规则永远不会触发；请把遮挡移开，或删除该区域',
    );
    expect(warningWords(warning, zones, 'en')).toBe(warning);
    expect(problemPlace('cameras[0].zones[0].rules[0].schedule[1].to', zones, 'en')).toBe(
      'Zone “kerb” › rule “1” › When it applies › time window 2',
    );
  });
});
