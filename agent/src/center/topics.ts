import type { ISubscriptionMap } from 'mqtt';
/**
 * What a topic under `{root}/` carries, by the contract of publish/topics.ts. `ignored`: a topic of the contract the
 * center does not archive (commands, metrics, a requested frame); `unknown`: one it cannot place, counted and logged.
 * A camera id may be any topic level, even a word the box uses itself (`metrics`): the level after it decides.
 */
export type CenterTopic =
  | { kind: 'status'; site: string }
  | { kind: 'health'; site: string; camera: string }
  | { kind: 'event'; site: string; camera: string }
  | { kind: 'snapshot'; site: string; camera: string; eventId: string }
  | { kind: 'cmd-result'; site: string }
  | { kind: 'ignored'; site: string }
  | { kind: 'unknown'; site: string | null };

export function parseCenterTopic(root: string, topic: string): CenterTopic {
  if (!topic.startsWith(`${root}/`)) return { kind: 'unknown', site: null };
  const [site, a, b, c, d, ...rest] = topic.slice(root.length + 1).split('/');
  if (!site || a === undefined) return { kind: 'unknown', site: site || null };
  // `…/cmd-result` and the MQTT 5 response topics below it (`…/cmd-result/{clientId}`).
  if (a === 'cmd-result') return { kind: 'cmd-result', site };
  if (b === undefined) {
    if (a === 'status') return { kind: 'status', site };
    if (a === 'metrics') return { kind: 'ignored', site };
    return { kind: 'unknown', site };
  }
  if (a === 'cmd') return { kind: 'ignored', site };
  if (b === 'health' && c === undefined) return { kind: 'health', site, camera: a };
  if (b === 'events' && c === undefined) return { kind: 'event', site, camera: a };
  if (b === 'events' && c && d === 'snapshot' && rest.length === 0) return { kind: 'snapshot', site, camera: a, eventId: c };
  if (b === 'snapshot' && c === undefined) return { kind: 'ignored', site };
  return { kind: 'unknown', site };
}

/**
 * The subscriptions of one instance. Shared: the per-event traffic and the cameras' health are split across the
 * group. Health, 1,600 messages a second from a city's 16,000 cameras, would otherwise be written by every instance:
 * two instances would not take more than one. Each camera sends it every few seconds, so an instance starting on an
 * empty archive has every live camera's health within that time without the retained ones (none are asked for on a
 * shared subscription: `subscriptionOptions`). The status is retained and rare, and its Last Will must reach the archive
 * even while no box sends anything: every instance takes it itself. Replies to this instance's own commands come on
 * its private response topic.
 */
export function centerSubscriptions(
  root: string,
  sharedGroup: string | undefined,
  clientId: string,
  /** With an alert lane: `main` leaves the alerts and snapshots to `alerts` (all of them, unshared: see below). */
  lane?: 'main' | 'alerts',
): string[] {
  const alerts = [`${root}/+/+/events`, `${root}/+/+/events/+/snapshot`];
  if (!sharedGroup) {
    // Unshared, the main session takes every topic (one outside the contract is counted, not missed) and lets the
    // alerts it gets too go: the alert lane has its own copies.
    return lane === 'alerts' ? alerts : [`${root}/+/#`];
  }
  const share = (f: string) => `$share/${sharedGroup}/${f}`;
  if (lane === 'alerts') return alerts.map(share);
  return [
    ...(lane === 'main' ? [] : alerts.map(share)),
    share(`${root}/+/cmd-result`),
    share(`${root}/+/+/health`),
    `${root}/+/status`,
    responseFilter(root, clientId),
  ];
}

/**
 * Each filter with its options. A shared one asks for no retained messages when subscribed (retain handling 2):
 * mosquitto 2.0 sends every retained message of a shared filter to every member of the group, against MQTT 5 — with a
 * city's retained health, every instance would write all 16,000 cameras again at each (re)subscription, each the same
 * rows as the others at the same time.
 */
export function subscriptionOptions(filters: readonly string[]): ISubscriptionMap {
  return Object.fromEntries(filters.map((f) => [f, f.startsWith('$share/') ? { qos: 1, rh: 2 } : { qos: 1 }]));
}

/** An alert or its snapshot: what an alert lane carries. */
export function isAlertTopic(root: string, topic: string): boolean {
  const k = parseCenterTopic(root, topic).kind;
  return k === 'event' || k === 'snapshot';
}

export const responseFilter = (root: string, clientId: string) => `${root}/+/cmd-result/${clientId}`;
export const responseTopic = (root: string, site: string, clientId: string) => `${root}/${site}/cmd-result/${clientId}`;
