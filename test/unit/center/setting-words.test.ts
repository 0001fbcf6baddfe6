import { describe, expect, it } from 'vitest';
import { fieldWords } from '../../../agent/src/center/setting-words.ts';
import { checkText } from '../../../agent/src/center/settings-edit.ts';

/** A center config an admin's edit made wrong in three ways: a zod bound, the schema's own words, an unknown field. */
const bad = [
  'mqtt:',
  '  url: mqtt://127.0.0.1:1883',
  'storage:',
  '  kind: sqlite',
  '  path: center.db',
  'users: users',
  'retention:',
  '  eventDays: -3',
  '  keepForever: true',
  'dispatchReminderMinutes: soon',
  'forwarders:',
  '  - id: city',
  '    url: ftp://platform',
  '',
].join('\n');

const problems = (lang: 'zh' | 'en') => {
  const r = checkText(bad, '/etc/jifang/center.yaml', lang);
  if (!('problems' in r)) throw new Error('the config passed');
  return Object.fromEntries(r.problems.map((p) => [p.path, p.message]));
};

describe("the center config's problems in the admin's language", () => {
  it('in Chinese: zod’s own messages through its zh-CN locale, the schema’s own words through the table, each with the value found', () => {
    expect(problems('zh')).toEqual({
      'retention.eventDays': '应 > 0（现为 -3）',
      'retention.keepForever': '未知字段（请检查拼写和缩进）',
      dispatchReminderMinutes: '应为数字（现为 "soon"）',
      'forwarders[0].url': '应为以 http:// 或 https:// 开头的接收地址',
    });
  });

  it('in English as before (the log, check-config, a script that states no language)', () => {
    expect(problems('en')).toEqual({
      'retention.eventDays': 'expected a value > 0, got -3',
      'retention.keepForever': 'unknown field (check its spelling and indentation)',
      dispatchReminderMinutes: 'expected a number, got "soon"',
      'forwarders[0].url': 'expected an http:// or https:// webhook URL',
    });
  });

  it('names a field as the form labels it, a forwarder’s by its place in the list', () => {
    expect(fieldWords('retention.eventDays', 'zh')).toBe('事件保留天数');
    expect(fieldWords('retention.eventDays', 'en')).toBe('Events kept (days)');
    expect(fieldWords('url', 'zh')).toBe('接收地址');
    expect(fieldWords('forwarders[1].url', 'zh')).toBe('第 2 个转发的接收地址');
    expect(fieldWords('states[0]', 'zh')).toBe('转发哪些消息');
    // A setting no form shows keeps its path: the admin edits it in the file.
    expect(fieldWords('mqtt.url', 'zh')).toBe('mqtt.url');
  });
});
