import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineCommand } from './command.ts';
import { publishedSchemas } from './published-schemas.ts';

/**
 * `jifang schema [--out DIR]`: writes the JSON Schemas consumers validate against (one file per payload),
 * or prints the alert schema when no directory is given.
 */
export const command = defineCommand({
  summary: { args: '[--out DIR]', text: 'JSON Schemas of the alert, health, status, commands, dataset manifest and config' },
  usage: `usage: jifang schema [--out DIR]

  print the alert's JSON Schema (jifang.event/1), or with --out write every published schema into DIR:
  the alert, health, status, commands, command results and the config
`,
  options: { out: { type: 'string' } },
  positionals: { max: 0 },
  async run({ values }, io) {
    const schemas = publishedSchemas();
    if (values.out === undefined) {
      io.out.write(`${JSON.stringify(schemas['jifang.event-1.schema.json'], null, 2)}\n`);
      return 0;
    }
    mkdirSync(values.out, { recursive: true });
    for (const [name, schema] of Object.entries(schemas)) {
      writeFileSync(join(values.out, name), `${JSON.stringify(schema, null, 2)}\n`);
      io.out.write(`wrote ${join(values.out, name)}\n`);
    }
    return 0;
  },
});
