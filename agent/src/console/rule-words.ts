/*
 * The rule editor's words for people: each rule parameter's label in both languages and its help in Chinese (the
 * English help is the zod schema's own description, sent with the schema). Shared by the server's test and the
 * browser code: no Node imports here. test/unit/console/rule-words.test.ts checks every parameter of every rule type
 * has its words, so a new parameter cannot reach the form as a bare identifier.
 */

interface Words {
  zh: string;
  en: string;
}

/** A parameter's label, and its help in Chinese. */
interface FieldWords {
  label: Words;
  zh: string;
}

/** The parameters every rule type shares, and those of one or a few types. */
export const fieldWords: Record<string, FieldWords> = {
  id: {
    label: { zh: '规则编号', en: 'Rule id' },
    zh: '在本区域内唯一：小写字母、数字、“-”和“_”；会出现在告警中。',
  },
  event: {
    label: { zh: '上报的事件类型', en: 'Event type reported' },
    zh: '此规则上报的目录事件类型（决定告警的类别和代码）；默认为该规则类型的事件类型。',
  },
  schedule: {
    label: { zh: '生效时段', en: 'When it applies' },
    zh: '规则只在这些时段内生效（现场所在时区）；不设时段则全天生效。',
  },
  minScore: {
    label: { zh: '最低置信度', en: 'Minimum score' },
    zh: '平均检测置信度（0 到 1）低于此值的目标不予考虑（默认 0.45）。',
  },
  updateIntervalSeconds: {
    label: { zh: '更新间隔（秒）', en: 'Update interval (s)' },
    zh: '事件持续期间，“更新”消息至少相隔这么多秒（默认 60）。',
  },
  endAfterSeconds: {
    label: { zh: '结束等待（秒）', en: 'Ends after (s)' },
    zh: '条件不再成立持续这么多秒后，事件结束（应对遮挡和抖动；默认 30）。',
  },
  reminderSeconds: {
    label: { zh: '派单后提醒（秒）', en: 'Reminder after dispatch (s)' },
    zh: '派单后，违规在这么多秒后仍在则发送提醒，此后每隔同样时间再提醒（默认 600）。',
  },
  suppressSeconds: {
    label: { zh: '误报后静默（秒）', en: 'Quiet after a false positive (s)' },
    zh: '值班员将事件标为误报后，其目标在本区域内这么多秒内不再告警（默认 3600）。',
  },
  labels: {
    label: { zh: '目标类别', en: 'Object labels' },
    zh: '计入的目标类别（模型的类别名，逗号分隔）。',
  },
  dwellSeconds: {
    label: { zh: '持续时间（秒）', en: 'Dwell (s)' },
    zh: '目标须持续这么多秒才成为事件。',
  },
  warnAfterSeconds: {
    label: { zh: '预警时间（秒）', en: 'Warning after (s)' },
    zh: '可选的预警阶段：这么多秒后（须短于持续时间）先发预警事件，到持续时间时转为违规；司机在此之间离开则只以预警结束。留空：不预警。',
  },
  personLabels: {
    label: { zh: '摊主类别', en: 'People labels' },
    zh: '算作摊位旁人员的类别；默认 person（人）。',
  },
  stall: {
    label: { zh: '摊位判定方式', en: 'What makes a stall' },
    zh: '识别的物体：模型识别出的静止货物；新出现的物体：新出现并停留的东西（手推车、篷布、板条箱等模型无类别的物体）；两者皆可（默认）。',
  },
  minObjects: {
    label: { zh: '最少货物数', en: 'Minimum goods' },
    zh: '多少件货物在一起算一个摊位（默认 1）。',
  },
  minPeople: {
    label: { zh: '最少人数', en: 'Minimum people' },
    zh: '摊位旁需要的人数（默认 1；0 表示无人看管的货物也算）。',
  },
  clusterGap: {
    label: { zh: '货物聚集距离', en: 'Goods gap' },
    zh: '相距在此值以内（以较高货物高度的倍数计）的货物算同一摊位（默认 1.5）。',
  },
  peopleGap: {
    label: { zh: '摊主距离', en: 'People gap' },
    zh: '距摊位在此值以内（以人身高的倍数计）的人算摊主：站在区域内，或在区域外静止不动；区域外的路人从不计入（默认 1）。',
  },
  weakGoods: {
    label: { zh: '低分货物也算', en: 'Count faint goods' },
    zh: '模型打分过低、无法跟踪的货物（0.25 起，低于最低置信度），若在同一位置 10 秒内的大多数画面中都出现，也算货物：用于摄像机启动前就已摆好的摊位（默认开启）。',
  },
  minForegroundArea: {
    label: { zh: '新物体最小面积（像素）', en: 'Smallest new object (px)' },
    zh: '小于此面积（分析画面的像素）的新物体不算摊位（默认 400）。',
  },
  explainedBy: {
    label: { zh: '可解释的类别', en: 'Explained by' },
    zh: '大部分被这些类别的已跟踪目标覆盖的新物体就是该目标，不计入；默认人和车辆。',
  },
  minCount: {
    label: { zh: '最少数量', en: 'Minimum count' },
    zh: '同时有多少个目标算聚集（至少 2）。',
  },
  line: {
    label: { zh: '越线位置', en: 'Line' },
    zh: '在画面上拖动线的两个端点。',
  },
  direction: {
    label: { zh: '方向', en: 'Direction' },
    zh: '计入哪些越线：任意方向（默认），或沿线从第一点走向第二点看去从左到右、从右到左。',
  },
  mode: {
    label: { zh: '判定方式', en: 'Mode' },
    zh: '原地停留（默认）：人停在一处（拉客、望风）；在区域内：人留在区域内，来回走动也算。',
  },
  minArea: {
    label: { zh: '最小面积（像素）', en: 'Smallest object (px)' },
    zh: '小于此面积（分析画面的像素）的新物体忽略（默认 400）。',
  },
};

