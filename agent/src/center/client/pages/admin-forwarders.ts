import { api } from '../../../web/client/api.ts';
import { h } from '../../../web/client/dom.ts';
import { currentLang } from '../../../web/client/i18n.ts';
import type { CategoryView, CenterConfigView, ForwarderEditView } from '../../wire.ts';
import { type Key, t } from '../words.ts';
import { attempts, FieldErrors, field, forwarderId, positive, webhookUrl } from './admin-form.ts';
import { refusal } from './admin-settings.ts';

const STATES = ['started', 'updated', 'ended', 'cleared'] as const;
type Said = (ok: boolean, text: string) => void;

const BLANK: ForwarderEditView = {
  id: '',
  name: '',
  url: 'https://',
  enabled: true,
  states: ['started', 'ended', 'cleared'],
  categories: null,
  template: null,
  headers: [],
  token: { kind: 'none' },
  maxAttempts: 20,
  timeoutSeconds: 10,
};

const catName = (c: CategoryView) => (currentLang() === 'zh' ? c.name.zh : c.name.en);

function tokenWords(f: ForwarderEditView): string {
  const k = f.token;
  if (k.kind === 'none') return '—';
  if (k.kind === 'inline') return t('fwd.set');
  return k.kind === 'file' ? t('fwd.fromFile', { file: k.file }) : t('fwd.fromEnv', { env: k.env });
}

/** The forwarders as a list with their actions, and the form of the one being edited (or added). */
export function forwardersSection(view: CenterConfigView, said: Said): HTMLElement {
  const holder = h('div', { id: 'forwarder-form-holder' });
  const open = (f: ForwarderEditView, isNew: boolean) =>
    holder.replaceChildren(forwarderForm(view, f, isNew, said, () => holder.replaceChildren()));
  const byCat = new Map(view.categories.map((c) => [c.id, catName(c)]));
  const rows = view.forwarders.map((f) => {
    const path = `/api/admin/forwarders/${encodeURIComponent(f.id)}`;
    const edit = h('button', { type: 'button', class: 'secondary', 'data-edit': f.id }, t('fwd.edit'));
    const toggle = h('button', { type: 'button', class: 'secondary', 'data-toggle': f.id }, t(f.enabled ? 'fwd.disable' : 'fwd.enable'));
    const remove = h('button', { type: 'button', class: 'secondary', 'data-remove-forwarder': f.id }, t('fwd.remove'));
    edit.addEventListener('click', () => open(f, false));
    toggle.addEventListener(
      'click',
      () => void send('PUT', path, { ...editBody(f), enabled: !f.enabled, baseSha256: view.sha256 }, f.id, said),
    );
    remove.addEventListener('click', () => {
      if (confirm(t('fwd.confirmRemove', { id: f.id })))
        void api('DELETE', path, { baseSha256: view.sha256 }).then(
          () => said(true, t('fwd.removed', { id: f.id })),
          (err: unknown) => said(false, refusal(err, new FieldErrors())),
        );
    });
    const types = f.categories ? f.categories.map((c) => byCat.get(c) ?? c).join('、') : t('fwd.allTypes');
    return h(
      'tr',
      { 'data-forwarder': f.id, class: f.enabled ? '' : 'muted' },
      h('td', {}, f.name || f.id, f.enabled ? '' : ` (${t('fwd.disabled')})`),
      h('td', { class: 'url' }, f.url),
      h('td', {}, f.states.map((s) => t(`state.${s}` as Key)).join('、'), ' · ', types),
      h('td', {}, tokenWords(f)),
      h('td', { class: 'actions' }, edit, toggle, remove),
    );
  });
  const add = h('button', { type: 'button', id: 'forwarder-add' }, t('fwd.add'));
  add.addEventListener('click', () => open(BLANK, true));
  const head = h('tr', {}, ...(['fwd.name', 'fwd.url', 'fwd.states', 'fwd.token', 'fwd.edit'] as const).map((k) => h('th', {}, t(k))));
  return h(
    'section',
    { id: 'forwarders-admin' },
    h('h2', {}, t('fwd.title')),
    h('p', { class: 'muted' }, t('fwd.note')),
    rows.length
      ? h('table', { class: 'queue', id: 'forwarder-list' }, h('thead', {}, head), h('tbody', {}, ...rows))
      : h('p', {}, t('fw.none')),
    add,
    holder,
  );
}

