import { clear, h } from '../../web/client/dom.ts';
import { currentLang } from '../../web/client/i18n.ts';
import { dayWords } from '../rule-words.ts';
import { t } from './dom.ts';
import { type Window, windowProblem } from './rule-check.ts';

/**
 * A rule's schedule as a form: each time window a row of weekdays and a from–to time; no window means always. Edits
 * go straight into the rule's `schedule` (left out of the file when the last window is removed); a window the config
 * would refuse shows why beside it as it is typed.
 */
export function scheduleInput(value: unknown, path: string, set: (v: unknown) => void): HTMLElement {
  const windows: Window[] = Array.isArray(value) ? (value as Window[]) : [];
  const box = h('div', { class: 'schedule' });
  const render = () => {
    clear(box);
    if (windows.length === 0) box.append(h('p', { class: 'muted small', id: 'schedule-always' }, t('schedule.always')));
    windows.forEach((w, i) => box.append(windowRow(w, `${path}[${i}]`, () => remove(i))));
    box.append(h('button', { type: 'button', class: 'secondary add-window', onclick: add }, t('schedule.add')));
  };
  const add = () => {
    windows.push({ from: '08:00', to: '20:00' });
    set(windows);
    render();
  };
  const remove = (i: number) => {
    windows.splice(i, 1);
    set(windows.length ? windows : undefined);
    render();
  };
  render();
  return box;
}

/** One window: its weekdays (all ticked: every day), from and to, and its problem. */
function windowRow(w: Window, path: string, onRemove: () => void): HTMLElement {
  const lang = currentLang();
  const problem = h('span', { class: 'field-problem error small', 'data-path': path });
  const note = h('span', { class: 'muted small' });
  const check = () => {
    const p = windowProblem(w);
    problem.textContent = p ? t(p.problem.key, p.problem.vars) : '';
    note.textContent = !p && w.to! < w.from! ? t('schedule.overnight') : '';
  };
  const days = dayWords.map(([day, words]) => {
    const ticked = (w.days ?? dayWords.map(([d]) => d)).includes(day);
    const onchange = (ev: Event) => {
      const all = w.days ?? dayWords.map(([d]) => d);
      w.days = (ev.target as HTMLInputElement).checked
        ? dayWords.map(([d]) => d).filter((d) => d === day || all.includes(d))
        : all.filter((d) => d !== day);
      check();
    };
    return h(
      'label',
      { class: 'inline day' },
      h('input', { type: 'checkbox', name: `day-${day}`, checked: ticked, onchange }),
      words[lang],
    );
  });
  const time = (part: 'from' | 'to') =>
    h('input', {
      class: `time ${part}`,
      name: part,
      inputmode: 'numeric',
      placeholder: part === 'from' ? '08:00' : '20:00',
      value: w[part] ?? '',
      oninput: (ev: Event) => {
        w[part] = (ev.target as HTMLInputElement).value.trim().replace('：', ':');
        check();
      },
    });
  const row = h(
    'div',
    { class: 'window' },
    h('span', { class: 'days' }, ...days),
    h('span', { class: 'times' }, t('schedule.from'), ' ', time('from'), ' ', t('schedule.to'), ' ', time('to'), ' ', note),
    h('button', { type: 'button', class: 'link', onclick: onRemove }, t('schedule.remove')),
    problem,
  );
  check();
  return row;
}
