import { clear, h } from '../../../web/client/dom.ts';
import { type Key, t } from '../dom.ts';
import { ruleForm } from '../rule-form.ts';
import { fromPx } from '../units.ts';
import { draw } from './draw.ts';
import { type CameraView, type Shape, takesLine } from './state.ts';

/** The selected zone's form: its id and name, a form per rule, and the row of buttons (`buttons` at its end). */
export function zoneForm(view: CameraView, sh: Shape, buttons: HTMLElement[]): HTMLElement[] {
  const z = sh.zone!;
  const zi = view.shapes.filter((x) => x.kind === 'zone').indexOf(sh);
  const rules = h('div', { class: 'rules-form' });
  renderRuleForms(view, sh, zi, rules);
  const addRule = () => {
    z.rules.push({ id: `rule-${z.rules.length + 1}`, type: view.edit!.ruleTypes[0].type });
    renderRuleForms(view, sh, zi, rules);
  };
  return [
    zoneField(view, sh, 'id', 'edit.zoneId'),
    zoneField(view, sh, 'name', 'edit.zoneName'),
    h('p', { class: 'field-problem error', 'data-path': `zones[${zi}].polygon` }),
    h('h3', {}, t('edit.rules')),
    rules,
    h('div', { class: 'row' }, h('button', { class: 'secondary', id: 'add-rule', onclick: addRule }, t('edit.addRule')), ...buttons),
  ];
}

/** The zone's id or name (an empty name is left out of the file). */
function zoneField(view: CameraView, sh: Shape, key: 'id' | 'name', labelKey: Key): HTMLLabelElement {
  const z = sh.zone!;
  const oninput = (ev: Event) => {
    const v = (ev.target as HTMLInputElement).value;
    if (key === 'name' && v === '') delete z.name;
    else z[key] = v;
    renameShapeButtons(view);
    draw(view);
  };
  return h('label', {}, t(labelKey), h('input', { id: `zone-${key}`, value: (z[key] as string | undefined) ?? '', oninput }));
}

/** The zones' buttons in the shape list show their ids as typed (without rebuilding the form being typed in). */
function renameShapeButtons(view: CameraView): void {
  const buttons = [...view.parts.shapeList.querySelectorAll('button')];
  view.shapes.forEach((sh, i) => sh.kind === 'zone' && buttons[i] && (buttons[i].textContent = sh.zone!.id));
}

function renderRuleForms(view: CameraView, sh: Shape, zi: number, box: HTMLElement): void {
  const z = sh.zone!;
  clear(box);
  z.rules.forEach((r, ri) =>
    box.append(
      ruleForm(
        r,
        view.edit!.ruleTypes,
        view.edit!.presets,
        view.edit!.events,
        `zones[${zi}].rules[${ri}]`,
        (next) => {
          // A rule turned into one that judges a line gets a line across the picture to drag into place.
          if (takesLine(view, next) && !Array.isArray(next.line)) {
            const { width: w, height: hgt } = view.stage!;
            next.line = [fromPx([w * 0.3, hgt * 0.6], sh.units, w, hgt), fromPx([w * 0.7, hgt * 0.6], sh.units, w, hgt)];
          }
          z.rules[ri] = next;
          renderRuleForms(view, sh, zi, box);
          draw(view);
        },
        () => {
          z.rules.splice(ri, 1);
          renderRuleForms(view, sh, zi, box);
        },
      ),
    ),
  );
}
