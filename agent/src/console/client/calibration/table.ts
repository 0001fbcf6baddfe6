import { clear, h } from '../../../web/client/dom.ts';
import { t } from '../dom.ts';
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
  if (result.error) total.append(h('span', { class: 'error' }, result.error));
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
}

/** One row per mark: its number, pixel, latitude and longitude inputs, error and a remove button. */
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
    renderRows(view);
  };
  // Four narrow columns, so the table fits the side card at 1366×768: the pixel under the number, latitude above
  // longitude, and the remove button as a cross with its word as its name.
  return h(
    'tr',
    {},
    h('td', {}, h('strong', {}, String(i + 1)), h('div', { class: 'px num small muted' })),
    h('td', { class: 'coords' }, input('lat'), input('lon')),
    h('td', { class: 'err num small' }),
    h('td', {}, h('button', { class: 'link remove', title: t('calib.remove'), 'aria-label': t('calib.remove'), onclick: remove }, '✕')),
  );
}
