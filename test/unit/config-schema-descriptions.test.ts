import { expect, test } from 'vitest';
import { publishedSchemas } from '../../agent/src/cli/published-schemas.ts';

type Json = { [key: string]: unknown };

const isJson = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Every property path of a JSON Schema, with whether an editor has a description to show for it. A branch of a
 * union is named by the constant its discriminator (`type`, `kind`, `preset`) takes, so a missing description of one
 * rule type's field names that rule type.
 */
function fieldPaths(root: Json): { path: string; described: boolean }[] {
  const defs = isJson(root.$defs) ? root.$defs : {};
  const resolve = (s: Json): Json => {
    const ref = typeof s.$ref === 'string' ? s.$ref : undefined;
    const target = ref?.startsWith('#/$defs/') ? defs[ref.slice('#/$defs/'.length)] : undefined;
    return isJson(target) ? { ...target, ...s } : s;
  };
  const out = new Map<string, boolean>();
  const seenRefs = new Set<string>();
  const walk = (node: unknown, path: string): void => {
    if (!isJson(node)) return;
    // A definition is walked once: a recursive one (the forwarder template's JSON value) would never end.
    if (typeof node.$ref === 'string') {
      if (seenRefs.has(node.$ref)) return;
      seenRefs.add(node.$ref);
    }
    const s = resolve(node);
    if (isJson(s.properties)) {
      for (const [key, prop] of Object.entries(s.properties)) {
        const p = path ? `${path}.${key}` : key;
        const described =
          isJson(prop) && typeof resolve(prop).description === 'string' && (resolve(prop).description as string).trim() !== '';
        out.set(p, (out.get(p) ?? true) && described);
        walk(prop, p);
      }
    }
    if (isJson(s.items)) walk(s.items, `${path}[]`);
    if (Array.isArray(s.prefixItems)) s.prefixItems.forEach((item, i) => walk(item, `${path}[${i}]`));
    if (isJson(s.additionalProperties)) walk(s.additionalProperties, `${path}.*`);
    for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
      const branches = s[key];
      if (!Array.isArray(branches)) continue;
      for (const branch of branches) walk(branch, `${path}${branchName(resolve(branch as Json))}`);
    }
  };
  walk(root, '');
  return [...out].map(([path, described]) => ({ path, described }));
}

function branchName(branch: Json): string {
  const props = isJson(branch.properties) ? branch.properties : {};
  for (const key of ['type', 'kind', 'preset']) {
    const p = props[key];
    if (isJson(p) && typeof p.const === 'string') return `<${key}=${p.const}>`;
    if (isJson(p) && key === 'preset' && Array.isArray(p.enum)) return '<preset>';
  }
  return '';
}

const schemas = publishedSchemas();

test.each([
  ['jifang.config-1.schema.json', ['site.location.lat', 'cameras[].zones[].rules[]<type=street_vending>.peopleGap', 'mqtt.password.env']],
  ['jifang.center-config-1.schema.json', ['storage<kind=postgres>.poolSize', 'forwarders[].template', 'map.center.lon']],
])('every field of %s has a description an editor shows (the lead fills in any a merge brings without one)', (file, expected) => {
  const paths = fieldPaths(schemas[file] as Json);
  // The walk reaches into arrays, unions and nested objects: the fields named here are deep in the tree.
  expect(paths.map((p) => p.path)).toEqual(expect.arrayContaining(expected));
  expect(paths.filter((p) => !p.described).map((p) => p.path)).toEqual([]);
});
