import { describe, expect, it } from 'vitest';
import {
  changeYaml,
  type ForwarderEdit,
  forwarderFromEdit,
  rawConfig,
  redactForwarder,
  settingsChanges,
} from '../../../agent/src/center/settings-edit.ts';
import { rowsTemplate, templateRows } from '../../../agent/src/center/template-rows.ts';

const FILE = `# the city's center
forwarders:
  - id: city # the 城管 platform
    url: https://bot:pw-9@platform.example/in?key=k
    token: tok-1
    headers: { X-Api-Key: key-2 }
    retryMinSeconds: 5
`;

const edit = (over: Partial<ForwarderEdit> = {}): ForwarderEdit => ({
  id: 'city',
  name: '城管平台',
  url: 'https://bot:***@platform.example/in?key=k',
  enabled: true,
  states: ['started'],
  categories: null,
  template: null,
  headers: {},
  token: { keep: true },
  ...over,
});

describe("a forwarder's form over the file", () => {
  const before = (rawConfig(FILE).forwarders as Record<string, unknown>[])[0];

  it('keeps the secrets the page never saw (token, header value, URL password) and the fields the form does not show', () => {
    const next = forwarderFromEdit(edit(), before);
    expect(next).toMatchObject({ url: 'https://bot:pw-9@platform.example/in?key=k', token: 'tok-1', headers: { 'X-Api-Key': 'key-2' } });
    expect(next.retryMinSeconds).toBe(5);
  });

  it('removes a token and a header when asked, and disables without losing anything else', () => {
    const next = forwarderFromEdit(edit({ token: null, headers: { 'X-Api-Key': null }, enabled: false }), before);
    expect(next).not.toHaveProperty('token');
    expect(next).not.toHaveProperty('headers');
    expect(next.enabled).toBe(false);
  });

  it('is audited with where its secrets come from, never their values', () => {
    const text = JSON.stringify(redactForwarder(before));
    expect(text).not.toMatch(/tok-1|key-2|pw-9/);
    expect(text).toContain('"token":{"kind":"inline"}');
  });

  it('is written with the comments of the file kept', () => {
    const next = forwarderFromEdit(edit({ categories: ['street_vending'] }), before);
    const text = changeYaml(FILE, [{ path: ['forwarders'], value: [next] }]);
    expect(text).toContain("# the city's center");
    expect(text).toContain('- id: city # the 城管 platform');
    expect(text).toMatch(/categories:\n\s+- street_vending/);
  });
});

describe('the settings form', () => {
  it('changes only what it names; an emptied field goes back to its default', () => {
    const text = 'retention:\n  snapshotDays: 90 # city rule\ndispatchReminderMinutes: 20\n';
    const changes = settingsChanges({ baseSha256: '0'.repeat(64), dispatchReminderMinutes: null, retention: { eventDays: 400 } });
    expect(changeYaml(text, changes)).toBe('retention:\n  snapshotDays: 90 # city rule\n  eventDays: 400\n');
  });
});

describe("a template's rows", () => {
  it('go back to the same template, lists and value types included', () => {
    const template = { msgtype: 'text', text: { content: '{{address}}' }, at: { atMobiles: ['138', '139'], isAtAll: false }, n: 3 };
    const rows = templateRows(template);
    expect(rows).toContainEqual(['text.content', '{{address}}']);
    expect(rows).toContainEqual(['at.atMobiles.1', '139']);
    expect(rowsTemplate(rows)).toEqual(template);
  });
});