/** A listed forwarder as the server takes it back unchanged: secrets kept, headers untouched. */
function editBody(f: ForwarderEditView): Record<string, unknown> {
  return {
    id: f.id,
    name: f.name,
    url: f.url,
    enabled: f.enabled,
    states: f.states,
    categories: f.categories,
    template: f.template,
    headers: {},
    token:
      f.token.kind === 'none'
        ? null
        : f.token.kind === 'inline'
          ? { keep: true }
          : f.token.kind === 'file'
            ? { file: f.token.file }
            : { env: f.token.env },
    maxAttempts: f.maxAttempts,
    timeoutSeconds: f.timeoutSeconds,
  };
}

async function send(
  method: 'POST' | 'PUT',
  path: string,
  body: unknown,
  id: string,
  said: Said,
  errors = new FieldErrors(),
): Promise<void> {
  try {
    await api(method, path, body);
    said(true, t('fwd.saved', { id }));
  } catch (err) {
    said(false, refusal(err, errors));
  }
}

const checkbox = (name: string, value: string, checked: boolean, words: string) =>
  h('label', { class: 'check' }, h('input', { type: 'checkbox', name, value, checked }), words);

const checked = (root: HTMLElement, name: string) =>
  [...root.querySelectorAll<HTMLInputElement>(`input[name="${name}"]:checked`)].map((i) => i.value);

/** The form's single-value fields, each checked as typed. */
function plainFields(f: ForwarderEditView, isNew: boolean, errors: FieldErrors, taken: readonly string[]) {
  const input = (id: string, value: string | number, attrs: Record<string, string | boolean> = {}) =>
    h('input', { id: `fwd-${id}`, name: id, value: String(value), ...attrs });
  const id = input('id', f.id, { disabled: !isNew, autocomplete: 'off' });
  const url = input('url', f.url, { type: 'url' });
  const maxAttempts = input('maxAttempts', f.maxAttempts, { type: 'number', min: '1', max: '1000', step: '1' });
  const timeout = input('timeoutSeconds', f.timeoutSeconds, { type: 'number', min: '0', step: 'any' });
  if (isNew) errors.watch(id, 'id', (v) => forwarderId(v) ?? (taken.includes(v) ? 'check.taken' : null));
  errors.watch(url, 'url', webhookUrl);
  errors.watch(maxAttempts, 'maxAttempts', attempts);
  errors.watch(timeout, 'timeoutSeconds', positive);
  const enabled = h('input', { type: 'checkbox', id: 'fwd-enabled', checked: f.enabled });
  return { id, name: input('name', f.name), url, enabled, maxAttempts, timeout };
}

