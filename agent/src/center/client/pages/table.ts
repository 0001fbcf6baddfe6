import type { centerMessages } from '../messages.ts';

/**
 * The center's pages, in the navigation's order: the server serves each at its path, the navigation links them, and
 * the browser draws the one it was served (its view, registered in ./index.ts). No DOM here: the server reads it.
 */
export const CENTER_PAGES = [
  { id: 'queue', path: '/', title: 'nav.queue' },
  { id: 'map', path: '/map', title: 'nav.map' },
  { id: 'dispatch', path: '/dispatch', title: 'nav.dispatch' },
  { id: 'boxes', path: '/boxes', title: 'nav.boxes' },
  { id: 'forwarders', path: '/forwarders', title: 'nav.forwarders' },
] as const satisfies readonly { id: string; path: string; title: keyof typeof centerMessages }[];

export type PageId = (typeof CENTER_PAGES)[number]['id'];
