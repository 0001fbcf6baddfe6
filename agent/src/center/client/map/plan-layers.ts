import type { GeoJSONSource } from 'maplibre-gl';
import { api } from '../../../web/client/api.ts';
import { h } from '../../../web/client/dom.ts';
import type { CellBounds, PlanView } from '../../patrol-plan.ts';
import { t } from '../words.ts';
import type { CenterMap, LonLat } from './basemap.ts';
import { setHeat } from './layers.ts';

/*
 * The risk model on the dispatch map: its forecast as the heat layer and today's planned slots as outlined cells
 * (their hours are on the plan page: map labels would need glyph fonts from the internet), both shown by a switch. Nothing is drawn while the center has no incidents to plan on.
 */

const ring = (b: CellBounds): LonLat[] => [
  [b.west, b.south],
  [b.east, b.south],
  [b.east, b.north],
  [b.west, b.north],
  [b.west, b.south],
];

/** Adds the heat and the plan under the areas and markers, hidden; returns the switch that shows them (null without a plan). */
export async function showPlan(cm: CenterMap): Promise<HTMLElement | null> {
  const plan = await api<PlanView>('GET', '/api/plan').catch(() => null);
  if (!plan) return null;
  setHeat(
    cm,
    plan.heat.map((c) => ({ ring: ring(c.bounds), value: c.perWeek })),
  );
  const data: GeoJSON.FeatureCollection<GeoJSON.Polygon> = {
    type: 'FeatureCollection',
    features: plan.slots.map((s) => ({
      type: 'Feature',
      properties: {},
      geometry: { type: 'Polygon', coordinates: [ring(s.bounds).map(cm.toMap)] },
    })),
  };
  const source = cm.gl.getSource<GeoJSONSource>('plan');
  if (source) source.setData(data);
  else {
    cm.gl.addSource('plan', { type: 'geojson', data });
    cm.gl.addLayer({
      id: 'plan-line',
      type: 'line',
      source: 'plan',
      paint: { 'line-color': '#6a1b9a', 'line-width': 2.5, 'line-dasharray': [2, 1] },
    });
  }
  for (const id of ['heat-fill', 'plan-line']) if (cm.gl.getLayer('areas-fill')) cm.gl.moveLayer(id, 'areas-fill');
  // Off until asked for: the heat would tint the basemap under every alert the dispatcher looks at.
  const box = h('input', { type: 'checkbox', id: 'map-plan' });
  const show = () => {
    for (const id of ['heat-fill', 'plan-line']) cm.gl.setLayoutProperty(id, 'visibility', box.checked ? 'visible' : 'none');
  };
  box.addEventListener('change', show);
  show();
  return h('label', { class: 'map-plan-switch', 'data-slots': plan.slots.length }, box, ` ${t('map.plan', { n: plan.slots.length })}`);
}
