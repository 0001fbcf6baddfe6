import type { Alert } from '../contract/alert.ts';
import { durationZh } from '../web/duration-words.ts';
import { labelIn } from '../web/label-words.ts';

/*
 * The rule that decided an alert, in a Chinese sentence, from its type and parameters (the box's own description is
 * English, written for the installer). Pages in English keep the box's sentence. Pure.
 */

type RuleRef = Pick<Alert['rule'], 'type' | 'parameters'>;

const num = (v: unknown, fallback: number) => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);
/** The labels a rule counts, or its default's word when the alert does not list them. */
const labelsOf = (v: unknown, fallback: string) =>
  Array.isArray(v) && v.length && v.every((x) => typeof x === 'string')
    ? (v as string[]).map((l) => labelIn(l, 'zh')).join('或')
    : fallback;

const DIRECTIONS: Record<string, string> = { left_to_right: '从左向右', right_to_left: '从右向左' };

/** The rule's condition in one Chinese sentence, e.g. "机动车在区域内静止停放超过 3 分钟". */
export function ruleSentenceZh(rule: RuleRef): string {
  const p = rule.parameters;
  const dwell = num(p.dwellSeconds, 0);
  const forAtLeast = dwell > 0 ? `持续 ${durationZh(dwell)}以上` : '';
  switch (rule.type) {
    case 'illegal_parking': {
      const warn = typeof p.warnAfterSeconds === 'number' ? `（${durationZh(p.warnAfterSeconds)}后先行警告）` : '';
      return `违法停车：${labelsOf(p.labels, '机动车')}在区域内静止停放 ${durationZh(dwell)}以上${warn}`;
    }
    case 'street_vending': {
      const people = num(p.minPeople, 1);
      return `占道经营：区域内出现摊点${people > 0 ? `且有 ${people} 人以上在摊点旁` : ''}，${forAtLeast || '持续存在'}`;
    }
    case 'intrusion':
      return `闯入：${labelsOf(p.labels, '人员')}进入禁入区域${forAtLeast ? `并${forAtLeast}` : ''}`;
    case 'crowd':
      return `人员聚集：区域内同时有 ${num(p.minCount, 2)} 个以上${labelsOf(p.labels, '人员')}，${forAtLeast || '持续存在'}`;
    case 'line_crossing':
      return `越线：${labelsOf(p.labels, '行人或车辆')}${DIRECTIONS[String(p.direction)] ?? ''}越过警戒线`;
    case 'loitering':
      return `徘徊逗留：${labelsOf(p.labels, '人员')}在区域内${p.mode === 'in_zone' ? '停留' : '静止停留'} ${durationZh(dwell)}以上`;
    case 'static_object':
      return `遗留物/堆物：区域内出现新的静止物体（非行人或车辆），${forAtLeast || '持续存在'}`;
  }
}
