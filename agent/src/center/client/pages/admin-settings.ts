import { ApiError, api } from '../../../web/client/api.ts';
import { h } from '../../../web/client/dom.ts';
import type { CenterConfigView, CenterSettings, EditableSettings, RetentionView } from '../../wire.ts';
import { type Key, t } from '../words.ts';
import { type Check, FieldErrors, field, positive, required } from './admin-form.ts';

const RETENTION: (keyof RetentionView)[] = [
  'eventDays',
  'snapshotDays',
  'snapshotMegabytesPerBox',
  'deadLetterMegabytes',
  'patrolPhotoDays',
  'everyMinutes',
];

interface Row {
  /** The config path: the input's id and where the server's problems for it go. */
  path: string;
  /** The key the save sends. */
  key: string;
  words: string;
  help: string;
  value: string;
  check: Check;
  number: boolean;
  restart: boolean;
}

function rows(s: EditableSettings, restartPaths: readonly string[]): Row[] {
  const num = (path: string, key: string, words: Key, help: Key, value: number): Row => ({
    path,
    key,
    words: t(words),
    help: `${t(help)}；${t('settings.default')}`,
    value: String(value),
    check: positive,
    number: true,
    restart: restartPaths.includes(path),
  });
  return [
    {
      ...num('name', 'name', 'settings.name', 'settings.nameHelp', 0),
      value: s.name,
      check: required,
      number: false,
      help: t('settings.nameHelp'),
    },
    num('mqtt.commandTimeoutSeconds', 'commandTimeoutSeconds', 'settings.commandTimeout', 'settings.timeoutHelp', s.commandTimeoutSeconds),
    { ...num('units', 'units', 'settings.units', 'settings.unitsHelp', 0), value: s.units.join('、'), check: () => null, number: false },
    num('dispatchReminderMinutes', 'dispatchReminderMinutes', 'settings.reminder', 'settings.reminderHelp', s.dispatchReminderMinutes),
    ...RETENTION.map((k) => num(`retention.${k}`, k, `ret.${k}` as Key, `ret.${k}Help` as Key, s.retention[k])),
  ];
}

/** What the form's value is worth to the server: a number, the units as a list, null (the default) when empty. */
function sentValue(r: Row, text: string): unknown {
  if (r.key === 'units')
    return text
      .split(/[、,，]/)
      .map((u) => u.trim())
      .filter(Boolean);
  if (!text.trim()) return null;
  return r.number ? Number(text) : text.trim();
}

/**
 * The center's settings as a form: every retention setting, the reminder, the units, the name and the command's
 * wait, each with its help; what takes effect only at a restart is marked, and said when the file and the running
 * center differ. Broker, archive and users file stay read-only (they are the center's wiring).
 */
export function settingsForm(view: CenterConfigView, facts: CenterSettings, said: (ok: boolean, text: string) => void): HTMLElement {
  const errors = new FieldErrors();
  const list = rows(view.settings, view.restartPaths);
  const running = rows(view.running, view.restartPaths);
  const inputs = list.map((r, i) => {
    const input = h('input', { id: `set-${r.path}`, 'data-path': r.path, value: r.value, type: r.number ? 'number' : 'text', step: 'any' });
    if (r.number) input.min = '0';
    errors.watch(input, r.path, r.check);
    const pending = r.restart && running[i].value !== r.value ? t('settings.pending', { value: r.value }) : null;
    const tag = r.restart ? h('span', { class: 'restart-tag' }, pending ?? t('settings.restart')) : null;
    return { r, input, el: field(r.words, h('span', { class: 'with-tag' }, input, tag), r.help, errors.slot(r.path)) };
  });
  const save = h('button', { type: 'submit', id: 'settings-save' }, t('settings.save'));
  const form = h('form', { id: 'settings-form', class: 'admin-form', novalidate: true }, ...inputs.map((i) => i.el), save);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    errors.clear();
    if (!errors.valid()) return said(false, t('fwd.fix'));
    const body: Record<string, unknown> = { baseSha256: view.sha256 };
    const retention: Record<string, unknown> = {};
    for (const { r, input } of inputs) {
      if (input.value === r.value) continue;
      if (r.path.startsWith('retention.')) retention[r.key] = sentValue(r, input.value);
      else body[r.key] = sentValue(r, input.value);
    }
    if (Object.keys(retention).length) body.retention = retention;
    if (Object.keys(body).length === 1) return said(true, t('settings.nothing'));
    void api<{ restart: string[] }>('PUT', '/api/admin/settings', body).then(
      (res) =>
        said(true, res.restart.length ? t('settings.savedRestart', { what: res.restart.map(wordsOf).join('、') }) : t('settings.saved')),
      (err: unknown) => said(false, refusal(err, errors)),
    );
  });
  return h(
    'section',
    { id: 'settings' },
    h('h2', {}, t('settings.title')),
    h('p', { class: 'muted' }, t('settings.editNote', { file: view.file })),
    form,
    readOnlyFacts(facts),
  );
}

const wordsOf = (path: string) => (path === 'name' ? t('settings.name') : t('settings.commandTimeout'));

/** The server's refusal in words: its problems beside their fields, what has no field in the message. */
export function refusal(err: unknown, errors: FieldErrors): string {
  if (!(err instanceof ApiError)) return t('admin.failed', { error: String(err) });
  const rest = errors.place(err.problems);
  return t('admin.failed', { error: rest.length || !err.problems.length ? err.message : t('fwd.fix') });
}

/** The center's wiring: changed in the config file, taken at a restart. */
export function readOnlyFacts(c: CenterSettings): HTMLElement {
  const facts: [Key, string, string][] = [
    ['settings.broker', 'broker', `${c.broker} · ${c.topicRoot}`],
    ['settings.storage', 'storage', c.storage === 'postgres' ? 'PostgreSQL' : 'SQLite'],
    ['settings.usersFile', 'usersFile', c.usersFile],
  ];
  return h(
    'div',
    { class: 'file-only' },
    h('p', { class: 'muted' }, t('settings.fileOnly')),
    h('dl', { class: 'facts' }, ...facts.flatMap(([k, id, v]) => [h('dt', {}, t(k)), h('dd', { 'data-setting': id }, v)])),
  );
}

/** Without a config file (a test, an embedding): every setting as it runs, read-only. */
export function settingsReadOnly(c: CenterSettings): HTMLElement {
  const r = c.retention;
  const facts: [string, string][] = [
    [t('settings.name'), c.name],
    [t('settings.commandTimeout'), t('settings.seconds', { n: c.commandTimeoutSeconds })],
    [t('settings.units'), c.units.join('、') || '—'],
    [t('settings.reminder'), t('settings.minutes', { n: c.dispatchReminderMinutes })],
    ...RETENTION.map((k): [string, string] => [t(`ret.${k}` as Key), String(r[k])]),
    [t('settings.forwarders'), c.forwarders.map((f) => `${f.name} (${f.url})`).join('；') || '—'],
  ];
  return h(
    'section',
    { id: 'settings' },
    h('h2', {}, t('settings.title')),
    h('p', { class: 'muted' }, t('settings.noFile')),
    h('dl', { class: 'facts', id: 'settings-running' }, ...facts.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
    readOnlyFacts(c),
  );
}
