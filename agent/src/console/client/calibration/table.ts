import { clear, h } from '../../../web/client/dom.ts';
import { currentLang } from '../../../web/client/i18n.ts';
import { t } from '../dom.ts';
import { serverWords } from '../server-words.ts';
import { coordsIn, type Mark, typeCoord } from './datum.ts';
import { draw } from './draw.ts';
import { fitMarks, metres } from './fit.ts';
import { drawPlan } from './plan.ts';
import type { CalibrationView } from './state.ts';

const fmt = (m: number | undefined) => (m === undefined ? '' : `${metres(m)} ${t('calib.metres')}`);

/** Refits after any change: the total error, each row's pixel and error (predicted from the others in brackets). */
export function recompute(view: CalibrationView): void {
  const { total, rows } = view.parts;
  const result = fitMarks(view.marks);
  view.result = result;
  clear(total);
  if (result.error) total.append(h('span', { class: 'error' }, serverWords(result.error, currentLang())));
  else if (!result.fit) total.append(h('span', { class: 'muted' }, t('calib.need', { n: result.complete.length })));
  else {
    const loo = result.loo.filter((x): x is number => x !== undefined);
    total.append(
      t('calib.total', { rms: result.fit.rmsMeters.toFixed(2), max: result.fit.maxMeters.toFixed(2) }),
      loo.length ? ` · ${t('calib.loo', { loo: metres(Math.max(...loo)) })}` : '',
    );
  }
  rows.querySelectorAll<HTMLTableRowElement>('tr').forEach((tr, i) => {
    const k = result.complete.indexOf(i);
    const res = k >= 0 && result.fit ? result.fit.residualsMeters[k] : undefined;
    const loo = k >= 0 ? result.loo[k] : undefined;
    tr.querySelector('.err')!.textContent = res === undefined ? '' : `${fmt(res)}${loo !== undefined ? ` (${fmt(loo)})` : ''}`;
    tr.querySelector('.px')!.textContent = `${Math.round(view.marks[i].pixel[0])}, ${Math.round(view.marks[i].pixel[1])}`;
  });
  draw(view);
  drawPlan(view);
  view.parts.mapHint.textContent = view.picking === undefined ? t('calib.mapHelp') : t('calib.picking', { n: view.picking + 1 });
  view.map?.show(view);
}

/** A click on the map: the point being picked takes its place there (WGS-84, shown in the datum chosen). */
export function pickOnMap(view: CalibrationView, lon: number, lat: number): void {
  const i = view.picking;
  if (i === undefined || !view.marks[i]) return;
  Object.assign(view.marks[i], { lat: lat.toFixed(7), lon: lon.toFixed(7), datum: 'wgs84' });
  view.picking = undefined;
  renderRows(view);
}

/** One row per mark: its number, pixel, latitude and longitude inputs, error, a remove and a pick-on-map button. */
export function renderRows(view: CalibrationView): void {
  clear(view.parts.rows);
  view.marks.forEach((m, i) => view.parts.rows.append(markRow(view, m, i)));
  recompute(view);
}

function markRow(view: CalibrationView, m: Mark, i: number): HTMLTableRowElement {
  const shown = coordsIn(m, view.datum);
  const input = (key: 'lat' | 'lon') =>
    h('input', {
      class: key,
      inputmode: 'decimal',
      'aria-label': t(key === 'lat' ? 'calib.lat' : 'calib.lon'),
      placeholder: t(key === 'lat' ? 'calib.lat' : 'calib.lon'),
      value: shown[key],
      oninput: (ev: Event) => {
        typeCoord(m, key, (ev.target as HTMLInputElement).value.trim(), view.datum);
        recompute(view);
      },
    });
  const remove = () => {
    view.marks.splice(i, 1);
    view.picking = undefined;
    renderRows(view);
  };
  // Four narrow columns, so the table fits the side card at 1366×768: the pixel under the number, latitude above
  // longitude, and the remove and pick-on-map buttons as signs with their words as their names.
  return h(
    'tr',
    {},
    h('td', {}, h('strong', {}, String(i + 1)), h('div', { class: 'px num small muted' })),
    h('td', { class: 'coords' }, input('lat'), input('lon')),
    h('td', { class: 'err num small' }),
    h(
      'td',
      { class: 'acts' },
      h('button', { class: 'link remove', title: t('calib.remove'), 'aria-label': t('calib.remove'), onclick: remove }, '✕'),
      h(
        'button',
        {
          class: view.picking === i ? 'link pick here' : 'link pick',
          title: t('calib.pick'),
          'aria-label': t('calib.pick'),
          'aria-pressed': String(view.picking === i),
          onclick: () => {
            view.picking = view.picking === i ? undefined : i;
            renderRows(view);
          },
        },
        '◎',
      ),
    ),
  );
}
