import type { LatLon, Point } from '../../core/geometry.ts';
import { CalibrationError, pixelToGeo, solveHomography, type HomographyFit } from '../../geo/homography.ts';
import { distanceMeters } from '../../geo/local-frame.ts';
import { api, type ApiError } from '../../web/client/api.ts';
import type { EditData, SaveAnswer } from './camera.ts';
import { fromPx, toPx } from './camera.ts';
import { clear, h } from '../../web/client/dom.ts';
import { t } from './dom.ts';
import type { PageData } from '../wire.ts';
import { label, Stage } from './stage.ts';

interface Mark {
  pixel: Point;
  lat: string;
  lon: string;
}

/** Fit with all complete points, residual per point, and each point predicted from the others (≥ 5 points). */
function fitMarks(marks: Mark[]): { fit?: HomographyFit; error?: string; complete: number[]; loo: (number | undefined)[] } {
  const complete = marks.flatMap((m, i) =>
    m.lat !== '' && m.lon !== '' && Number.isFinite(Number(m.lat)) && Number.isFinite(Number(m.lon)) ? [i] : [],
  );
  const pts = complete.map((i) => ({ pixel: marks[i].pixel, geo: { lat: Number(marks[i].lat), lon: Number(marks[i].lon) } }));
  if (pts.length < 4) return { complete, loo: [] };
  try {
    const fit = solveHomography(pts);
    const loo = pts.map((held, k) => {
      if (pts.length < 5) return undefined;
      try {
        const p = pixelToGeo(solveHomography(pts.filter((_, j) => j !== k)).homography, held.pixel);
        return p ? distanceMeters(p, held.geo) : Infinity;
      } catch (err) {
        if (err instanceof CalibrationError) return undefined;
        throw err;
      }
    });
    return { fit, complete, loo };
  } catch (err) {
    if (err instanceof CalibrationError) return { error: err.message, complete, loo: [] };
    throw err;
  }
}

