import type { Lang } from './lang.ts';

/*
 * Each rule type by name in both languages: the box console's rule editor and lists, and a reason naming a rule's type
 * (reason-words.ts) on either console. Browser code: no Node imports.
 */

/** The rule types by name. */
const ruleTypeWords: Record<string, Record<Lang, string>> = {
  illegal_parking: { zh: '违章停车', en: 'Illegal parking' },
  street_vending: { zh: '占道经营', en: 'Street vending' },
  intrusion: { zh: '区域闯入', en: 'Intrusion' },
  crowd: { zh: '人员聚集', en: 'Crowd' },
  line_crossing: { zh: '越线', en: 'Line crossing' },
  loitering: { zh: '徘徊逗留', en: 'Loitering' },
  static_object: { zh: '物品堆放（新出现并停留的物体）', en: 'Static object (something new that stays)' },
};

export function ruleTypeLabel(type: string, lang: Lang): string {
  return ruleTypeWords[type]?.[lang] ?? type;
}
