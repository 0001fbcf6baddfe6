import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { publishedSchemas } from '../../agent/src/cli/published-schemas.ts';
import { projectRoot } from '../helpers/paths.ts';

test('the JSON Schemas committed in schemas/ are the ones generated from the zod types (run `jifang schema --out schemas`)', () => {
  const generated = publishedSchemas();
  const dir = join(projectRoot, 'schemas');
  expect(readdirSync(dir).sort()).toEqual(Object.keys(generated).sort());
  for (const [file, schema] of Object.entries(generated)) {
    expect(JSON.parse(readFileSync(join(dir, file), 'utf8')), file).toEqual(JSON.parse(JSON.stringify(schema)));
  }
});
