import { pageData } from '../../web/client/dom.ts';
import type { CenterPageData, PresentedBox, PresentedEvent } from '../wire.ts';

/* What every page draws from: the server's page data, and the events and boxes the live feed keeps current. */

export const data = pageData<CenterPageData>();
/** Events by site and id (ids are unique per site only). */
export const events = new Map<string, PresentedEvent>();
export const eventKey = (e: { site: string; id: string }): string => `${e.site}/${e.id}`;
export const boxes = new Map<string, PresentedBox>();
/** The event open in the queue's detail panel; `?event=` and `?site=` select it, so the map can link to it. */
const query = new URLSearchParams(location.search);
export const selection = { event: query.get('event'), site: query.get('site') };
/** The query naming one event: its id and its site. */
export const eventQuery = (e: { site: string; id: string }): string =>
  `event=${encodeURIComponent(e.id)}&site=${encodeURIComponent(e.site)}`;
