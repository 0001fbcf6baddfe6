import { api } from '../../../web/client/api.ts';
import { h } from '../../../web/client/dom.ts';
import type { CenterMap } from '../../../web/client/map/basemap.ts';
import type { PlanView } from '../../patrol-plan.ts';
import { t } from '../words.ts';
import { cellRing, setHeat, setSlots } from './layers.ts';

/*
 * The risk model on the dispatch map: its forecast as the heat layer and today's planned slots as outlined cells
 * (their hours are on the plan page: map labels would need glyph fonts from the internet), both shown by a switch. Nothing is drawn while the center has no incidents to plan on.
 */

/** Adds the heat and the plan under the areas and markers, hidden; returns the switch that shows them (null without a plan). */
export async function showPlan(cm: CenterMap): Promise<HTMLElement | null> {
  const plan = await api<PlanView>('GET', '/api/plan').catch(() => null);
  if (!plan) return null;
  setHeat(
    cm,
    plan.heat.map((c) => ({ ring: cellRing(c.bounds), value: c.perWeek })),
  );
  setSlots(
    cm,
    plan.slots.map((s) => s.bounds),
  );
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
