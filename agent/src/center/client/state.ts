import type { PresentedBox, PresentedEvent } from '../wire.ts';

type Ev = PresentedEvent;
type Box = PresentedBox;

export interface PageData {
  view: 'queue' | 'map' | 'dispatch' | 'boxes' | 'forwarders';
  name: string;
  user: string;
  role: string;
  actionRoles: Record<string, string[]>;
  units: string[];
  reminderMinutes: number;
  map: {
    tileUrl: string | null;
    tileCrs: string;
    attribution: string | null;
    center: { lat: number; lon: number } | null;
    streets: boolean;
  };
}
export const data = JSON.parse(document.getElementById('page-data')!.textContent!) as PageData;
export const events = new Map<string, Ev>();
export const boxes = new Map<string, Box>();
export const selection = { event: new URLSearchParams(location.search).get('event') };
