import { h } from '../../../web/client/dom.ts';
import type { DutySlot } from '../../patrol/schema.ts';
import { w } from './words.ts';

const DAYS = [1, 2, 3, 4, 5, 6, 7] as const;

/** "周一至周五 08:00–18:00" in words: a run of three or more days is written as a range. */
export function dutyText(duty: DutySlot[]): string {
  if (!duty.length) return w('units.dutyNone');
  const p = w('day.prefix');
  const days = (d: number[]) => {
    const s = [...d].sort((a, b) => a - b);
    const run = s.length >= 3 && s.at(-1)! - s[0]! === s.length - 1;
    return run
      ? `${p}${w(`day.${s[0]}` as 'day.1')}–${p}${w(`day.${s.at(-1)}` as 'day.1')}`
      : s.map((x) => `${p}${w(`day.${x}` as 'day.1')}`).join(' ');
  };
  return duty.map((d) => `${days(d.days)} ${d.from}–${d.to}`).join('; ');
}

/**
 * The duty hours as a small form: per period the weekdays as tick boxes and two times of day. `slots` is edited in
 * place (the page sees unsaved changes by comparing it with what was saved).
 */
export function dutyForm(slots: DutySlot[]): HTMLElement {
  const box = h('div', { class: 'duty', id: 'unit-duty' });
  const draw = () => {
    box.replaceChildren(
      ...slots.map((slot, i) => slotRow(slot, i, () => (slots.splice(i, 1), draw()))),
      slots.length ? '' : h('p', { class: 'muted' }, w('units.dutyNone')),
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          id: 'duty-add',
          onclick: () => {
            slots.push({ days: [1, 2, 3, 4, 5], from: '08:00', to: '18:00' });
            draw();
            box.querySelector<HTMLInputElement>(`[data-slot="${slots.length - 1}"] input`)?.focus();
          },
        },
        w('units.addDuty'),
      ),
    );
  };
  draw();
  return box;
}

function slotRow(slot: DutySlot, i: number, remove: () => void): HTMLElement {
  const day = (d: number) => {
    const c = h('input', { type: 'checkbox', checked: slot.days.includes(d), 'data-day': d });
    c.addEventListener('change', () => {
      slot.days = c.checked ? [...slot.days, d].sort((a, b) => a - b) : slot.days.filter((x) => x !== d);
    });
    return h('label', { class: 'day' }, c, w(`day.${d}` as 'day.1'));
  };
  const time = (key: 'from' | 'to') => {
    const t = h('input', { type: 'time', value: slot[key], required: true, 'data-time': key });
    t.addEventListener('change', () => {
      slot[key] = t.value;
    });
    return h('label', { class: 'time' }, w(key === 'from' ? 'units.dutyFrom' : 'units.dutyTo'), t);
  };
  return h(
    'fieldset',
    { class: 'duty-slot', 'data-slot': i },
    h('div', { class: 'days' }, ...DAYS.map(day)),
    time('from'),
    time('to'),
    h('button', { type: 'button', class: 'link remove', onclick: remove, 'aria-label': w('units.removeDuty') }, w('units.removeDuty')),
  );
}
