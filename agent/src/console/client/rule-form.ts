import { h } from '../../web/client/dom.ts';
import { currentLang } from '../../web/client/i18n.ts';
import { ruleTypeLabel } from '../../web/rule-type-words.ts';
import { choiceLabel, fieldHelp, fieldLabel } from '../rule-words.ts';
import type { EventInfo, PresetInfo } from '../wire.ts';
import { t } from './dom.ts';
import { type JsonProp, numberProblem, type Problem, type RuleTypeInfo, textProblem } from './rule-check.ts';
import { scheduleInput } from './schedule-form.ts';

/** A rule as the file holds it: a rule type with its parameters, or a catalogue preset with overrides. */
export type Rule = Record<string, unknown> & { id: string } & ({ type: string } | { preset: string });

const PRESET = 'preset:';

/** The parameters every rule type shares that tune its events rather than say what it looks for: folded away. */
const TUNING = new Set(['minScore', 'updateIntervalSeconds', 'endAfterSeconds', 'reminderSeconds', 'suppressSeconds', 'event']);

/** A rule's type's schema, and its catalogue preset if it is written as one. */
export function ruleInfo(rule: Rule, types: RuleTypeInfo[], presets: PresetInfo[]): { info: RuleTypeInfo; preset?: PresetInfo } {
  const preset = 'preset' in rule ? presets.find((p) => p.id === rule.preset) : undefined;
  const ruleType = preset ? preset.type : 'type' in rule ? rule.type : types[0].type;
  return { info: types.find((x) => x.type === ruleType) ?? types[0], preset };
}

/**
 * A rule's form, built from its type's schema: each parameter under its label in the page's language with its help,
 * numbers, choices and label lists as inputs, the schedule as days and times. An empty field means "the default" and is
 * left out of the file; a value the schema refuses is kept (so nothing typed is lost) and its problem shown beside it.
 */
export function ruleForm(
  rule: Rule,
  types: RuleTypeInfo[],
  presets: PresetInfo[],
  events: EventInfo[],
  path: string,
  onChange: (next: Rule) => void,
  onRemove: () => void,
): HTMLElement {
  const lang = currentLang();
  const box = h('fieldset', { class: 'rule', 'data-path': path });
  const { info, preset } = ruleInfo(rule, types, presets);
  box.append(
    h(
      'legend',
      {},
      h('label', { class: 'inline' }, t('edit.ruleType'), typeSelect(rule, info.type, types, presets, onChange)),
      ' ',
      h('button', { class: 'link', onclick: onRemove }, t('edit.removeRule')),
    ),
    h('p', { class: 'help small' }, fieldHelp(info.type, 'type', lang, info.schema.properties?.type?.description)),
  );
  // A preset fixes the rule type and the event it reports; its own parameters are the defaults shown.
  const props = Object.entries(info.schema.properties ?? {})
    .filter(([k]) => k !== 'type' && !(preset && k === 'event'))
    // What the rule looks for first, when it applies after it (the schema lists the shared parameters first).
    .sort(([a], [b]) => Number(a === 'schedule') - Number(b === 'schedule'));
  const main = h('div', { class: 'grid' });
  const tuning = h('div', { class: 'grid' });
  const more = h('details', { class: 'tuning' }, h('summary', {}, t('edit.moreSettings')), tuning);
  for (const [key, prop] of props) {
    const fallback = preset && key in preset.params ? preset.params[key] : prop.default;
    const required = !preset && (info.schema.required ?? []).includes(key);
    const field: Field = {
      key,
      prop,
      value: rule[key],
      fallback,
      required,
      set: (v) => (v === undefined ? delete rule[key] : (rule[key] = v)),
    };
    const cell = fieldCell(info.type, field, `${path}.${key}`, key === 'event' ? eventInput(field, events, info.type) : undefined);
    (TUNING.has(key) ? tuning : main).append(cell);
    if (TUNING.has(key) && rule[key] !== undefined) more.open = true;
  }
  box.append(main, more, h('p', { class: 'field-problem error small', 'data-path': path }));
  return box;
}

/** One parameter: its label, input, help, and the line its problem shows on (as typed, and from Check or Save). */
function fieldCell(type: string, f: Field, path: string, input?: HTMLElement): HTMLElement {
  const lang = currentLang();
  const problemLine = h('span', { class: 'field-problem error small', 'data-path': path });
  const show = (p: Problem | undefined) => {
    problemLine.textContent = p ? t(p.key, p.vars) : '';
    cell.classList.toggle('invalid', p !== undefined);
  };
  const cell = h(
    f.key === 'schedule' ? 'div' : 'label',
    { class: f.key === 'schedule' ? 'field wide' : 'field', 'data-field': f.key },
    h('span', { class: 'field-name' }, fieldLabel(f.key, lang) + (f.required ? ' *' : '')),
    input ?? fieldInput(f, path, show),
    h('small', { class: 'help' }, fieldHelp(type, f.key, lang, f.prop.description)),
    problemLine,
  );
  show(problemOf(f, f.value));
  return cell;
}

/** One parameter: its value as the file has it, its default (shown as the placeholder), and how to write it back. */
interface Field {
  key: string;
  prop: JsonProp;
  value: unknown;
  fallback: unknown;
  required: boolean;
  set: (v: unknown) => void;
}