/** The form in words: name, address, which messages and types, the body's fields, the authentication. */
function forwarderForm(view: CenterConfigView, f: ForwarderEditView, isNew: boolean, said: Said, close: () => void): HTMLElement {
  const errors = new FieldErrors();
  const taken = view.forwarders.map((x) => x.id);
  const { id, name, url, enabled, maxAttempts, timeout } = plainFields(f, isNew, errors, taken);
  const states = h(
    'div',
    { class: 'choices', id: 'fwd-states' },
    ...STATES.map((s) => checkbox('state', s, f.states.includes(s), t(`state.${s}` as Key))),
  );
  const types = typesChoice(view.categories, f.categories);
  const body = templateEditor(f.template);
  const auth = tokenChoice(f);
  const headers = headersEditor(f.headers);
  const test = h('button', { type: 'button', class: 'secondary', id: 'fwd-test' }, t('fwd.test'));
  const answer = h('p', { id: 'fwd-answer', class: 'muted', 'aria-live': 'polite' });
  const cancel = h('button', { type: 'button', class: 'secondary' }, t('fwd.cancel'));
  const form = h(
    'form',
    { id: 'forwarder-form', class: 'admin-form', novalidate: true },
    h('h3', {}, isNew ? t('fwd.add') : `${t('fwd.edit')} · ${f.id}`),
    field(t('fwd.id'), id, t('fwd.idHelp'), errors.slot('id')),
    field(t('fwd.name'), name, null, errors.slot('name')),
    field(t('fwd.url'), url, t('fwd.urlHelp'), errors.slot('url')),
    h(
      'div',
      { class: 'field' },
      h('span', { class: 'field-name' }, t('fwd.enabled')),
      h('label', { class: 'check' }, enabled, t('fwd.enabledWords')),
    ),
    field(t('fwd.states'), states, null, errors.slot('states')),
    field(t('fwd.types'), types.el, null, errors.slot('categories')),
    field(t('fwd.body'), body.el, t('fwd.templateHelp'), errors.slot('template')),
    field(t('fwd.auth'), auth.el, t('fwd.tokenHelp'), errors.slot('token')),
    field(t('fwd.headers'), headers.el, null, errors.slot('headers')),
    field(t('fwd.attempts'), maxAttempts, null, errors.slot('maxAttempts')),
    field(t('fwd.timeout'), timeout, null, errors.slot('timeoutSeconds')),
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'fwd-save' }, t('fwd.save')), test, cancel),
    answer,
  );
  const collect = () => ({
    baseSha256: view.sha256,
    id: id.value.trim(),
    name: name.value,
    url: url.value.trim(),
    enabled: enabled.checked,
    states: checked(states, 'state'),
    categories: types.value(),
    template: body.value(),
    headers: headers.value(),
    token: auth.value(),
    maxAttempts: Number(maxAttempts.value),
    timeoutSeconds: Number(timeout.value),
  });
  const ready = () => {
    errors.clear();
    const ok = errors.valid();
    if (!checked(states, 'state').length) errors.show('states', 'check.states');
    return ok && checked(states, 'state').length > 0;
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (!ready()) return void (answer.textContent = t('fwd.fix'));
    const v = collect();
    void send(
      isNew ? 'POST' : 'PUT',
      isNew ? '/api/admin/forwarders' : `/api/admin/forwarders/${encodeURIComponent(f.id)}`,
      v,
      v.id,
      said,
      errors,
    );
  });
  test.addEventListener('click', () => {
    if (ready()) void testSend(collect(), answer, errors);
    else answer.textContent = t('fwd.fix');
  });
  cancel.addEventListener('click', close);
  return form;
}

/** Sends a sample with the form as it is (saved or not) and shows the platform's answer. */
async function testSend(body: unknown, answer: HTMLElement, errors: FieldErrors): Promise<void> {
  answer.className = 'muted';
  answer.textContent = t('fwd.testing');
  try {
    const a = await api<{ ok: boolean; status: number | null; body: string; error?: string }>('POST', '/api/admin/forwarders/test', body);
    answer.className = a.ok ? 'ok' : 'error';
    answer.textContent =
      a.status === null ? t('fwd.noAnswer', { error: a.error ?? '' }) : t('fwd.answer', { status: a.status, body: a.body || '—' });
  } catch (err) {
    answer.className = 'error';
    answer.textContent = refusal(err, errors);
  }
}

function typesChoice(categories: readonly CategoryView[], current: string[] | null) {
  const all = h('input', { type: 'radio', name: 'types', value: 'all', checked: current === null });
  const some = h('input', { type: 'radio', name: 'types', value: 'some', checked: current !== null });
  const list = h(
    'div',
    { class: 'choices', id: 'fwd-types' },
    ...categories.map((c) => checkbox('type', c.id, !!current?.includes(c.id), catName(c))),
  );
  const el = h(
    'div',
    {},
    h('label', { class: 'check' }, all, t('fwd.allTypes')),
    h('label', { class: 'check' }, some, t('fwd.someTypes')),
    list,
  );
  return { el, value: () => (all.checked ? null : checked(list, 'type')) };
}

