/**
 * A forwarder's body template as rows a person edits in a form: each leaf is one row, named by its dotted path
 * (`text.content`), its value the text with `{{path}}` placeholders. Pure, shared by the admin page and the server.
 */
export type TemplateRow = [string, unknown];

export function templateRows(template: unknown): TemplateRow[] {
  const rows: TemplateRow[] = [];
  const walk = (v: unknown, path: string) => {
    const isTree = v !== null && typeof v === 'object' && Object.keys(v).length > 0;
    if (!isTree) return void rows.push([path, v]);
    for (const [k, child] of Object.entries(v)) walk(child, path ? `${path}.${k}` : k);
  };
  walk(template, '');
  return rows;
}

/** The template the rows make: a level whose keys are 0, 1, … in order is a list. Later rows win over earlier ones. */
export function rowsTemplate(rows: readonly TemplateRow[]): unknown {
  if (rows.length === 1 && rows[0][0] === '') return rows[0][1];
  const root: Record<string, unknown> = {};
  for (const [path, value] of rows) {
    const keys = path.split('.');
    let node = root;
    keys.slice(0, -1).forEach((k) => {
      const next = node[k];
      node = (next !== null && typeof next === 'object' ? next : (node[k] = {})) as Record<string, unknown>;
    });
    node[keys[keys.length - 1]] = value;
  }
  const lists = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') return v;
    const entries = Object.entries(v).map(([k, c]) => [k, lists(c)] as const);
    return entries.length > 0 && entries.every(([k], i) => k === String(i)) ? entries.map(([, c]) => c) : Object.fromEntries(entries);
  };
  return lists(root);
}
