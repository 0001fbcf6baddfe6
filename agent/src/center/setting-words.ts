import type { Lang } from '../web/lang.ts';

/**
 * The /admin forms' field labels by the config path the server names in its problems, shared by the page (its labels)
 * and the server (a refusal names the field as the form does), and the center config's own messages in Chinese.
 */

export const SETTING_LABELS = {
  name: { zh: '中心名称', en: 'Name' },
  'mqtt.commandTimeoutSeconds': { zh: '等待盒子回复', en: 'Wait for a box’s answer' },
  units: { zh: '巡逻单元', en: 'Patrol units' },
  dispatchReminderMinutes: { zh: '派遣后提醒', en: 'Reminder after dispatch' },
  'retention.eventDays': { zh: '事件保留天数', en: 'Events kept (days)' },
  'retention.snapshotDays': { zh: '图片保留天数', en: 'Snapshots kept (days)' },
  'retention.snapshotMegabytesPerBox': { zh: '每个盒子图片上限（MB）', en: 'Snapshots per box (MB)' },
  'retention.deadLetterMegabytes': { zh: '死信上限（MB）', en: 'Dead letters (MB)' },
  'retention.patrolPhotoDays': { zh: '巡查照片保留天数', en: 'Officers’ photos kept (days)' },
  'retention.everyMinutes': { zh: '清理间隔（分钟）', en: 'Run every (minutes)' },
} as const;

/** A forwarder's fields, by their path within the forwarder (`forwarders[2].url` is the form's `url`). */
export const FORWARDER_LABELS = {
  id: { zh: '编号', en: 'Id' },
  name: { zh: '平台名称', en: 'Platform name' },
  url: { zh: '接收地址', en: 'Webhook URL' },
  states: { zh: '转发哪些消息', en: 'Which messages' },
  categories: { zh: '事件类型', en: 'Event types' },
  template: { zh: '消息内容', en: 'Body' },
  token: { zh: '令牌', en: 'Token' },
  headers: { zh: '附加请求头', en: 'Extra headers' },
  maxAttempts: { zh: '最多尝试次数', en: 'Attempts' },
  timeoutSeconds: { zh: '等待回复（秒）', en: 'Wait for an answer (s)' },
} as const;

const forwarderPath = /^(?:forwarders\[(\d+)\]\.)?([A-Za-z]+)/;

/** The field a problem's path names, in the form's words; the path itself when no form shows it. */
export function fieldWords(path: string, lang: Lang): string {
  const setting = SETTING_LABELS[path as keyof typeof SETTING_LABELS];
  if (setting) return setting[lang];
  const m = forwarderPath.exec(path);
  const label = m && FORWARDER_LABELS[m[2] as keyof typeof FORWARDER_LABELS];
  if (!m || !label) return path;
  if (m[1] === undefined) return label[lang];
  return lang === 'zh' ? `第 ${Number(m[1]) + 1} 个转发的${label.zh}` : `forwarder ${Number(m[1]) + 1}'s ${label.en.toLowerCase()}`;
}

/** The center config's own messages (its schema's and its cross-checks') in Chinese; others stay as they are. */
const zhMessages: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^expected an http:\/\/ or https:\/\/ webhook URL/, () => '应为以 http:// 或 https:// 开头的接收地址'],
  [/^expected an event type id of the catalogue/, () => '应为事件目录中的事件类型编号，如 street_vending'],
  [/^expected at least one event type, or no categories/, () => '至少选择一种事件类型，或不限类型（全部类型）'],
  [/^expected a string id/, () => '编号应为文字'],
  [/^expected an id of lower-case/, () => '编号只能用小写字母、数字、“-”和“_”（以字母或数字开头，最多 63 个字符）'],
  [/^duplicate forwarder id "(.*)"/, (m) => `转发编号「${m[1]}」重复：每个编号只能用一次`],
  [/^expected an MQTT URL/, () => '应为 MQTT 地址，如 mqtt://host:1883 或 mqtts://host:8883'],
  [/^expected the path of the users file/, () => '应为用户文件的路径'],
  [/^expected the offset of local time from UTC/, () => '应为当地时间与 UTC 的时差，如 +08:00'],
  [/^shared subscriptions need MQTT 5/, () => '共享订阅需要 MQTT 5：mqtt.protocolVersion 应为 5'],
];

export function centerMessageZh(message: string): string {
  for (const [re, zh] of zhMessages) {
    const m = re.exec(message);
    if (m) return zh(m);
  }
  return message;
}
