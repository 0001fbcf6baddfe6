import { api } from '../../../web/client/api.ts';
import { h } from '../../../web/client/dom.ts';
import { currentLang } from '../../../web/client/i18n.ts';
import { bt } from '../../../web/client/map/words.ts';
import type { PageData } from '../../wire.ts';
import { type Key, t } from '../dom.ts';
import { loadEditData } from '../edit-api.ts';
import { saveControls } from '../save-result.ts';
import { serverWords } from '../server-words.ts';
import { Stage } from '../stage.ts';
import { toPx } from '../units.ts';
import type { Datum } from './datum.ts';
import { attachPointer } from './pointer.ts';
import { submit } from './save.ts';
import { type CalibrationView, newCalibrationView } from './state.ts';
import { pickOnMap, renderRows } from './table.ts';

/* A camera's calibration: points marked on its picture with their latitude and longitude, the fit's error as they
   are typed, and the result saved into the camera's config. */

export function calibrationPage(main: HTMLElement, data: PageData): void {
  const view = newCalibrationView(data.camera!);
  layout(main, view);
  start(view).catch((err: unknown) => (view.parts.error.textContent = serverWords((err as Error).message, currentLang())));
}

function layout(main: HTMLElement, view: CalibrationView): void {
  const { error, rows, total, hover, plan } = view.parts;
  const heads = [t('calib.point'), `${t('calib.lat')} / ${t('calib.lon')}`, t('calib.error')].map((x) => h('th', {}, x));
  main.append(
    h(
      'h1',
      {},
      `${t('calib.title')} · ${view.camera}`,
      ' ',
      h('a', { href: `/cameras/${encodeURIComponent(view.camera)}`, class: 'small' }, t('link.live')),
    ),
    h('p', { class: 'muted small' }, t('calib.help')),
    h(
      'div',
      { class: 'live-layout' },
      h(
        'section',
        { class: 'live-main' },
        h('div', { id: 'stage-slot' }),
        hover,
        error,
        h('div', { class: 'card', id: 'calib-map-card' }, h('h2', {}, t('calib.map')), view.parts.mapHint, view.parts.map),
      ),
      h(
        'aside',
        { class: 'live-side' },
        h(
          'div',
          { class: 'card', id: 'calib-card' },
          datumChoice(view),
          h('table', { id: 'calib-points' }, h('thead', {}, h('tr', {}, ...heads, h('th'))), rows),
          total,
          ...saveControls(view.parts, (write) => submit(view, write)),
        ),
        h('div', { class: 'card' }, h('h2', {}, t('calib.plan')), plan),
      ),
    ),
  );
}

/** Which datum the coordinates are typed in: WGS-84, as stored, or GCJ-02 from a Chinese map app (converted). */
function datumChoice(view: CalibrationView): HTMLElement {
  const choice = (datum: Datum, label: Key) =>
    h(
      'label',
      { class: 'inline' },
      h('input', {
        type: 'radio',
        name: 'datum',
        value: datum,
        checked: view.datum === datum,
        onchange: () => {
          view.datum = datum;
          renderRows(view);
        },
      }),
      t(label),
    );
  return h(
    'fieldset',
    { class: 'datum', id: 'calib-datum' },
    h('legend', {}, t('calib.datum')),
    choice('wgs84', 'calib.wgs84'),
    choice('gcj02', 'calib.gcj02'),
    h('p', { class: 'muted small' }, t('calib.datumHelp')),
  );
}

/** Loads the camera's calibration points onto its picture, then refreshes the picture every 3 s. */
async function start(view: CalibrationView): Promise<void> {
  const d = await loadEditData(view.camera);
  view.edit = d;
  const { width: w, height: hgt } = d.analysis;
  const units = d.camera.calibration?.units ?? 'normalized';
  view.marks = (d.camera.calibration?.points ?? []).map((p) => ({
    pixel: toPx(p.pixel, units, w, hgt),
    lat: String(p.geo.lat),
    lon: String(p.geo.lon),
  }));
  const stage = new Stage(view.camera, w, hgt);
  view.stage = stage;
  document.getElementById('stage-slot')!.replaceWith(stage.el);
  attachPointer(view, stage);
  renderRows(view);
  loadMap(view);
  const refresh = () =>
    api<{ imageSeq: number | null }>('GET', `/api/cameras/${encodeURIComponent(view.camera)}/live`)
      .then((l) => stage.showFrame(l.imageSeq))
      .catch((err: unknown) => (view.parts.error.textContent = serverWords((err as Error).message, currentLang())));
  void refresh();
  setInterval(() => void refresh(), 3000);
}

/** The map chunk (MapLibre), fetched when this page opens and no other: the other pages open without it. */
function loadMap(view: CalibrationView): void {
  const { map } = view.parts;
  import('./map.ts')
    .then((m) => m.mountCalibrationMap(map, view, (lon, lat) => pickOnMap(view, lon, lat)))
    .then((m) => {
      if (m) view.map = m;
    })
    .catch((err: unknown) =>
      map.replaceChildren(h('p', { class: 'error' }, bt('map.loadFailed', { why: String((err as Error).message ?? err) }))),
    );
}