/** Chinese help where a rule type says more than the shared words (its defaults, its own meaning). */
export const typeFieldHelp: Record<string, string> = {
  'illegal_parking.type': '违章停车：车辆在区域内静止达到持续时间。',
  'street_vending.type': '占道经营：区域内出现摊位（停留的货物，或新出现并停留的物体）且有人看守，达到持续时间。',
  'intrusion.type': '区域闯入：目标进入禁止进入的区域（如设了持续时间，须停留这么久）。',
  'crowd.type': '人员聚集：区域内同时至少有“最少数量”个目标，达到持续时间。',
  'line_crossing.type': '越线：目标越过一条线；每次越线是一个短事件（区域不需要轮廓）。',
  'loitering.type': '徘徊逗留：人在区域内停留达到持续时间。',
  'static_object.type': '物品堆放：区域内新出现并停留的东西（堆放的材料、垃圾、障碍物），不需要模型类别。',
  'illegal_parking.labels': '算作车辆的类别；默认 car（小汽车）、truck（货车）、bus（客车）、motorcycle（摩托车）。',
  'illegal_parking.dwellSeconds': '车辆在区域内静止这么多秒才算违规（默认 180）。',
  'street_vending.labels':
    '算作货物或摊位用具的类别；默认 umbrella（伞）、dining table（桌子）、chair（椅子）、bench（长凳）、suitcase（箱子）和蔬果（不含自行车）。',
  'street_vending.dwellSeconds': '摊位（及摊主）须停留这么多秒才成为事件（默认 300）。',
  'intrusion.labels': '不得进入的目标类别；默认 person（人）。',
  'intrusion.endAfterSeconds': '区域内无目标持续这么多秒后，事件结束（默认 8）。',
  'intrusion.dwellSeconds': '目标须在区域内这么多秒才计入（默认 0：立即）。',
  'crowd.labels': '计数的目标类别；默认 person（人）。',
  'crowd.dwellSeconds': '聚集须持续这么多秒才成为事件（默认 60）。',
  'line_crossing.labels': '越线计入的类别；默认 person（人）、car（小汽车）、bicycle（自行车）、motorcycle（摩托车）。',
  'line_crossing.endAfterSeconds': '越线是一瞬间：事件在越线后这么多秒结束（默认 5）。',
  'loitering.labels': '计入的类别；默认 person（人）。',
  'loitering.endAfterSeconds': '无人徘徊持续这么多秒后，事件结束（默认 15）。',
  'loitering.dwellSeconds': '人须停留这么多秒才算徘徊（默认 300）。',
  'static_object.dwellSeconds': '新出现的物体须停留这么多秒才成为事件（默认 120）。',
};

/** The choices of the parameters that have a few (`field.value`). */
export const choiceWords: Record<string, Words> = {
  'stall.objects': { zh: '识别的物体', en: 'detected goods' },
  'stall.foreground': { zh: '新出现的物体', en: 'a new object that stays' },
  'stall.either': { zh: '两者皆可', en: 'either of the two' },
  'direction.any': { zh: '任意方向', en: 'any direction' },
  'direction.left_to_right': { zh: '从左到右', en: 'left to right' },
  'direction.right_to_left': { zh: '从右到左', en: 'right to left' },
  'mode.stationary': { zh: '原地停留', en: 'staying in one spot' },
  'mode.in_zone': { zh: '在区域内', en: 'staying in the zone' },
  /** Any yes/no parameter. */
  '*.true': { zh: '是', en: 'yes' },
  '*.false': { zh: '否', en: 'no' },
};

/** The weekdays as the schedule writes them, Monday first. */
export const dayWords: [string, Words][] = [
  ['mon', { zh: '一', en: 'Mon' }],
  ['tue', { zh: '二', en: 'Tue' }],
  ['wed', { zh: '三', en: 'Wed' }],
  ['thu', { zh: '四', en: 'Thu' }],
  ['fri', { zh: '五', en: 'Fri' }],
  ['sat', { zh: '六', en: 'Sat' }],
  ['sun', { zh: '日', en: 'Sun' }],
];

/** A parameter's help: the schema's description in English, the table's words in Chinese. */
export function fieldHelp(type: string, field: string, lang: 'zh' | 'en', description: string | undefined): string {
  if (lang === 'en') return description ?? '';
  return typeFieldHelp[`${type}.${field}`] ?? fieldWords[field]?.zh ?? '';
}

export function fieldLabel(field: string, lang: 'zh' | 'en'): string {
  return fieldWords[field]?.label[lang] ?? field;
}

export function choiceLabel(field: string, value: unknown, lang: 'zh' | 'en'): string {
  return (choiceWords[`${field}.${String(value)}`] ?? choiceWords[`*.${String(value)}`])?.[lang] ?? String(value);
}
