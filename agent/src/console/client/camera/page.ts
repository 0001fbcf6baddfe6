import { api } from '../../../web/client/api.ts';
import { every, h } from '../../../web/client/dom.ts';
import { currentLang } from '../../../web/client/i18n.ts';
import type { LiveFacts, PageData } from '../../wire.ts';
import { type Key, t } from '../dom.ts';
import { loadEditData } from '../edit-api.ts';
import { serverWords } from '../server-words.ts';
import { Stage } from '../stage.ts';
import { restoreDraft, watchDraft } from './draft.ts';
import { draw } from './draw.ts';
import { editorPanel, renderShapes } from './editor.ts';
import { attachPointer } from './pointer.ts';
import { renderRuleStates } from './rule-states.ts';
import { type CameraView, LAYERS, newCameraView, shapesOf } from './state.ts';

/* The live view of one camera: its latest frame with what the box saw and the rules' state, and (for installers
   and admins) the zone, mask and line editor on the same picture. */

type LiveAnswer = LiveFacts & { imageSeq: number | null; now: number; seq: number | null };

export function cameraPage(main: HTMLElement, data: PageData): void {
  const view = newCameraView(data.camera!, data.role === 'installer' || data.role === 'admin');
  layout(main, view);
  if (view.canEdit) editorPanel(view);
  void start(view)
    .then(() =>
      every(
        1000,
        () => refreshLive(view),
        (err) => (view.parts.error.textContent = serverWords((err as Error).message, currentLang())),
      ),
    )
    .catch((err: unknown) => (view.parts.error.textContent = serverWords((err as Error).message, currentLang())));
}

function layout(main: HTMLElement, view: CameraView): void {
  const { status, layerBox, error, rulesList, editor } = view.parts;
  main.append(
    h(
      'h1',
      {},
      `${t('live.title')} · ${view.camera}`,
      ' ',
      h('a', { href: `/cameras/${encodeURIComponent(view.camera)}/calibration`, class: 'small' }, t('link.calibration')),
    ),
    h(
      'div',
      { class: 'live-layout' },
      h('section', { class: 'live-main' }, h('div', { id: 'stage-slot' }), status, layerBox, error),
      h(
        'aside',
        { class: 'live-side' },
        h('div', { class: 'card' }, h('h2', {}, t('rules.title')), rulesList),
        view.canEdit ? h('div', { class: 'card' }, h('h2', {}, t('edit.title')), editor) : undefined,
      ),
    ),
  );
  for (const l of LAYERS) {
    const onchange = (ev: Event) => ((ev.target as HTMLInputElement).checked ? view.layers.add(l) : view.layers.delete(l), draw(view));
    layerBox.append(
      h('label', { class: 'inline' }, h('input', { type: 'checkbox', checked: true, 'data-layer': l, onchange }), t(`layer.${l}` as Key)),
    );
  }
}

/** Loads the camera as its file writes it, and puts the picture (in the analysed frame's pixels) in its place. */
async function start(view: CameraView): Promise<void> {
  const edit = await loadEditData(view.camera);
  view.edit = edit;
  view.shapes = shapesOf(edit);
  if (view.canEdit) {
    restoreDraft(view, edit);
    watchDraft(view);
  }
  const stage = new Stage(view.camera, edit.analysis.width, edit.analysis.height);
  view.stage = stage;
  document.getElementById('stage-slot')!.replaceWith(stage.el);
  attachPointer(view, stage);
  renderShapes(view);
  draw(view);
}

/** Once a second: the latest facts, the frame they belong to, the rules' state. */
async function refreshLive(view: CameraView): Promise<void> {
  const f = await api<LiveAnswer>('GET', `/api/cameras/${encodeURIComponent(view.camera)}/live`);
  view.facts = f;
  const { error, status, rulesList } = view.parts;
  error.textContent = '';
  if (f.seq === null) status.textContent = t('live.waiting');
  else status.textContent = t('live.frame', { seq: f.seq, age: ((f.now - f.at) / 1000).toFixed(1) });
  view.stage?.showFrame(f.imageSeq);
  renderRuleStates(rulesList, view.facts);
  draw(view);
}
