import { Marker } from 'maplibre-gl';
import { h } from '../dom.ts';
import type { CenterMap, LonLat } from './basemap.ts';

/** One thing drawn as an HTML marker: a dot centred on its place, a label beside it; keyed, so updates move it. */
export interface MapPoint {
  id: string;
  /** WGS-84 [lon, lat]. */
  at: LonLat;
  /** CSS classes of the dot (kind, status colour, stale). */
  className: string;
  label?: string;
  title: string;
  /** Extra attributes for the element (data-*), e.g. the event id. */
  attrs?: Record<string, string>;
  onClick?: () => void;
}

export interface PointLayer {
  set(points: MapPoint[]): void;
  /** The marker element of a point, for a page that highlights the selected one. */
  element(id: string): HTMLElement | undefined;
  remove(): void;
}

/**
 * A set of HTML markers on the map (units, orders, alerts). HTML rather than GL circles: labels without remote glyphs,
 * CSS colours, a real button to click and to find in tests, and hundreds of them are cheap enough.
 */
export function pointLayer(cm: CenterMap, kind: string): PointLayer {
  const shown = new Map<string, { marker: Marker; el: HTMLElement; spec: MapPoint }>();
  // Our classes only: MapLibre keeps its own on the element (its positioning).
  const ours = new WeakMap<HTMLElement, string[]>();
  const draw = (el: HTMLElement, p: MapPoint) => {
    const next = ['mappoint', kind, ...p.className.split(' ').filter(Boolean)];
    el.classList.remove(...(ours.get(el) ?? []));
    el.classList.add(...next);
    ours.set(el, next);
    el.title = p.title;
    for (const [k, v] of Object.entries(p.attrs ?? {})) el.setAttribute(k, v);
    const label = el.querySelector('.mappoint-label');
    if (label) label.textContent = p.label ?? '';
  };
  return {
    set(points) {
      const keep = new Set(points.map((p) => p.id));
      for (const [id, m] of shown)
        if (!keep.has(id)) {
          m.marker.remove();
          shown.delete(id);
        }
      for (const p of points) {
        let m = shown.get(p.id);
        if (!m) {
          const el = h('button', { type: 'button' }, h('span', { class: 'mappoint-dot' }), h('span', { class: 'mappoint-label' }));
          el.addEventListener('click', (ev) => {
            ev.stopPropagation();
            shown.get(p.id)?.spec.onClick?.();
          });
          m = { marker: new Marker({ element: el }).setLngLat(cm.toMap(p.at)).addTo(cm.gl), el, spec: p };
          shown.set(p.id, m);
        }
        m.spec = p;
        m.marker.setLngLat(cm.toMap(p.at));
        draw(m.el, p);
      }
    },
    element: (id) => shown.get(id)?.el,
    remove() {
      for (const m of shown.values()) m.marker.remove();
      shown.clear();
    },
  };
}
