/**
 * The built-in event types an alert's `category.id` names, in the catalogue's order (catalogue/events.yaml must list
 * exactly these, checked when it is loaded). Adding one is additive to `jifang.event/1`; removing one is not.
 */
export const EVENT_TYPE_IDS = [
  'street_vending',
  'mobile_vendor',
  'out_of_shop_trading',
  'illegal_parking',
  'disorderly_bikes',
  'fire_lane_blocked',
  'piled_materials',
  'exposed_garbage',
  'accumulated_muck',
  'overflowing_bin',
  'clothes_hanging',
  'road_obstruction',
  'door_front_dirty',
  'umbrella',
  'banner',
  'outdoor_advertising',
  'uncovered_muck_truck',
  'crowd_gathering',
  'intrusion',
  'loitering',
  'line_crossing',
  'dirty_road',
] as const;

/** A site's own event types carry this prefix, so they never collide with a later built-in one. */
export const SITE_EVENT_PREFIX = 'x_';
