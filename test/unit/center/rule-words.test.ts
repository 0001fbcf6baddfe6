import { describe, expect, it } from 'vitest';
import { ruleSentenceZh } from '../../../agent/src/center/rule-words.ts';
import { durationZh } from '../../../agent/src/web/duration-words.ts';

describe('the rule that decided an alert, in Chinese', () => {
  it('says each rule type with its parameters', () => {
    expect(
      ruleSentenceZh({ type: 'illegal_parking', parameters: { labels: ['car', 'truck'], dwellSeconds: 180, warnAfterSeconds: 60 } }),
    ).toBe('违法停车：小汽车或货车在区域内静止停放 3 分钟以上（1 分钟后先行警告）');
    expect(ruleSentenceZh({ type: 'street_vending', parameters: { minPeople: 1, dwellSeconds: 300 } })).toBe(
      '占道经营：区域内出现摊点且有 1 人以上在摊点旁，持续 5 分钟以上',
    );
    expect(ruleSentenceZh({ type: 'crowd', parameters: { minCount: 8, dwellSeconds: 60 } })).toBe(
      '人员聚集：区域内同时有 8 个以上人员，持续 1 分钟以上',
    );
    expect(ruleSentenceZh({ type: 'line_crossing', parameters: { labels: ['person'], direction: 'left_to_right' } })).toBe(
      '越线：行人从左向右越过警戒线',
    );
  });

  it('names a label it does not know as the box did, and writes durations in Chinese units', () => {
    expect(ruleSentenceZh({ type: 'intrusion', parameters: { labels: ['forklift'], dwellSeconds: 0 } })).toBe('闯入：forklift进入禁入区域');
    expect([45, 90, 3600, 5400].map(durationZh)).toEqual(['45 秒', '1 分 30 秒', '1 小时', '1 小时 30 分钟']);
  });
});
