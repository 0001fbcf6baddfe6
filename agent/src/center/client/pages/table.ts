import type { Lang } from '../../../web/lang.ts';

/**
 * The center's pages, in the navigation's order: the server serves each at its path, the navigation links them, and
 * the browser draws the one it was served (its view, registered in ./index.ts). The title is the navigation's link,
 * in both languages. No DOM here: the server reads it.
 */
export const CENTER_PAGES = [
  { id: 'queue', path: '/', title: { zh: '告警队列', en: 'Alert queue' } },
  { id: 'map', path: '/map', title: { zh: '调度地图', en: 'Dispatch map' } },
  { id: 'dispatch', path: '/dispatch', title: { zh: '派遣看板', en: 'Dispatch board' } },
  { id: 'orders', path: '/orders', title: { zh: '工单', en: 'Work orders' } },
  { id: 'units', path: '/units', title: { zh: '巡查单位', en: 'Patrol units' } },
  { id: 'boxes', path: '/boxes', title: { zh: '边缘盒子', en: 'Boxes' } },
  { id: 'forwarders', path: '/forwarders', title: { zh: '数据转发', en: 'Forwarders' } },
  { id: 'stats', path: '/stats', title: { zh: '统计分析', en: 'Statistics' } },
  { id: 'plan', path: '/plan', title: { zh: '巡查计划', en: 'Patrol plan' } },
  // The admin's: the navigation links it for admins only, its API answers them only.
  { id: 'admin', path: '/admin', title: { zh: '账号管理', en: 'Accounts' } },
] as const satisfies readonly { id: string; path: string; title: Record<Lang, string> }[];

export type PageId = (typeof CENTER_PAGES)[number]['id'];
