import { adminPage } from './admin.ts';
import { boxesPage } from './boxes.ts';
import { dispatchPage } from './dispatch.ts';
import { forwardersPage } from './forwarders.ts';
import { mapPage } from './map.ts';
import { ordersPage } from './orders.ts';
import { planPage } from './plan.ts';
import { queuePage } from './queue.ts';
import { statsPage } from './stats.ts';
import type { PageId } from './table.ts';
import { unitsPage } from './units.ts';
import type { PageView } from './view.ts';

/** Each page of ./table.ts drawn by its file: a page listed there without its view here does not compile. */
export const PAGE_VIEWS: Record<PageId, PageView> = {
  queue: queuePage,
  map: mapPage,
  dispatch: dispatchPage,
  orders: ordersPage,
  units: unitsPage,
  boxes: boxesPage,
  forwarders: forwardersPage,
  stats: statsPage,
  plan: planPage,
  admin: adminPage,
};
