import { currentLang } from '../../web/client/i18n.ts';
import type { PresetInfo } from '../wire.ts';
import { clear, h } from '../../web/client/dom.ts';
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
  const ruleType = preset ? preset.type : 'type' in rule ? rule.type : types[0].type;
  const info = types.find((x) => x.type === ruleType) ?? types[0];
  const chosen = 'preset' in rule ? `${PRESET}${rule.preset}` : ruleType;
  const lang = currentLang();
  const typeSelect = h(
    'select',
    {
      class: 'rule-type',
      onchange: (ev: Event) => {
        const v = (ev.target as HTMLSelectElement).value;
        onChange(v.startsWith(PRESET) ? { id: rule.id, preset: v.slice(PRESET.length) } : { id: rule.id, type: v });
      },
    },
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
  box.append(
    h(
      'legend',
      {},
      h('label', { class: 'inline' }, t('edit.ruleType'), typeSelect),
      ' ',
      h('button', { class: 'link', onclick: onRemove }, t('edit.removeRule')),
    ),
  );
  // A preset fixes the rule type and the event it reports; its own parameters are the defaults shown.
  const props = Object.entries(info.schema.properties ?? {}).filter(([k]) => k !== 'type' && !(preset && k === 'event'));
  const defaultOf = (key: string, prop: JsonProp) => (preset && key in preset.params ? preset.params[key] : prop.default);
  const grid = h('div', { class: 'grid' });
  for (const [key, prop] of props) {
    const value = rule[key];
    const set = (v: unknown) => {
      if (v === undefined || v === '') delete rule[key];
      else rule[key] = v;
    };
    const fallback = defaultOf(key, prop);
    const placeholder = fallback === undefined ? '' : JSON.stringify(fallback);
    let input: HTMLElement;
    if (prop.type === 'number' || prop.type === 'integer') {
      input = h('input', {
        type: 'number',
        step: 'any',
        name: key,
        placeholder,
        value: value === undefined ? undefined : String(value),
        oninput: (ev: Event) => {
          const s = (ev.target as HTMLInputElement).value;
          set(s === '' ? undefined : Number(s));
        },
      });
    } else if (prop.enum) {
      input = h(
        'select',
        { name: key, onchange: (ev: Event) => set((ev.target as HTMLSelectElement).value || undefined) },
        h('option', { value: '' }, placeholder ? `(${placeholder})` : ''),
        ...prop.enum.map((e) => h('option', { value: String(e), selected: value === e }, String(e))),
      );
    } else if (prop.type === 'boolean') {
      input = h(
        'select',
        {
          name: key,
          onchange: (ev: Event) => {
            const s = (ev.target as HTMLSelectElement).value;
            set(s === '' ? undefined : s === 'true');
          },
        },
        h('option', { value: '' }, placeholder ? `(${placeholder})` : ''),
        h('option', { value: 'true', selected: value === true }, 'true'),
        h('option', { value: 'false', selected: value === false }, 'false'),
      );
    } else if (prop.type === 'array' && prop.items?.type === 'string') {
      input = h('input', {
        name: key,
        placeholder: Array.isArray(fallback) ? fallback.join(', ') : '',
        value: Array.isArray(value) ? value.join(', ') : undefined,
        oninput: (ev: Event) => {
          const s = (ev.target as HTMLInputElement).value.trim();
          set(s === '' ? undefined : s.split(/\s*,\s*/).filter(Boolean));
        },
      });
    } else if (prop.type === 'string') {
      input = h('input', {
        name: key,
        placeholder,
        value: typeof value === 'string' ? value : undefined,
        oninput: (ev: Event) => set((ev.target as HTMLInputElement).value),
      });
    } else {
      const bad = h('span', { class: 'error small' });
      input = h(
        'span',
        {},
        h('input', {
          name: key,
          class: 'json',
          placeholder,
          value: value === undefined ? undefined : JSON.stringify(value),
          oninput: (ev: Event) => {
            const s = (ev.target as HTMLInputElement).value.trim();
            clear(bad);
            if (s === '') return set(undefined);
            try {
              set(JSON.parse(s));
            } catch {
              bad.append('JSON?');
            }
          },
        }),
        bad,
      );
    }
    grid.append(
      h(
        'label',
        { title: prop.description ?? '' },
        key + (info.schema.required?.includes(key) ? ' *' : ''),
        input,
        h('span', { class: 'field-problem error small', 'data-path': `${path}.${key}` }),
      ),
    );
  }
  box.append(grid, h('p', { class: 'field-problem error small', 'data-path': path }));
  return box;
}