function problemOf(f: Field, v: unknown): Problem | undefined {
  const { prop } = f;
  if (prop.type === 'number' || prop.type === 'integer')
    return v === undefined && f.required ? { key: 'field.required' } : numberProblem(v, prop);
  if (prop.type === 'string' && !prop.enum) return textProblem(v, prop, f.required);
  return undefined;
}

/** The rule's type: a catalogue preset (named in the page's language, with its code) or a bare rule type. */
function typeSelect(rule: Rule, ruleType: string, types: RuleTypeInfo[], presets: PresetInfo[], onChange: (next: Rule) => void) {
  const chosen = 'preset' in rule ? `${PRESET}${rule.preset}` : ruleType;
  const lang = currentLang();
  const onchange = (ev: Event) => {
    const v = (ev.target as HTMLSelectElement).value;
    onChange(v.startsWith(PRESET) ? { id: rule.id, preset: v.slice(PRESET.length) } : { id: rule.id, type: v });
  };
  return h(
    'select',
    { class: 'rule-type', onchange },
    h(
      'optgroup',
      { label: t('edit.presets') },
      ...presets.map((p) =>
        h(
          'option',
          { value: `${PRESET}${p.id}`, selected: chosen === `${PRESET}${p.id}` },
          `${p.name[lang]}${p.code ? ` ${p.code}` : ''} (${ruleTypeLabel(p.type, lang)})`,
        ),
      ),
    ),
    h(
      'optgroup',
      { label: t('edit.ruleTypes') },
      ...types.map((x) => h('option', { value: x.type, selected: chosen === x.type }, ruleTypeLabel(x.type, lang))),
    ),
  );
}

const placeholderOf = (f: Field) =>
  f.fallback === undefined ? '' : Array.isArray(f.fallback) ? f.fallback.join(', ') : String(f.fallback);
const inputValue = (ev: Event) => (ev.target as HTMLInputElement | HTMLSelectElement).value;

function fieldInput(f: Field, path: string, show: (p: Problem | undefined) => void): HTMLElement {
  const { prop } = f;
  const write = (v: unknown) => {
    f.set(v);
    show(problemOf(f, v));
  };
  if (f.key === 'schedule') return scheduleInput(f.value, path, f.set);
  if (f.key === 'line') return h('span', { class: 'muted small' }, t('edit.line'));
  if (prop.type === 'number' || prop.type === 'integer') return numberInput(f, write);
  if (prop.enum) return choiceInput(f, prop.enum);
  if (prop.type === 'boolean') return choiceInput(f, [true, false]);
  if (prop.type === 'array' && prop.items?.type === 'string') return listInput(f);
  const value = typeof f.value === 'string' ? f.value : undefined;
  return h('input', { name: f.key, placeholder: placeholderOf(f), value, oninput: (ev: Event) => write(inputValue(ev) || undefined) });
}

/** A number, refused as typed when the schema refuses it (kept, so Check and Save can refuse it too). */
function numberInput(f: Field, write: (v: unknown) => void): HTMLElement {
  return h('input', {
    type: 'number',
    step: 'any',
    name: f.key,
    placeholder: placeholderOf(f),
    value: f.value === undefined ? undefined : String(f.value),
    oninput: (ev: Event) => {
      const input = ev.target as HTMLInputElement;
      // Text a number field cannot read (Chromium gives '' with badInput) is a problem, not "the default".
      if (input.validity.badInput) return write(Number.NaN);
      write(input.value === '' ? undefined : Number(input.value));
    },
  });
}

/** A few choices in words; the empty choice is the default, said as such. */
function choiceInput(f: Field, choices: unknown[]): HTMLElement {
  const lang = currentLang();
  const fallback = f.fallback === undefined ? '' : t('edit.default', { value: choiceLabel(f.key, f.fallback, lang) });
  return h(
    'select',
    {
      name: f.key,
      // The choice itself, not its text: a yes/no is written to the file as true/false.
      onchange: (ev: Event) => f.set(choices.find((c) => String(c) === inputValue(ev))),
    },
    h('option', { value: '' }, fallback),
    ...choices.map((e) => h('option', { value: String(e), selected: f.value === e }, choiceLabel(f.key, e, lang))),
  );
}

/** The catalogue event type a rule reports, by name and code; the empty choice is its rule type's own. */
function eventInput(f: Field, events: EventInfo[], type: string): HTMLElement {
  const lang = currentLang();
  const named = (e: EventInfo) => `${e.name[lang]}${e.code ? ` ${e.code}` : ''}`;
  const fallback = events.find((e) => e.defaultFor.includes(type));
  return h(
    'select',
    { name: f.key, onchange: (ev: Event) => f.set(inputValue(ev) || undefined) },
    h('option', { value: '' }, fallback ? t('edit.default', { value: named(fallback) }) : ''),
    ...events.map((e) => h('option', { value: e.id, selected: f.value === e.id }, named(e))),
  );
}

/** Labels and other lists of words, comma-separated (a Chinese comma too). */
function listInput({ key, value, fallback, set }: Field): HTMLElement {
  return h('input', {
    name: key,
    placeholder: Array.isArray(fallback) ? fallback.join(', ') : '',
    value: Array.isArray(value) ? value.join(', ') : undefined,
    oninput: (ev: Event) => {
      const s = inputValue(ev).trim();
      set(s === '' ? undefined : s.split(/\s*[,，、]\s*/).filter(Boolean));
    },
  });
}
