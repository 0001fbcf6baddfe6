import type { OperatorAction } from '../contract/event-states.ts';
import { durationZh } from './duration-words.ts';
import { labelIn } from './label-words.ts';
import type { Lang } from './lang.ts';
import { ruleTypeLabel } from './rule-type-words.ts';

/*
 * Why an event changed or ended (the alert's `reason`, worded in English by agent/src/rules: lifecycle.ts, engine.ts,
 * restore.ts and each rule kind's `subject` and `lapse`) in Chinese for the Chinese pages of both consoles; English
 * pages show the box's words. A reason the table does not know is shown as it is. Browser code: no Node imports.
 * test/unit/web/reason-words.test.ts produces every form from the rules' own code and fails on one left in English.
 */

/** A duration as rules/describe.ts formatDuration writes it: "45 s", "3 min 20 s", "2 h 30 min". */
const DUR = '(\\d+ h(?: \\d+ min)?|\\d+ min(?: \\d+ s)?|\\d+ s)';
const UNIT_SECONDS: Record<string, number> = { h: 3600, min: 60, s: 1 };

function durationIn(text: string): string {
  let seconds = 0;
  for (const [, n, unit] of text.matchAll(/(\d+) (h|min|s)\b/g)) seconds += Number(n) * UNIT_SECONDS[unit];
  return durationZh(seconds);
}

/** "car, truck or bus" (rules/describe.ts listOr) → "小汽车或货车或客车". */
const labelsIn = (list: string): string =>
  list
    .split(/, | or /)
    .map((l) => labelIn(l, 'zh'))
    .join('或');

const SUBJECTS_ZH: Record<string, string> = { vehicle: '车辆', crowd: '人群', object: '物品', stall: '摊位' };
/** A kind's `subject`: "the vehicle", "the car or truck". */
const subjectIn = (subject: string): string => {
  const what = subject.replace(/^the /, '');
  return SUBJECTS_ZH[what] ?? labelsIn(what);
};

const DAYS_ZH: Record<string, string> = { Mon: '周一', Tue: '周二', Wed: '周三', Thu: '周四', Fri: '周五', Sat: '周六', Sun: '周日' };
/** rules/describe.ts describeSchedule: "Mon–Fri 07:00–20:00, Sat 09:00–12:00 (site time)", "at all times". */
const scheduleIn = (schedule: string): string =>
  schedule
    .replace(/^at all times$/, '全天')
    .replace(/\bdaily\b/g, '每天')
    .replace(/\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun)\b/g, (d) => DAYS_ZH[d])
    .replace(/, /g, '，')
    .replace(/ \(site time\)$/, '（当地时间）');

type Row = [RegExp, (m: RegExpExecArray) => string];

const re = (pattern: string) => new RegExp(`^${pattern}$`);

/** Reasons that wrap another: the inner one is worded by the table again. */
const WRAPPERS: Row[] = [
  [re(`warning only \\(gone before ${DUR}\\): (.+)`), (m) => `仅警告（未满 ${durationIn(m[1])}即消失）：${reasonZh(m[2])}`],
  [re(`cleared ${DUR} after dispatch: (.+)`), (m) => `派单 ${durationIn(m[1])}后解除：${reasonZh(m[2])}`],
];

/** lifecycle.ts, engine.ts and restore.ts. */
const LIFECYCLE: Row[] = [
  [re(`violation: (.+) has stayed ${DUR}`), (m) => `违规：${subjectIn(m[1])}已持续 ${durationIn(m[2])}`],
  [re(`still present ${DUR} after dispatch`), (m) => `派单 ${durationIn(m[1])}后仍在`],
  [re('continued after the agent restarted \\(down (\\d+) s\\)'), (m) => `设备重启后继续（中断 ${durationZh(Number(m[1]))}）`],
  [re('the rule is out of schedule \\(in force (.+)\\)'), (m) => `规则已不在生效时段（生效时段：${scheduleIn(m[1])}）`],
  [re(`(.+) left \\(not seen for ${DUR}\\)`), (m) => `${subjectIn(m[1])}已离开（${durationIn(m[2])}未再出现）`],
  [re('marked as a false positive by (.+)'), (m) => `已被 ${m[1]} 标记为误报`],
  [re('resolved by (.+)'), (m) => `已由 ${m[1]} 处置完毕`],
  [
    re('config_changed: rule "(.+)" \\((\\w+)\\) of zone "(.+)" was removed from the config'),
    (m) => `配置已变更：区域“${m[3]}”的${ruleTypeLabel(m[2], 'zh')}规则“${m[1]}”已从配置中删除`,
  ],
  [
    re('not_seen_after_restart: the agent was down (\\d+) s, longer than (\\d+) min; last seen (\\S+)'),
    (m) => `重启后未再出现：设备中断 ${durationZh(Number(m[1]))}，超过 ${m[2]} 分钟；最后出现于 ${m[3]}`,
  ],
  [
    re('not_seen_after_restart: not seen at its place within (\\d+) s after the agent restarted \\(down (\\d+) s\\); last seen (\\S+)'),
    (m) => `重启后未再出现：设备重启（中断 ${durationZh(Number(m[2]))}）后 ${durationZh(Number(m[1]))}内未在原位出现；最后出现于 ${m[3]}`,
  ],
];

/** Each rule kind's `lapse` (rules/kinds/*.ts). */
const LAPSES: Row[] = [
  [re('the vehicle is no longer stationary inside the zone'), () => '车辆已不在区域内静止停放'],
  [re('crossing recorded'), () => '已记录越线'],
  [re('no longer standing still inside the zone'), () => '已不在区域内静止停留'],
  [re('left the zone'), () => '已离开区域'],
  [re('no stall remains in the zone'), () => '区域内已无摊位'],
  [re('no stall with (\\d+) (.+) at it remains in the zone'), (m) => `区域内已无有 ${m[1]} 个${labelsIn(m[2])}的摊位`],
  [re('no (.+) inside the zone any more'), (m) => `区域内已无${labelsIn(m[1])}`],
  [re('fewer than (\\d+) (.+) inside the zone'), (m) => `区域内${labelsIn(m[2])}少于 ${m[1]} 个`],
  [re('the object is gone from the zone'), () => '物品已离开区域'],
];

const ROWS: Row[] = [...WRAPPERS, ...LIFECYCLE, ...LAPSES];

function reasonZh(reason: string): string {
  for (const [pattern, zh] of ROWS) {
    const m = pattern.exec(reason);
    if (m) return zh(m);
  }
  return reason;
}

/** An event's reason in the page's language. */
export const reasonIn = (reason: string, lang: Lang): string => (lang === 'zh' ? reasonZh(reason) : reason);

const ACTIONS_ZH: Record<OperatorAction, string> = {
  ack: '已确认',
  dispatch: '已派单',
  false_positive: '已标记误报',
  resolve: '已处置',
};

/** An operator's action on an event and who took it: "已确认（li）", "ack (li)". */
export const operatorIn = (op: { action: OperatorAction; by: string }, lang: Lang): string =>
  lang === 'zh' ? `${ACTIONS_ZH[op.action]}（${op.by}）` : `${op.action} (${op.by})`;
