import { fieldLabel } from '../rule-words.ts';
import { serverWords } from './server-words.ts';

/*
 * A problem of Check or Save as a person reads it: where, by the zone's and the rule's names ("区域「公交站」 › 规则
 * 「rule-1」 › 持续时间（秒）"), and what, in the page's language. The server says both as check-config does
 * (`cameras[0].zones[3].rules[0].dwellSeconds: expected … (line 81, column 18)`); that text stays in the list's
 * tooltip for whoever edits the file by hand.
 */

type Lang = 'zh' | 'en';

export interface NamedZone {
  id?: unknown;
  name?: unknown;
  rules?: { id?: unknown }[];
}

const place = {
  zone: { zh: (n: string) => `区域「${n}」`, en: (n: string) => `Zone “${n}”` },
  rule: { zh: (n: string) => `规则「${n}」`, en: (n: string) => `rule “${n}”` },
  mask: { zh: (n: number) => `遮挡 ${n}`, en: (n: number) => `Mask ${n}` },
  point: { zh: (n: number) => `第 ${n} 个标定点`, en: (n: number) => `calibration point ${n}` },
  window: { zh: (n: number) => `第 ${n} 个时段`, en: (n: number) => `time window ${n}` },
  polygon: { zh: '区域轮廓', en: 'outline' },
  calibration: { zh: '标定', en: 'calibration' },
  id: { zh: '区域编号', en: 'zone id' },
  name: { zh: '名称', en: 'name' },
};

const text = (v: unknown, fallback: string) => (typeof v === 'string' && v ? v : fallback);

/** The place a problem's path names, in words: the zone by its name (or id), the rule by its id, the field by its label. */
export function problemPlace(path: string, zones: readonly NamedZone[], lang: Lang): string {
  const rest = path.replace(/^cameras\[\d+\]\.?/, '');
  const parts: string[] = [];
  let m = /^zones\[(\d+)\]\.?(.*)$/.exec(rest);
  if (m) {
    const zi = Number(m[1]);
    const zone = zones[zi];
    parts.push(place.zone[lang](text(zone?.name, text(zone?.id, String(zi + 1)))));
    const inZone = m[2];
    const r = /^rules\[(\d+)\]\.?([A-Za-z]*)(?:\[(\d+)\])?/.exec(inZone);
    if (r) {
      const rule = zone?.rules?.[Number(r[1])];
      parts.push(place.rule[lang](text(rule?.id, String(Number(r[1]) + 1))));
      if (r[2]) parts.push(fieldLabel(r[2], lang));
      if (r[2] === 'schedule' && r[3] !== undefined) parts.push(place.window[lang](Number(r[3]) + 1));
    } else if (inZone.startsWith('polygon')) parts.push(place.polygon[lang]);
    else if (inZone === 'id' || inZone === 'name') parts.push(place[inZone][lang]);
    return parts.join(' › ');
  }
  if ((m = /^privacyMasks\[(\d+)\]/.exec(rest))) return place.mask[lang](Number(m[1]) + 1);
  if ((m = /^calibration\.points\[(\d+)\]/.exec(rest))) return place.point[lang](Number(m[1]) + 1);
  if (rest.startsWith('calibration')) return place.calibration[lang];
  return rest;
}

/** Chinese for the config check's messages an editor can cause; anything else is shown as the check said it. */
const zhMessages: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^expected at least (\d+) points\b/, (m) => `至少需要 ${m[1]} 个点`],
  [/^expected at least one rule in the zone/, () => '区域至少需要一条规则'],
  [/^expected \w+ ≥ (\S+) seconds/, (m) => `应不小于 ${m[1]} 秒`],
  [/^expected \w+ > (\S+) seconds/, (m) => `应大于 ${m[1]} 秒`],
  [/^expected \w+ in seconds/, () => '应为秒数（数字）'],
  [/^expected a value ([≥>≤<]) (\S+), got (.*)$/, (m) => `应 ${m[1]} ${m[2]}（现为 ${m[3]}）`],
  [/^expected at least (\d+) items/, (m) => `至少需要 ${m[1]} 项`],
  [/^expected at least one label/, () => '至少需要一个类别'],
  [/^required field is missing/, () => '必填'],
  [/^duplicate zone id (.*)$/, (m) => `区域编号 ${m[1]} 重复`],
  [/^duplicate rule id (.*)$/, (m) => `规则编号 ${m[1]} 重复`],
  [/^expected an id of lower-case/, () => '编号只能用小写字母、数字、“-”和“_”（以字母或数字开头，最多 63 个字符）'],
  [/^expected a time of day/, () => '时间应为“时:分”，如 08:00（00:00–24:00）'],
  [/^expected "from" before 24:00/, () => '开始时间不能是 24:00（请用 00:00）'],
  [/^expected "from" and "to" to differ/, () => '开始和结束不能相同（全天请用 00:00–24:00）'],
  [
    /^points\[(\d+)\] and points\[(\d+)\] are the same point/,
    (m) => `第 ${Number(m[1]) + 1} 个点和第 ${Number(m[2]) + 1} 个点重合：每个角只点一次`,
  ],
  [/^its points lie on one line/, () => '所有点在一条直线上，围不成区域：请按顺序点出至少 3 个不在一条直线上的点'],
  [
    /^edges points\[(\d+)\]–points\[\d+\] and points\[(\d+)\]–points\[\d+\] cross/,
    (m) => `轮廓的边相交（第 ${Number(m[1]) + 1} 条边与第 ${Number(m[2]) + 1} 条边）：请按顺序沿轮廓点出各点`,
  ],
  [/^unknown field/, () => '未知字段'],
  [
    /^zone "[^"]+" lies wholly under (.+?): it is blacked out/,
    (m) =>
      `整个区域都在隐私遮挡（${m[1].replace(/privacyMasks\[(\d+)\]/g, (_x, i: string) => `遮挡 ${Number(i) + 1}`).replace(/ and /g, '、')}）之下：分析前即被涂黑，其中什么也检测不到，规则永远不会触发；请把遮挡移开，或删除该区域`,
  ],
];

/** A warning as check-config prints it (`FILE: warning: PATH: MESSAGE`) in the page's language: in Chinese by place. */
export function warningWords(warning: string, zones: readonly NamedZone[], lang: Lang): string {
  const m = /^.*?: warning: (\S+): (.*)$/.exec(warning);
  return lang === 'zh' && m ? problemWords({ path: m[1], message: m[2] }, zones, lang) : warning;
}

/** The check's message in the page's language, without where it sits in the file. */
export function problemMessage(message: string, lang: Lang): string {
  const bare = message.replace(/ \(line \d+, column \d+\)$/, '');
  if (lang === 'en') return bare;
  for (const [re, zh] of zhMessages) {
    const m = re.exec(bare);
    if (m) return zh(m);
  }
  // The check refuses a calibration with the fit's own words, which the page also says while points are typed.
  return serverWords(bare, lang);
}

/** "Where: what" for one problem; `what` already in the page's language when the form found it. */
export function problemWords(p: { path: string; message: string }, zones: readonly NamedZone[], lang: Lang, what?: string): string {
  const where = problemPlace(p.path, zones, lang);
  const said = what ?? problemMessage(p.message, lang);
  return where ? `${where}${lang === 'zh' ? '：' : ': '}${said}` : said;
}