export function calibrationPage(main: HTMLElement, data: PageData): void {
  const camera = data.camera!;
  const error = h('p', { class: 'error' });
  const rows = h('tbody');
  const total = h('p', { id: 'calib-total' });
  const hover = h('p', { id: 'calib-hover', class: 'muted small' });
  const problemsBox = h('div', { class: 'error', id: 'save-problems' });
  const resultBox = h('div', { id: 'save-result' });
  const diffBox = h('pre', { class: 'diff', id: 'save-diff' });
  let marks: Mark[] = [];
  let edit: EditData | undefined;
  let stage: Stage | undefined;
  let drag: number | undefined;
  let result: ReturnType<typeof fitMarks> = { complete: [], loo: [] };

  main.append(
    h(
      'h1',
      {},
      `${t('calib.title')} · ${camera}`,
      ' ',
      h('a', { href: `/cameras/${encodeURIComponent(camera)}`, class: 'small' }, t('link.live')),
    ),
    h('p', { class: 'muted small' }, t('calib.help')),
    h(
      'div',
      { class: 'live-layout' },
      h('section', { class: 'live-main' }, h('div', { id: 'stage-slot' }), hover, error),
      h(
        'aside',
        { class: 'live-side' },
        h(
          'div',
          { class: 'card' },
          h(
            'table',
            { id: 'calib-points' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', {}, t('calib.point')),
                h('th', {}, t('calib.pixel')),
                h('th', {}, t('calib.lat')),
                h('th', {}, t('calib.lon')),
                h('th', {}, t('calib.error')),
                h('th'),
              ),
            ),
            rows,
          ),
          total,
          h(
            'div',
            { class: 'row' },
            h('button', { class: 'secondary', id: 'check', onclick: () => void submit(false) }, t('edit.check')),
            h('button', { id: 'save', onclick: () => void submit(true) }, t('edit.save')),
          ),
          problemsBox,
          resultBox,
          diffBox,
        ),
      ),
    ),
  );

  // A point predicted above the horizon by the others has no finite error: shown as ∞.
  const metres = (m: number) => (Number.isFinite(m) ? m.toFixed(2) : '∞');
  const fmt = (m: number | undefined) => (m === undefined ? '' : `${metres(m)} m`);

  function recompute(): void {
    result = fitMarks(marks);
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
      tr.querySelector('.px')!.textContent = `${Math.round(marks[i].pixel[0])}, ${Math.round(marks[i].pixel[1])}`;
    });
    draw();
  }

  function renderRows(): void {
    clear(rows);
    marks.forEach((m, i) => {
      const input = (key: 'lat' | 'lon') =>
        h('input', {
          class: key,
          inputmode: 'decimal',
          size: 11,
          value: m[key],
          oninput: (ev: Event) => {
            m[key] = (ev.target as HTMLInputElement).value.trim();
            recompute();
          },
        });
      rows.append(
        h(
          'tr',
          {},
          h('td', {}, String(i + 1)),
          h('td', { class: 'px num' }),
          h('td', {}, input('lat')),
          h('td', {}, input('lon')),
          h('td', { class: 'err num' }),
          h(
            'td',
            {},
            h(
              'button',
              {
                class: 'link',
                onclick: () => {
                  marks.splice(i, 1);
                  renderRows();
                },
              },
              t('calib.remove'),
            ),
          ),
        ),
      );
    });
    recompute();
  }

  function draw(): void {
    if (!stage) return;
    const { ctx } = stage;
    const s = stage.scale();
    ctx.clearRect(0, 0, stage.width, stage.height);
    marks.forEach((m, i) => {
      const [x, y] = m.pixel;
      ctx.beginPath();
      ctx.arc(x, y, 7 * s, 0, Math.PI * 2);
      ctx.fillStyle = result.complete.includes(i) ? '#4caf50' : '#ff9800';
      ctx.fill();
      ctx.strokeStyle = '#000';
      ctx.lineWidth = s;
      ctx.stroke();
      label(ctx, String(i + 1), x + 8 * s, y - 4 * s, '#263238', s);
    });
  }

  function attach(st: Stage): void {
    let moved = false;
    const hit = (p: Point) => marks.findIndex((m) => Math.hypot(m.pixel[0] - p[0], m.pixel[1] - p[1]) <= 10 * st.scale());
    st.canvas.addEventListener('pointerdown', (ev) => {
      moved = false;
      const i = hit(st.toFrame(ev));
      if (i >= 0) drag = i;
    });
    st.canvas.addEventListener('pointermove', (ev) => {
      const p = st.toFrame(ev);
      if (drag !== undefined) {
        moved = true;
        marks[drag].pixel = [Math.round(p[0]), Math.round(p[1])];
        recompute();
      }
      const g: LatLon | undefined = result.fit ? pixelToGeo(result.fit.homography, p) : undefined;
      hover.textContent = result.fit ? (g ? t('calib.hover', { lat: g.lat.toFixed(7), lon: g.lon.toFixed(7) }) : t('calib.horizon')) : '';
    });
    window.addEventListener('pointerup', () => (drag = undefined));
    st.canvas.addEventListener('click', (ev) => {
      if (moved) return;
      const p = st.toFrame(ev);
      if (hit(p) >= 0) return;
      marks.push({ pixel: [Math.round(p[0]), Math.round(p[1])], lat: '', lon: '' });
      renderRows();
      rows.querySelectorAll<HTMLInputElement>('input.lat')[marks.length - 1]?.focus();
    });
  }

  async function submit(write: boolean): Promise<void> {
    if (!edit) return;
    clear(problemsBox);
    clear(resultBox);
    diffBox.textContent = '';
    const units = edit.camera.calibration?.units ?? 'pixels';
    const { width: w, height: hgt } = edit.analysis;
    const calibration =
      marks.length === 0
        ? null
        : {
            ...(edit.camera.calibration ?? {}),
            units,
            points: marks.map((m) => ({ pixel: fromPx(m.pixel, units, w, hgt), geo: { lat: Number(m.lat), lon: Number(m.lon) } })),
          };
    try {
      const r = await api<SaveAnswer>(write ? 'PUT' : 'POST', `/api/cameras/${encodeURIComponent(camera)}/${write ? 'edit' : 'check'}`, {
        baseSha256: edit.baseSha256,
        zones: edit.camera.zones,
        privacyMasks: edit.camera.privacyMasks,
        calibration,
      });
      diffBox.textContent = r.diff;
      if (!r.changed) resultBox.append(h('p', { class: 'muted' }, t('save.noChange')));
      else if (!write) resultBox.append(h('p', { class: 'ok' }, t('check.ok')));
      else if (r.applied) resultBox.append(h('p', { class: 'ok', id: 'saved' }, t('save.ok', { backup: r.backup! })));
      else resultBox.append(h('p', { class: 'warn', id: 'saved' }, t('save.restart', { backup: r.backup!, error: r.reloadError ?? '' })));
      if (write && r.saved) edit = await api<EditData>('GET', `/api/cameras/${encodeURIComponent(camera)}/edit`);
    } catch (err) {
      const e = err as ApiError;
      const problems = (e.problems ?? []) as SaveAnswer['problems'];
      if (problems.length)
        problemsBox.append(h('p', {}, t('save.problems')), h('ul', {}, ...problems.map((p) => h('li', { class: 'problem' }, p.text))));
      else problemsBox.append(h('p', {}, e.status === 409 ? t('save.conflict') : e.message));
    }
  }

  api<EditData>('GET', `/api/cameras/${encodeURIComponent(camera)}/edit`)
    .then((d) => {
      edit = d;
      const { width: w, height: hgt } = d.analysis;
      const units = d.camera.calibration?.units ?? 'normalized';
      marks = (d.camera.calibration?.points ?? []).map((p) => ({
        pixel: toPx(p.pixel, units, w, hgt),
        lat: String(p.geo.lat),
        lon: String(p.geo.lon),
      }));
      stage = new Stage(camera, w, hgt);
      document.getElementById('stage-slot')!.replaceWith(stage.el);
      attach(stage);
      renderRows();
      const refresh = () =>
        api<{ imageSeq: number | null }>('GET', `/api/cameras/${encodeURIComponent(camera)}/live`)
          .then((l) => stage!.showFrame(l.imageSeq))
          .catch((err: unknown) => (error.textContent = (err as Error).message));
      void refresh();
      setInterval(() => void refresh(), 3000);
    })
    .catch((err: unknown) => (error.textContent = (err as Error).message));
}
