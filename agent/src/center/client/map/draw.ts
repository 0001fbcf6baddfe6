import { type GeoJSONSource, type MapMouseEvent, Marker } from 'maplibre-gl';
import { h } from '../../../web/client/dom.ts';
import type { CenterMap, LonLat } from '../../../web/client/map/basemap.ts';
import { mt } from './words.ts';

/** The polygon being drawn, in WGS-84, and whether its last point joins its first. */
export interface DrawnPolygon {
  ring: LonLat[];
  closed: boolean;
}

export interface PolygonEditor {
  value(): DrawnPolygon;
  /** The editor's buttons and hint, for the page to place beside the map. */
  toolbar: HTMLElement;
  destroy(): void;
}

interface Editor {
  cm: CenterMap;
  /** The id of this editor's GeoJSON source (and prefix of its layers). */
  src: string;
  ring: LonLat[];
  closed: boolean;
  vertices: Marker[];
  ui: { status: HTMLElement; close: HTMLButtonElement; undo: HTMLButtonElement };
  onChange(p: DrawnPolygon): void;
}

/**
 * Draws or edits one polygon (a unit's area): click the map to add points in order, drag a point to move it,
 * right-click a point to delete it, click the first point (or "close") to close the ring. `onChange` hears every
 * change, in WGS-84 whatever the tiles' datum.
 */
export function editPolygon(cm: CenterMap, initial: LonLat[] | null, onChange: (p: DrawnPolygon) => void): PolygonEditor {
  const ring = initial ? [...initial] : [];
  if (ring.length > 1 && ring[0][0] === ring.at(-1)![0] && ring[0][1] === ring.at(-1)![1]) ring.pop();
  const ui = {
    status: h('span', { class: 'draw-status muted' }),
    close: h('button', { type: 'button', class: 'draw-close' }, mt('draw.close')),
    undo: h('button', { type: 'button', class: 'draw-undo' }, mt('draw.undo')),
  };
  const ed: Editor = {
    cm,
    src: `draw-${Math.random().toString(36).slice(2, 8)}`,
    ring,
    closed: ring.length >= 3,
    vertices: [],
    ui,
    onChange,
  };
  const toolbar = toolbarOf(ed);
  const onClick = (e: MapMouseEvent) => {
    if (ed.closed) return;
    ed.ring.push(cm.fromMap([e.lngLat.lng, e.lngLat.lat]));
    changed(ed);
  };
  void cm.ready.then(() => {
    cm.gl.addSource(ed.src, { type: 'geojson', data: shape(ed) });
    cm.gl.addLayer({
      id: `${ed.src}-fill`,
      type: 'fill',
      source: ed.src,
      filter: ['==', ['geometry-type'], 'Polygon'],
      paint: { 'fill-color': '#e8590c', 'fill-opacity': 0.15 },
    });
    cm.gl.addLayer({ id: `${ed.src}-line`, type: 'line', source: ed.src, paint: { 'line-color': '#e8590c', 'line-width': 2 } });
    cm.gl.on('click', onClick);
    cm.gl.getCanvas().style.cursor = 'crosshair';
  });
  redraw(ed);
  return {
    value: () => ({ ring: [...ed.ring], closed: ed.closed }),
    toolbar,
    destroy() {
      cm.gl.off('click', onClick);
      for (const m of ed.vertices) m.remove();
      for (const id of [`${ed.src}-fill`, `${ed.src}-line`]) if (cm.gl.getLayer(id)) cm.gl.removeLayer(id);
      if (cm.gl.getSource(ed.src)) cm.gl.removeSource(ed.src);
      cm.gl.getCanvas().style.cursor = '';
    },
  };
}

function toolbarOf(ed: Editor): HTMLElement {
  ed.ui.close.onclick = () => {
    ed.closed = true;
    changed(ed);
  };
  ed.ui.undo.onclick = () => {
    ed.ring.pop();
    if (ed.ring.length < 3) ed.closed = false;
    changed(ed);
  };
  const clear = h('button', { type: 'button', class: 'draw-clear' }, mt('draw.clear'));
  clear.onclick = () => {
    ed.ring = [];
    ed.closed = false;
    changed(ed);
  };
  return h(
    'div',
    { class: 'draw-toolbar' },
    ed.ui.close,
    ed.ui.undo,
    clear,
    ed.ui.status,
    h('p', { class: 'muted draw-hint' }, mt('draw.hint')),
  );
}

function shape(ed: Editor): GeoJSON.Feature {
  const pts = ed.ring.map(ed.cm.toMap);
  return ed.closed && pts.length >= 3
    ? { type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [[...pts, pts[0]]] } }
    : { type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: pts } };
}

function changed(ed: Editor): void {
  redraw(ed);
  ed.onChange({ ring: [...ed.ring], closed: ed.closed });
}

function redraw(ed: Editor): void {
  for (const m of ed.vertices) m.remove();
  ed.vertices = ed.ring.map((_, i) => vertex(ed, i));
  ed.cm.gl.getSource<GeoJSONSource>(ed.src)?.setData(shape(ed));
  ed.ui.status.textContent = `${mt('draw.points', { n: ed.ring.length })}${ed.closed ? ` · ${mt('draw.closed')}` : ''}`;
  ed.ui.close.disabled = ed.closed || ed.ring.length < 3;
  ed.ui.undo.disabled = ed.ring.length === 0;
}

/** A draggable point of the ring: drag moves it, right-click deletes it, a click on the first one closes the ring. */
function vertex(ed: Editor, i: number): Marker {
  const el = h('div', { class: `draw-vertex${i === 0 ? ' first' : ''}`, 'data-index': String(i) });
  const m = new Marker({ element: el, draggable: true }).setLngLat(ed.cm.toMap(ed.ring[i])).addTo(ed.cm.gl);
  m.on('drag', () => {
    const p = m.getLngLat();
    ed.ring[i] = ed.cm.fromMap([p.lng, p.lat]);
    ed.cm.gl.getSource<GeoJSONSource>(ed.src)?.setData(shape(ed));
  });
  m.on('dragend', () => changed(ed));
  el.addEventListener('click', (ev) => {
    ev.stopPropagation();
    if (i === 0 && !ed.closed && ed.ring.length >= 3) {
      ed.closed = true;
      changed(ed);
    }
  });
  el.addEventListener('contextmenu', (ev) => {
    ev.preventDefault();
    ev.stopPropagation();
    ed.ring.splice(i, 1);
    if (ed.ring.length < 3) ed.closed = false;
    changed(ed);
  });
  return m;
}
