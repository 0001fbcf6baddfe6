import { clear, h, t } from './dom.ts';

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

type Rule = Record<string, unknown> & { id: string; type: string };

/**
 * A rule's form, built from its type's schema: numbers, choices, on/off and label lists get their own inputs;
 * anything else (schedules, lines) is edited as JSON. An empty field means "the default" and is left out of the file.
 */
export function ruleForm(
  rule: Rule,
  types: RuleTypeInfo[],
  path: string,
  onChange: (next: Rule) => void,
  onRemove: () => void,
): HTMLElement {
  const box = h('fieldset', { class: 'rule', 'data-path': path });
  const info = types.find((x) => x.type === rule.type) ?? types[0];
  const typeSelect = h(
    'select',
    { class: 'rule-type', onchange: (ev: Event) => onChange({ id: rule.id, type: (ev.target as HTMLSelectElement).value }) },
    ...types.map((x) => h('option', { value: x.type, selected: x.type === rule.type }, x.type)),
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
  const props = Object.entries(info.schema.properties ?? {}).filter(([k]) => k !== 'type');
  const grid = h('div', { class: 'grid' });
  for (const [key, prop] of props) {
    const value = rule[key];
    const set = (v: unknown) => {
      if (v === undefined || v === '') delete rule[key];
      else rule[key] = v;
    };
    const placeholder = prop.default === undefined ? '' : JSON.stringify(prop.default);
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
        placeholder: Array.isArray(prop.default) ? prop.default.join(', ') : '',
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
