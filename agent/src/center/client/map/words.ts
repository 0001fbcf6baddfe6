import { translator } from '../../../web/client/i18n.ts';
import { basemapMessages } from '../../../web/client/map/words.ts';
import type { Messages } from '../../../web/lang.ts';
import { ago } from '../format.ts';

/** The map module's own words (every center page that draws a map uses them). */
export const mapMessages = {
  ...basemapMessages,
  'draw.hint': {
    zh: '在地图上依次点击添加顶点；拖动顶点移动；右键顶点删除；点击第一个顶点闭合',
    en: 'Click the map to add points in order; drag a point to move it; right-click a point to delete it; click the first point to close',
  },
  'draw.close': { zh: '闭合', en: 'Close' },
  'draw.undo': { zh: '删除最后一点', en: 'Delete last point' },
  'draw.clear': { zh: '清除', en: 'Clear' },
  'draw.points': { zh: '{n} 个顶点', en: '{n} points' },
  'draw.closed': { zh: '已闭合', en: 'closed' },
  'area.ring': { zh: '多边形 {n}', en: 'Polygon {n}' },
  'area.new': { zh: '新建多边形', en: 'New polygon' },
  'area.delete': { zh: '删除此多边形', en: 'Delete this polygon' },
  'age.unknown': { zh: '无位置', en: 'no position' },
  'age.ago': { zh: '{t}前', en: '{t} ago' },
} satisfies Messages;

export const mt = translator(mapMessages);

/** How old a position is, in words: positions older than five minutes are drawn faded. */
export function positionAge(at: string | undefined, now = Date.now()): { text: string; stale: boolean } {
  if (!at) return { text: mt('age.unknown'), stale: true };
  return { text: mt('age.ago', { t: ago(Date.parse(at)) }), stale: now - Date.parse(at) > 300_000 };
}
