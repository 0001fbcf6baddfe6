import type { Messages } from '../../lang.ts';
import { translator } from '../i18n.ts';

/** The words of the basemap itself, on every page that draws a map (the center's, the box console's). */
export const basemapMessages = {
  'map.noWebgl': { zh: '此浏览器无法绘制地图（需要 WebGL2）', en: 'This browser cannot draw the map (WebGL2 needed)' },
  'map.loadFailed': { zh: '底图加载失败：{why}', en: 'The basemap did not load: {why}' },
} satisfies Messages;

export const bt = translator(basemapMessages);
