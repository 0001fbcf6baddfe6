import { allowTileServer } from '../web/map/routes.ts';
import { pageHtml } from '../web/pages.ts';
import type { WebContext } from '../web/server.ts';
import { runningCamera } from './camera-routes.ts';
import type { ConsoleRuntime } from './live.ts';
import { consoleMessages } from './messages.ts';
import type { PageData } from './wire.ts';

/** The navigation entry each page sits under (its title). */
const NAV: Record<PageData['page'], 'nav.cameras' | 'nav.events' | 'nav.health'> = {
  cameras: 'nav.cameras',
  camera: 'nav.cameras',
  calibration: 'nav.cameras',
  events: 'nav.events',
  health: 'nav.health',
};

/**
 * A console page: the browser script draws it from the page data (a camera page's camera must be running). The
 * calibration page draws the map: MapLibre's stylesheet, and the city's tile server when one is configured.
 */
export const consolePage = (runtime: ConsoleRuntime, page: PageData['page'], tileUrl?: string) => (c: WebContext) => {
  const data: PageData = {
    page,
    user: c.session.user,
    role: c.session.role,
    ...(c.params.id ? { camera: runningCamera(runtime, c.params.id).id } : {}),
  };
  allowTileServer(c, tileUrl);
  c.html(
    200,
    pageHtml({
      lang: c.lang,
      title: `${consoleMessages[NAV[page]][c.lang]} · ${consoleMessages.product[c.lang]}`,
      csrf: c.session.csrf,
      script: 'console',
      styles: page === 'calibration' ? ['console', 'maplibre'] : ['console'],
      data,
    }),
  );
};