function templateEditor(rows: [string, unknown][] | null) {
  const alert = h('input', { type: 'radio', name: 'body', value: 'alert', checked: rows === null });
  const shaped = h('input', { type: 'radio', name: 'body', value: 'template', checked: rows !== null });
  const tbody = h('tbody', { id: 'fwd-template' });
  const addRow = (path: string, value: unknown) => {
    const remove = h('button', { type: 'button', class: 'secondary' }, t('fwd.removeRow'));
    const tr = h(
      'tr',
      { 'data-kind': typeof value },
      h('td', {}, h('input', { class: 'tpl-field', value: path, 'aria-label': t('fwd.field') })),
      h('td', {}, h('input', { class: 'tpl-value', value: value === null ? '' : String(value), 'aria-label': t('fwd.value') })),
      h('td', {}, remove),
    );
    remove.addEventListener('click', () => tr.remove());
    tbody.append(tr);
  };
  for (const [p, v] of rows ?? []) addRow(p, v);
  const more = h('button', { type: 'button', class: 'secondary', id: 'fwd-add-row' }, t('fwd.addRow'));
  more.addEventListener('click', () => {
    shaped.checked = true;
    addRow('', '');
  });
  const head = h('tr', {}, h('th', {}, t('fwd.field')), h('th', {}, t('fwd.value')), h('th', {}));
  const el = h(
    'div',
    {},
    h('label', { class: 'check' }, alert, t('fwd.bodyAlert')),
    h('label', { class: 'check' }, shaped, t('fwd.bodyTemplate')),
    h('table', { class: 'template' }, h('thead', {}, head), tbody),
    more,
  );
  /** A row that held a number or yes/no keeps its type while its text still reads as one. */
  const typed = (kind: string | undefined, text: string): unknown => {
    if (kind === 'number' && text.trim() !== '' && Number.isFinite(Number(text))) return Number(text);
    if (kind === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
    return text;
  };
  const value = (): [string, unknown][] | null =>
    alert.checked
      ? null
      : [...tbody.querySelectorAll('tr')]
          .map((tr): [string, unknown] => [
            tr.querySelector<HTMLInputElement>('.tpl-field')!.value.trim(),
            typed(tr.dataset.kind, tr.querySelector<HTMLInputElement>('.tpl-value')!.value),
          ])
          .filter(([p]) => p !== '');
  return { el, value };
}

function tokenChoice(f: ForwarderEditView) {
  const kinds = ['none', ...(f.token.kind === 'inline' ? ['keep'] : []), 'value', 'file', 'env'] as const;
  const words: Record<string, Key> = {
    none: 'fwd.tokenNone',
    keep: 'fwd.tokenKeep',
    value: 'fwd.tokenNew',
    file: 'fwd.tokenFile',
    env: 'fwd.tokenEnv',
  };
  const start = f.token.kind === 'inline' ? 'keep' : f.token.kind;
  const select = h('select', { id: 'fwd-token-kind' }, ...kinds.map((k) => h('option', { value: k, selected: k === start }, t(words[k]))));
  const text = h('input', {
    id: 'fwd-token',
    autocomplete: 'new-password',
    value: f.token.kind === 'file' ? f.token.file : f.token.kind === 'env' ? f.token.env : '',
  });
  const shown = () => {
    text.hidden = select.value === 'none' || select.value === 'keep';
    text.type = select.value === 'value' ? 'password' : 'text';
  };
  select.addEventListener('change', shown);
  shown();
  const value = () => {
    const v = select.value;
    if (v === 'none') return null;
    if (v === 'keep') return { keep: true };
    return v === 'value' ? { value: text.value } : v === 'file' ? { file: text.value } : { env: text.value };
  };
  return { el: h('span', { class: 'with-tag' }, select, text), value };
}

function headersEditor(names: string[]) {
  const removed = new Set<string>();
  const existing = names.map((n) => {
    const drop = h('button', { type: 'button', class: 'secondary' }, t('fwd.removeRow'));
    const row = h('div', { class: 'header-row' }, h('code', {}, n), ` ${t('fwd.headerSet')} `, drop);
    drop.addEventListener('click', () => {
      removed.add(n);
      row.remove();
    });
    return row;
  });
  const name = h('input', { id: 'fwd-header-name', 'aria-label': t('fwd.headerName'), placeholder: t('fwd.headerName') });
  const value = h('input', {
    id: 'fwd-header-value',
    type: 'password',
    autocomplete: 'new-password',
    'aria-label': t('fwd.headerValue'),
    placeholder: t('fwd.headerValue'),
  });
  const el = h('div', {}, ...existing, h('div', { class: 'header-row' }, name, value));
  return {
    el,
    value: (): Record<string, string | null> => ({
      ...Object.fromEntries([...removed].map((n) => [n, null])),
      ...(name.value.trim() && value.value ? { [name.value.trim()]: value.value } : {}),
    }),
  };
}
