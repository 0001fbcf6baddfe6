import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { publishedSchemas } from './published-schemas.ts';

/**
 * `jifang schema [--out DIR]`: writes the JSON Schemas consumers validate against (one file per payload),
 * or prints the alert schema when no directory is given.
 */
export async function schemaCommand(argv: string[]): Promise<number> {
  const outIdx = argv.indexOf('--out');
  if (outIdx === -1) {
    process.stdout.write(`${JSON.stringify(publishedSchemas()['jifang.event-1.schema.json'], null, 2)}\n`);
    return 0;
  }
  const dir = argv[outIdx + 1];
  if (!dir) {
    process.stderr.write('usage: jifang schema [--out DIR]\n');
    return 2;
  }
  mkdirSync(dir, { recursive: true });
  for (const [name, schema] of Object.entries(publishedSchemas())) {
    writeFileSync(join(dir, name), `${JSON.stringify(schema, null, 2)}\n`);
    process.stdout.write(`wrote ${join(dir, name)}\n`);
  }
  return 0;
}
