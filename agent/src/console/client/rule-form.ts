import { clear, h } from '../../web/client/dom.ts';
import { currentLang } from '../../web/client/i18n.ts';
import type { PresetInfo } from '../wire.ts';
import { t } from './dom.ts';

/** A rule type and its parameters as JSON Schema (made from the same zod schema the config uses). */
export interface RuleTypeInfo {
  type: string;
  schema: { properties?: Record<string, JsonProp>; required?: string[] };
}
interface JsonProp {
  type?: string;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  items?: { type?: string };
  minimum?: number;
  maximum?: number;
}

/** A rule as the file holds it: a rule type with its parameters, or a catalogue preset with overrides. */
export type Rule = Record<string, unknown> & { id: string } & ({ type: string } | { preset: string });

const PRESET = 'preset:';

/**
 * A rule's form, built from its type's schema: numbers, choices, on/off and label lists get their own inputs;
 * anything else (schedules, lines) is edited as JSON. An empty field means "the default" and is left out of the file.
 */
export function ruleForm(
  rule: Rule,
  types: RuleTypeInfo[],
  presets: PresetInfo[],
  path: string,
  onChange: (next: Rule) => void,
  onRemove: () => void,
): HTMLElement {
  const box = h('fieldset', { class: 'rule', 'data-path': path });
  const preset = 'preset' in rule ? presets.find((p) => p.id === rule.preset) : undefined;
  const ruleType = (preset ? preset.type : 'type' in rule ? rule.type : types[0].type) as string;
  const info = types.find((x) => x.type === ruleType) ?? types[0];
  box.append(
    h(
      'legend',
      {},
      h('label', { class: 'inline' }, t('edit.ruleType'), typeSelect(rule, ruleType, types, presets, onChange)),
      ' ',
      h('button', { class: 'link', onclick: onRemove }, t('edit.removeRule')),
    ),
  );
  // A preset fixes the rule type and the event it reports; its own parameters are the defaults shown.
  const props = Object.entries(info.schema.properties ?? {}).filter(([k]) => k !== 'type' && !(preset && k === 'event'));
  const grid = h('div', { class: 'grid' });
  for (const [key, prop] of props) {
    const fallback = preset && key in preset.params ? preset.params[key] : prop.default;
    const set = (v: unknown) => {
      if (v === undefined || v === '') delete rule[key];
      else rule[key] = v;
    };
    grid.append(
      h(
        'label',
        { title: prop.description ?? '' },
        key + (info.schema.required?.includes(key) ? ' *' : ''),
        fieldInput({ key, prop, value: rule[key], fallback, set }),
        h('span', { class: 'field-problem error small', 'data-path': `${path}.${key}` }),
      ),
    );
  }
  box.append(grid, h('p', { class: 'field-problem error small', 'data-path': path }));
  return box;
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
          `${p.name[lang]}${p.code ? ` ${p.code}` : ''} (${p.type})`,
        ),
      ),
    ),
    h('optgroup', { label: t('edit.ruleTypes') }, ...types.map((x) => h('option', { value: x.type, selected: chosen === x.type }, x.type))),
  );
}

/** One parameter: its value as the file has it, its default (shown as the placeholder), and how to write it back. */
interface Field {
  key: string;
  prop: JsonProp;
  value: unknown;
  fallback: unknown;
  set: (v: unknown) => void;
}

const placeholderOf = (f: Field) => (f.fallback === undefined ? '' : JSON.stringify(f.fallback));
const inputValue = (ev: Event) => (ev.target as HTMLInputElement | HTMLSelectElement).value;

function fieldInput(f: Field): HTMLElement {
  const { prop } = f;
  if (prop.type === 'number' || prop.type === 'integer') return numberInput(f);
  if (prop.enum) return choiceInput(f, prop.enum);
  if (prop.type === 'boolean') return onOffInput(f);
  if (prop.type === 'array' && prop.items?.type === 'string') return listInput(f);
  if (prop.type === 'string') {
    const { key, value, set } = f;
    const oninput = (ev: Event) => set(inputValue(ev));
    return h('input', { name: key, placeholder: placeholderOf(f), value: typeof value === 'string' ? value : undefined, oninput });
  }
  return jsonInput(f);
}

function numberInput(f: Field): HTMLElement {
  return h('input', {
    type: 'number',
    step: 'any',
    name: f.key,
    placeholder: placeholderOf(f),
    value: f.value === undefined ? undefined : String(f.value),
    oninput: (ev: Event) => {
      const s = inputValue(ev);
      f.set(s === '' ? undefined : Number(s));
    },
  });
}

function choiceInput(f: Field, choices: unknown[]): HTMLElement {
  const placeholder = placeholderOf(f);
  return h(
    'select',
    { name: f.key, onchange: (ev: Event) => f.set(inputValue(ev) || undefined) },
    h('option', { value: '' }, placeholder ? `(${placeholder})` : ''),
    ...choices.map((e) => h('option', { value: String(e), selected: f.value === e }, String(e))),
  );
}

function onOffInput(f: Field): HTMLElement {
  const placeholder = placeholderOf(f);
  const onchange = (ev: Event) => {
    const s = inputValue(ev);
    f.set(s === '' ? undefined : s === 'true');
  };
  return h(
    'select',
    { name: f.key, onchange },
    h('option', { value: '' }, placeholder ? `(${placeholder})` : ''),
    h('option', { value: 'true', selected: f.value === true }, 'true'),
    h('option', { value: 'false', selected: f.value === false }, 'false'),
  );
}

/** Labels and other lists of words, comma-separated. */
function listInput({ key, value, fallback, set }: Field): HTMLElement {
  return h('input', {
    name: key,
    placeholder: Array.isArray(fallback) ? fallback.join(', ') : '',
    value: Array.isArray(value) ? value.join(', ') : undefined,
    oninput: (ev: Event) => {
      const s = inputValue(ev).trim();
      set(s === '' ? undefined : s.split(/\s*,\s*/).filter(Boolean));
    },
  });
}

/** Anything else as JSON, kept only while it parses ("JSON?" beside it otherwise). */
function jsonInput(f: Field): HTMLElement {
  const bad = h('span', { class: 'error small' });
  const oninput = (ev: Event) => {
    const s = inputValue(ev).trim();
    clear(bad);
    if (s === '') return f.set(undefined);
    try {
      f.set(JSON.parse(s));
    } catch {
      bad.append('JSON?');
    }
  };
  const value = f.value === undefined ? undefined : JSON.stringify(f.value);
  return h('span', {}, h('input', { name: f.key, class: 'json', placeholder: placeholderOf(f), value, oninput }), bad);
}
