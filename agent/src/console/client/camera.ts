import type { Point } from '../../core/geometry.ts';
import { api, type ApiError } from '../../web/client/api.ts';
import { currentLang } from '../../web/client/i18n.ts';
import type { LiveFacts, PresetInfo } from '../wire.ts';
import { clear, every, h } from '../../web/client/dom.ts';
import { t, type Key } from './dom.ts';
import type { PageData } from '../wire.ts';
import { insertionIndex, label, pointInPolygon, polygonPath, Stage } from './stage.ts';
import { ruleForm, type Rule as FormRule, type RuleTypeInfo } from './rule-form.ts';

type Units = 'normalized' | 'pixels';
type Rule = FormRule & { line?: Point[] };
interface FileZone {
  id: string;
  name?: string;
  units?: Units;
  polygon: Point[];
  rules: Rule[];
  [k: string]: unknown;
}
export interface EditData {
  baseSha256: string;
  file: string;
  camera: {
    id: string;
    name?: string;
    zones: FileZone[];
    privacyMasks: Point[][];
    calibration?: { units?: Units; points: { pixel: Point; geo: { lat: number; lon: number } }[] };
  };
  analysis: { width: number; height: number };
  windows: { x: number; y: number; width: number; height: number }[];
  ruleTypes: RuleTypeInfo[];
  presets: PresetInfo[];
}
export interface SaveAnswer {
  diff: string;
  changed: boolean;
  problems: { path: string; message: string; text: string }[];
  saved?: boolean;
  backup?: string;
  applied?: boolean;
  restartNeeded?: boolean;
  reloadError?: string;
  error?: string;
}

/** A zone or mask being edited: points in frame pixels, written back in the file's own units. */
interface Shape {
  kind: 'zone' | 'mask';
  units: Units;
  pts: Point[];
  zone?: FileZone;
}

const LAYERS = ['detections', 'tracks', 'zones', 'lines', 'masks', 'windows'] as const;
type Layer = (typeof LAYERS)[number];

export function toPx(p: Point, units: Units, w: number, hgt: number): Point {
  return units === 'pixels' ? [p[0], p[1]] : [p[0] * w, p[1] * hgt];
}
export function fromPx(p: Point, units: Units, w: number, hgt: number): Point {
  const clamp = (v: number, max: number) => Math.min(max, Math.max(0, v));
  return units === 'pixels'
    ? [Math.round(clamp(p[0], w)), Math.round(clamp(p[1], hgt))]
    : [round4(clamp(p[0] / w, 1)), round4(clamp(p[1] / hgt, 1))];
}
const round4 = (v: number) => Math.round(v * 10_000) / 10_000;

