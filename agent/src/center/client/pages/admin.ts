import { ApiError, api } from '../../../web/client/api.ts';
import { h } from '../../../web/client/dom.ts';
import type { CenterConfigView, CenterSettings } from '../../wire.ts';
import { data } from '../state.ts';
import { type Key, t } from '../words.ts';
import { forwardersSection } from './admin-forwarders.ts';
import { settingsForm, settingsReadOnly } from './admin-settings.ts';
import type { PageView } from './view.ts';

/** The roles of the users file, the center's first (the server checks them against its own list). */
const ROLES = ['operator', 'dispatcher', 'supervisor', 'admin', 'patrol', 'viewer', 'installer'] as const;
type Account = { user: string; role: string };

const holder = h('section', { class: 'card admin', id: 'admin' });
/** The last answer stays on screen across redraws. */
let said: { ok: boolean; text: string } | null = null;

const roleSelect = (id: string, current: string) =>
  h('select', { id }, ...ROLES.map((r) => h('option', { value: r, selected: r === current }, t(`role.${r}` as Key))));

/** Sends one change and draws the list again with what the server said. */
async function change(what: string, method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<void> {
  try {
    await api(method, path, body);
    said = { ok: true, text: t('admin.done', { what }) };
  } catch (err) {
    said = { ok: false, text: t('admin.failed', { error: err instanceof ApiError ? err.message : String(err) }) };
  }
  await draw();
}

function accountRow(a: Account): HTMLElement {
  const path = `/api/admin/users/${encodeURIComponent(a.user)}`;
  const role = roleSelect(`role-${a.user}`, a.role);
  const password = h('input', { type: 'password', autocomplete: 'new-password', id: `password-${a.user}`, minlength: 8 });
  const saveRole = h('button', { type: 'button', class: 'secondary', 'data-save-role': a.user }, t('admin.saveRole'));
  const reset = h('button', { type: 'button', 'data-reset': a.user }, t('admin.reset'));
  const remove = h(
    'button',
    { type: 'button', class: 'secondary', 'data-remove': a.user, disabled: a.user === data.user },
    t('admin.remove'),
  );
  saveRole.addEventListener('click', () => void change(`${a.user} · ${t(`role.${role.value}` as Key)}`, 'PUT', path, { role: role.value }));
  reset.addEventListener('click', () => void change(`${a.user} · ${t('admin.reset')}`, 'PUT', path, { password: password.value }));
  remove.addEventListener('click', () => {
    if (confirm(t('admin.confirmRemove', { user: a.user }))) void change(`${a.user} · ${t('admin.remove')}`, 'DELETE', path);
  });
  return h(
    'tr',
    { 'data-user': a.user },
    h('td', {}, a.user),
    h('td', {}, role, ' ', saveRole),
    h('td', {}, password, ' ', reset),
    h('td', {}, remove),
  );
}

function newAccountForm(): HTMLElement {
  const user = h('input', { id: 'new-user', required: true, maxlength: 64, autocomplete: 'off' });
  const role = roleSelect('new-role', 'operator');
  const password = h('input', { type: 'password', id: 'new-password', required: true, minlength: 8, autocomplete: 'new-password' });
  const form = h(
    'form',
    { class: 'filters', id: 'new-account' },
    h('label', {}, t('admin.user'), user),
    h('label', {}, t('admin.role'), role),
    h('label', {}, t('admin.password'), password),
    h('button', { type: 'submit', id: 'new-submit' }, t('admin.add')),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const body = { user: user.value.trim(), role: role.value, password: password.value };
    void change(`${body.user} · ${t(`role.${body.role}` as Key)}`, 'POST', '/api/admin/users', body);
  });
  return form;
}

/**
 * The answer to a settings or forwarder change: a saved one draws the page again from what the server now has; a
 * refused one leaves the form as typed, its errors beside their fields.
 */
function saidBy(ok: boolean, text: string): void {
  said = { ok, text };
  if (ok) return void draw();
  const p = holder.querySelector('#admin-result') ?? holder.insertBefore(h('p', { id: 'admin-result', role: 'status' }), holder.firstChild);
  p.className = 'error';
  p.textContent = text;
}

/** The settings and forwarders as forms when the center has its config file, read-only otherwise. */
async function settingsPart(settings: CenterSettings): Promise<HTMLElement[]> {
  try {
    const view = await api<CenterConfigView>('GET', '/api/admin/config');
    return [settingsForm(view, settings, saidBy), forwardersSection(view, saidBy)];
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 409) throw err;
    // No config file: said in words by the read-only view; a file that fails its own check: the server's problems.
    const problems = err.problems.map((p) => h('li', {}, `${p.path}: ${p.message}`));
    return [
      ...(problems.length ? [h('p', { class: 'error' }, err.message), h('ul', { class: 'error' }, ...problems)] : []),
      settingsReadOnly(settings),
    ];
  }
}

async function draw(): Promise<void> {
  const [{ users }, settings] = await Promise.all([
    api<{ users: Account[] }>('GET', '/api/admin/users'),
    api<CenterSettings>('GET', '/api/admin/settings'),
  ]);
  const head = h('tr', {}, ...(['admin.user', 'admin.role', 'admin.password', 'admin.remove'] as const).map((k) => h('th', {}, t(k))));
  holder.replaceChildren(
    ...(said ? [h('p', { id: 'admin-result', class: said.ok ? 'ok' : 'error', role: 'status' }, said.text)] : []),
    h('h2', {}, t('admin.users')),
    h('p', { class: 'muted' }, t('admin.note')),
    h('h3', {}, t('admin.newUser')),
    newAccountForm(),
    h('table', { class: 'queue', id: 'accounts' }, h('thead', {}, head), h('tbody', {}, ...users.map(accountRow))),
    ...(await settingsPart(settings)),
  );
}

/**
 * Accounts and roles for an admin: add one, change a role, reset a password, remove one; the center's settings and its
 * forwarders, edited in its config file and applied live. The server audits each change.
 */
export const adminPage: PageView = {
  render(main) {
    if (main.firstChild === holder) return;
    main.replaceChildren(holder);
    void draw().catch((err: unknown) => holder.replaceChildren(h('p', { class: 'error' }, (err as Error).message)));
  },
};
