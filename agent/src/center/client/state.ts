import { pageData } from '../../web/client/dom.ts';
import type { CenterPageData, PresentedBox, PresentedEvent } from '../wire.ts';

/* What every page draws from: the server's page data, and the events and boxes the live feed keeps current. */

export const data = pageData<CenterPageData>();
export const events = new Map<string, PresentedEvent>();
export const boxes = new Map<string, PresentedBox>();
/** The event open in the queue's detail panel; `?event=` selects it, so the map can link to it. */
export const selection = { event: new URLSearchParams(location.search).get('event') };