export function cameraPage(main: HTMLElement, data: PageData): void {
  const camera = data.camera!;
  const canEdit = data.role === 'installer' || data.role === 'admin';
  const error = h('p', { class: 'error', id: 'live-error' });
  const status = h('p', { class: 'muted small', id: 'frame-status' }, t('live.waiting'));
  const rulesList = h('ul', { id: 'rule-states', class: 'rules' });
  const layerBox = h('div', { class: 'layers' });
  const editor = h('div', { id: 'editor' });
  const layers = new Set<Layer>(LAYERS);
  let stage: Stage | undefined;
  let facts: LiveFacts | undefined;
  let edit: EditData | undefined;
  let shapes: Shape[] = [];
  let selected: Shape | undefined;
  let selectedPoint: { pts: Point[]; i: number; rule?: Rule } | undefined;
  let drag: { pts: Point[]; i: number } | undefined;

  main.append(
    h(
      'h1',
      {},
      `${t('live.title')} · ${camera}`,
      ' ',
      h('a', { href: `/cameras/${encodeURIComponent(camera)}/calibration`, class: 'small' }, t('link.calibration')),
    ),
    h(
      'div',
      { class: 'live-layout' },
      h('section', { class: 'live-main' }, h('div', { id: 'stage-slot' }), status, layerBox, error),
      h(
        'aside',
        { class: 'live-side' },
        h('div', { class: 'card' }, h('h2', {}, t('rules.title')), rulesList),
        canEdit ? h('div', { class: 'card' }, h('h2', {}, t('edit.title')), editor) : undefined,
      ),
    ),
  );
  for (const l of LAYERS) {
    layerBox.append(
      h(
        'label',
        { class: 'inline' },
        h('input', {
          type: 'checkbox',
          checked: true,
          'data-layer': l,
          onchange: (ev: Event) => ((ev.target as HTMLInputElement).checked ? layers.add(l) : layers.delete(l), draw()),
        }),
        t(`layer.${l}` as Key),
      ),
    );
  }

  // A rule type that judges a line holds it in its `line` parameter (rules/kind.ts): drawn, and seeded when chosen.
  const takesLine = (r: FormRule) => 'type' in r && edit!.ruleTypes.some((x) => x.type === r.type && x.schema.properties?.line);
  const lineOf = (shape: Shape, r: Rule): Point[] | undefined =>
    Array.isArray(r.line) ? r.line.map((p) => toPx(p, shape.units, edit!.analysis.width, edit!.analysis.height)) : undefined;

  function draw(): void {
    if (!stage || !edit) return;
    const { ctx } = stage;
    const s = stage.scale();
    ctx.clearRect(0, 0, stage.width, stage.height);
    ctx.lineWidth = 2 * s;
    if (layers.has('masks')) {
      for (const m of shapes.filter((x) => x.kind === 'mask')) {
        polygonPath(ctx, m.pts);
        ctx.fillStyle = 'rgba(20,20,20,.55)';
        if (m.pts.length > 2) ctx.fill();
        ctx.strokeStyle = m === selected ? '#ffeb3b' : '#9e9e9e';
        ctx.stroke();
      }
    }
    if (layers.has('windows')) {
      ctx.setLineDash([8 * s, 6 * s]);
      ctx.strokeStyle = '#80deea';
      for (const w of edit.windows) ctx.strokeRect(w.x, w.y, w.width, w.height);
      ctx.setLineDash([]);
    }
    for (const z of shapes.filter((x) => x.kind === 'zone')) {
      if (layers.has('zones')) {
        polygonPath(ctx, z.pts);
        ctx.fillStyle = z === selected ? 'rgba(255,235,59,.18)' : 'rgba(33,150,243,.12)';
        if (z.pts.length > 2) ctx.fill();
        ctx.strokeStyle = z === selected ? '#ffeb3b' : '#2196f3';
        ctx.stroke();
        if (z.pts.length) label(ctx, z.zone!.id, z.pts[0][0], z.pts[0][1], z === selected ? '#9a7d00' : '#1565c0', s);
      }
      if (layers.has('lines')) {
        for (const r of z.zone!.rules) {
          const line = lineOf(z, r);
          if (!line) continue;
          polygonPath(ctx, line, false);
          ctx.strokeStyle = '#ff4081';
          ctx.lineWidth = 3 * s;
          ctx.stroke();
          ctx.lineWidth = 2 * s;
        }
      }
    }
    if (facts && facts.seq !== null) {
      if (layers.has('detections')) {
        ctx.strokeStyle = 'rgba(255,255,255,.8)';
        ctx.lineWidth = 1 * s;
        for (const d of facts.detections) ctx.strokeRect(d.box.x1, d.box.y1, d.box.x2 - d.box.x1, d.box.y2 - d.box.y1);
        ctx.lineWidth = 2 * s;
      }
      if (layers.has('tracks')) {
        for (const tr of facts.tracks) {
          ctx.strokeStyle = tr.moving ? '#ff9800' : '#4caf50';
          ctx.strokeRect(tr.box.x1, tr.box.y1, tr.box.x2 - tr.box.x1, tr.box.y2 - tr.box.y1);
          label(
            ctx,
            `#${tr.id} ${tr.label} ${tr.moving ? '→' : `${Math.round(tr.stationarySeconds)} s`}`,
            tr.box.x1,
            tr.box.y1,
            tr.moving ? '#e65100' : '#2e7d32',
            s,
          );
        }
      }
    }
    if (selected) {
      const handles: Point[][] = [selected.pts, ...(selected.zone?.rules.map((r) => lineOf(selected!, r) ?? []) ?? [])];
      for (const pts of handles) {
        pts.forEach(([x, y], i) => {
          ctx.beginPath();
          ctx.arc(x, y, 6 * s, 0, Math.PI * 2);
          ctx.fillStyle =
            selectedPoint && !selectedPoint.rule && selectedPoint.pts === pts && selectedPoint.i === i ? '#f44336' : '#ffeb3b';
          ctx.fill();
          ctx.strokeStyle = '#000';
          ctx.lineWidth = 1 * s;
          ctx.stroke();
        });
      }
    }
  }

  function renderRules(): void {
    clear(rulesList);
    if (!facts?.rules?.length) {
      rulesList.append(h('li', { class: 'muted' }, t('rules.none')));
      return;
    }
    for (const r of facts.rules) {
      if (r.followed.length === 0) {
        rulesList.append(
          h(
            'li',
            { class: 'muted', 'data-rule': `${r.zone.id}/${r.rule.id}` },
            t('rules.idle', { zone: r.zone.id, rule: r.rule.id }),
            r.open ? '' : ` ${t('rules.closed')}`,
          ),
        );
        continue;
      }
      for (const f of r.followed) {
        const elapsed = Math.max(0, Math.round((f.observedAt - f.since) / 1000));
        const text = t('rules.progress', {
          objects: f.objects.map((o) => `${o.label} #${o.trackId}`).join(', '),
          verb: r.verb[currentLang()],
          elapsed,
          dwell: r.dwellSeconds,
          zone: r.zone.id,
        });
        rulesList.append(
          h(
            'li',
            { 'data-rule': `${r.zone.id}/${r.rule.id}`, class: f.eventId ? 'alerting' : undefined },
            h('progress', { max: r.dwellSeconds, value: Math.min(elapsed, r.dwellSeconds) }),
            ' ',
            text,
            f.eventId ? h('div', { class: 'small' }, t('rules.event', { id: f.eventId })) : undefined,
          ),
        );
      }
    }
  }

  // ---- editor ---------------------------------------------------------------------------------------------
  const problemsBox = h('div', { id: 'save-problems', class: 'error' });
  const resultBox = h('div', { id: 'save-result' });
  const diffBox = h('pre', { id: 'save-diff', class: 'diff' });
  const shapeList = h('div', { class: 'shape-list' });
  const shapeForm = h('div', { id: 'shape-form' });
  if (canEdit) {
    editor.append(
      h('p', { class: 'small muted' }, t('edit.help')),
      h(
        'div',
        { class: 'row' },
        h('button', { class: 'secondary', id: 'add-zone', onclick: () => addShape('zone') }, t('edit.addZone')),
        h('button', { class: 'secondary', id: 'add-mask', onclick: () => addShape('mask') }, t('edit.addMask')),
      ),
      shapeList,
      shapeForm,
      h(
        'div',
        { class: 'row' },
        h('button', { class: 'secondary', id: 'check', onclick: () => void submit(false) }, t('edit.check')),
        h('button', { id: 'save', onclick: () => void submit(true) }, t('edit.save')),
      ),
      problemsBox,
      resultBox,
      diffBox,
    );
  }

  function renderShapes(): void {
    clear(shapeList);
    let maskNo = 0;
    for (const sh of shapes) {
      const name = sh.kind === 'zone' ? sh.zone!.id : t('edit.mask', { n: ++maskNo });
      shapeList.append(h('button', { class: sh === selected ? '' : 'secondary', 'data-shape': name, onclick: () => select(sh) }, name));
    }
    renderForm();
  }

  function renderForm(): void {
    clear(shapeForm);
    if (!selected) {
      shapeForm.append(h('p', { class: 'muted small' }, t('edit.selectHint')));
      return;
    }
    const sh = selected;
    const del = h(
      'button',
      {
        class: 'danger',
        id: 'delete-shape',
        onclick: () => {
          shapes = shapes.filter((x) => x !== sh);
          selected = undefined;
          renderShapes();
          draw();
        },
      },
      t('edit.deleteShape'),
    );
    const delPoint = h('button', { class: 'secondary', id: 'delete-point', onclick: () => deletePoint() }, t('edit.deletePoint'));
    if (sh.kind === 'mask') {
      shapeForm.append(h('div', { class: 'row' }, delPoint, del));
      return;
    }
    const z = sh.zone!;
    const zi = shapes.filter((x) => x.kind === 'zone').indexOf(sh);
    const field = (key: 'id' | 'name', labelKey: Key) =>
      h(
        'label',
        {},
        t(labelKey),
        h('input', {
          id: `zone-${key}`,
          value: (z[key] as string | undefined) ?? '',
          oninput: (ev: Event) => {
            const v = (ev.target as HTMLInputElement).value;
            if (key === 'name' && v === '') delete z.name;
            else z[key] = v;
            renderShapeButtons();
            draw();
          },
        }),
      );
    const rules = h('div', { class: 'rules-form' });
    const renderRuleForms = () => {
      clear(rules);
      z.rules.forEach((r, ri) =>
        rules.append(
          ruleForm(
            r,
            edit!.ruleTypes,
            edit!.presets,
            `zones[${zi}].rules[${ri}]`,
            (next) => {
              if (takesLine(next) && !Array.isArray(next.line))
                next.line = [
                  fromPx([stage!.width * 0.3, stage!.height * 0.6], sh.units, stage!.width, stage!.height),
                  fromPx([stage!.width * 0.7, stage!.height * 0.6], sh.units, stage!.width, stage!.height),
                ];
              z.rules[ri] = next;
              renderRuleForms();
              draw();
            },
            () => {
              z.rules.splice(ri, 1);
              renderRuleForms();
            },
          ),
        ),
      );
    };
    renderRuleForms();
    shapeForm.append(
      field('id', 'edit.zoneId'),
      field('name', 'edit.zoneName'),
      h('p', { class: 'field-problem error', 'data-path': `zones[${zi}].polygon` }),
      h('h3', {}, t('edit.rules')),
      rules,
      h(
        'div',
        { class: 'row' },
        h(
          'button',
          {
            class: 'secondary',
            id: 'add-rule',
            onclick: () => {
              z.rules.push({ id: `rule-${z.rules.length + 1}`, type: edit!.ruleTypes[0].type });
              renderRuleForms();
            },
          },
          t('edit.addRule'),
        ),
        delPoint,
        del,
      ),
    );
  }
  const renderShapeButtons = () => {
    const buttons = [...shapeList.querySelectorAll('button')];
    shapes.forEach((sh, i) => sh.kind === 'zone' && buttons[i] && (buttons[i].textContent = sh.zone!.id));
  };

  function select(sh: Shape | undefined): void {
    selected = sh;
    selectedPoint = undefined;
    renderShapes();
    draw();
  }

  function addShape(kind: 'zone' | 'mask'): void {
    const n = shapes.filter((s) => s.kind === 'zone').length + 1;
    const zone: FileZone | undefined =
      kind === 'zone' ? { id: `zone-${n}`, units: 'pixels', polygon: [], rules: [{ id: 'rule-1', type: 'illegal_parking' }] } : undefined;
    const sh: Shape = { kind, units: kind === 'zone' ? 'pixels' : 'normalized', pts: [], zone };
    shapes.push(sh);
    select(sh);
  }

  function deletePoint(): void {
    if (!selectedPoint || selectedPoint.rule) return;
    selectedPoint.pts.splice(selectedPoint.i, 1);
    selectedPoint = undefined;
    draw();
  }

  /** The nearest handle of the selected shape within 10 screen pixels. */
  function handleAt(p: Point): { pts: Point[]; i: number; rule?: Rule } | undefined {
    if (!selected || !stage) return undefined;
    const r = 10 * stage.scale();
    const lists: { pts: Point[]; rule?: Rule }[] = [
      { pts: selected.pts },
      ...(selected.zone?.rules.flatMap((rule) => (lineOf(selected!, rule) ? [{ pts: lineOf(selected!, rule)!, rule }] : [])) ?? []),
    ];
    for (const l of lists) {
      const i = l.pts.findIndex(([x, y]) => Math.hypot(x - p[0], y - p[1]) <= r);
      if (i >= 0) return { pts: l.pts, i, rule: l.rule };
    }
    return undefined;
  }

  function attachPointer(st: Stage): void {
    if (!canEdit) return;
    let moved = false;
    st.canvas.addEventListener('pointerdown', (ev) => {
      const p = st.toFrame(ev);
      const hit = handleAt(p);
      moved = false;
      if (hit) {
        selectedPoint = hit;
        drag = hit;
        draw();
        ev.preventDefault();
      }
    });
    st.canvas.addEventListener('pointermove', (ev) => {
      if (!drag || !selected) return;
      moved = true;
      const p = st.toFrame(ev);
      if (selectedPoint?.rule) {
        const rule = selectedPoint.rule;
        const line = (rule.line as Point[]).slice();
        line[drag.i] = fromPx(p, selected.units, st.width, st.height);
        rule.line = line;
      } else drag.pts[drag.i] = [Math.round(p[0]), Math.round(p[1])];
      draw();
    });
    window.addEventListener('pointerup', () => (drag = undefined));
    st.canvas.addEventListener('click', (ev) => {
      if (moved) return;
      const p = st.toFrame(ev);
      if (handleAt(p)) return;
      if (!selected) {
        const hitShape = [...shapes].reverse().find((s) => s.pts.length > 2 && pointInPolygon(p, s.pts));
        if (hitShape) select(hitShape);
        return;
      }
      const at = insertionIndex(selected.pts, p);
      selected.pts.splice(at, 0, [Math.round(p[0]), Math.round(p[1])]);
      selectedPoint = { pts: selected.pts, i: at };
      draw();
    });
    window.addEventListener('keydown', (ev) => {
      if (
        (ev.key === 'Delete' || ev.key === 'Backspace') &&
        !(ev.target instanceof HTMLInputElement) &&
        !(ev.target instanceof HTMLTextAreaElement)
      )
        deletePoint();
      if (ev.key === 'Escape') select(undefined);
    });
  }

  function body(base: EditData) {
    const { width: w, height: hgt } = base.analysis;
    return {
      baseSha256: base.baseSha256,
      zones: shapes.filter((s) => s.kind === 'zone').map((s) => ({ ...s.zone!, polygon: s.pts.map((p) => fromPx(p, s.units, w, hgt)) })),
      privacyMasks: shapes.filter((s) => s.kind === 'mask').map((s) => s.pts.map((p) => fromPx(p, 'normalized', w, hgt))),
    };
  }

  async function submit(write: boolean): Promise<void> {
    if (!edit) return;
    clear(problemsBox);
    clear(resultBox);
    diffBox.textContent = '';
    for (const el of shapeForm.querySelectorAll('.field-problem')) el.textContent = '';
    try {
      const r = await api<SaveAnswer>(
        write ? 'PUT' : 'POST',
        `/api/cameras/${encodeURIComponent(camera)}/${write ? 'edit' : 'check'}`,
        body(edit),
      );
      diffBox.textContent = r.diff;
      if (!r.changed) resultBox.append(h('p', { class: 'muted' }, t('save.noChange')));
      else if (!write) resultBox.append(h('p', { class: 'ok' }, t('check.ok')));
      else if (r.applied) resultBox.append(h('p', { class: 'ok', id: 'saved' }, t('save.ok', { backup: r.backup! })));
      else if (r.restartNeeded)
        resultBox.append(h('p', { class: 'warn', id: 'saved' }, t('save.restart', { backup: r.backup!, error: r.reloadError! })));
      else
        resultBox.append(
          h('p', { class: 'error', id: 'saved' }, t('save.reloadFailed', { backup: r.backup!, error: r.reloadError ?? '' })),
        );
      if (write && r.saved) await loadEdit(false);
    } catch (err) {
      const e = err as ApiError;
      const answer = e.status === 422 || e.status === 409 ? ((e as unknown as { problems: SaveAnswer['problems'] }).problems ?? []) : [];
      if (e.status === 409) problemsBox.append(h('p', {}, t('save.conflict')));
      else if (answer.length) {
        problemsBox.append(h('p', {}, t('save.problems')), h('ul', {}, ...answer.map((p) => h('li', { class: 'problem' }, p.text))));
        for (const p of answer) {
          const m = /zones\[(\d+)\](.*)$/.exec(p.path);
          const el =
            m &&
            (shapeForm.querySelector(`.field-problem[data-path="zones[${m[1]}]${m[2]}"]`) ??
              shapeForm.querySelector(`.field-problem[data-path="zones[${m[1]}].polygon"]`));
          if (el) el.textContent = `${p.path.replace(/^cameras\[\d+\]\./, '')}: ${p.message}`;
        }
      } else problemsBox.append(h('p', {}, e.message));
    }
  }

  async function loadEdit(rebuild: boolean): Promise<void> {
    edit = await api<EditData>('GET', `/api/cameras/${encodeURIComponent(camera)}/edit`);
    if (!rebuild) return;
    const { width: w, height: hgt } = edit.analysis;
    shapes = [
      ...edit.camera.privacyMasks.map(
        (m): Shape => ({ kind: 'mask', units: 'normalized', pts: m.map((p) => toPx(p, 'normalized', w, hgt)) }),
      ),
      ...edit.camera.zones.map(
        (z): Shape => ({
          kind: 'zone',
          units: z.units ?? 'normalized',
          pts: z.polygon.map((p) => toPx(p, z.units ?? 'normalized', w, hgt)),
          zone: z,
        }),
      ),
    ];
    if (!stage) {
      stage = new Stage(camera, w, hgt);
      document.getElementById('stage-slot')!.replaceWith(stage.el);
      attachPointer(stage);
    }
    renderShapes();
    draw();
  }

  void loadEdit(true)
    .then(() =>
      every(
        1000,
        async () => {
          facts = await api<LiveFacts & { imageSeq: number | null; now: number }>('GET', `/api/cameras/${encodeURIComponent(camera)}/live`);
          const f = facts as LiveFacts & { imageSeq: number | null; now: number; seq: number | null };
          error.textContent = '';
          if (f.seq === null) status.textContent = t('live.waiting');
          else status.textContent = t('live.frame', { seq: f.seq, age: ((f.now - f.at) / 1000).toFixed(1) });
          stage?.showFrame(f.imageSeq);
          renderRules();
          draw();
        },
        (err) => (error.textContent = (err as Error).message),
      ),
    )
    .catch((err: unknown) => (error.textContent = (err as Error).message));
}
