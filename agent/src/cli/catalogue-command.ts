import { ruleParameters } from '../catalogue/expand.ts';
import { builtinCatalogue, type Catalogue, type CatalogueEvent } from '../catalogue/load.ts';
import { type ModelLabels, presetRule, serving } from '../catalogue/serve.ts';
import { loadConfig } from '../config/load.ts';
import { verifyModels } from '../config/models.ts';
import type { RuleConfig } from '../rules/config.ts';
import { ruleKind } from '../rules/kinds/index.ts';
import { defineCommand, UserError } from './command.ts';

const USAGE = `usage: jifang catalogue [CONFIG]

  Prints the event catalogue: each event type's id, names, codes (GB/T 47678.5, the older city-system code,
  Dahua's) and how jifang decides it (its preset). With CONFIG: the catalogue as the config's own file corrects
  it, which presets the config's models (all of them together) can serve, and what each configured rule reports.
`;

/** `jifang catalogue [CONFIG]`. */
export const command = defineCommand({
  summary: { args: '[CONFIG]', text: 'the event catalogue (types, codes, presets); with CONFIG, which its model can serve' },
  usage: USAGE,
  positionals: { max: 1 },
  async run({ positionals }, io) {
    const file = positionals[0];
    let catalogue: Catalogue;
    let models: ModelLabels[] | undefined;
    let rules: { where: string; rule: RuleConfig; models: ModelLabels[] }[] = [];
    if (file) {
      const loaded = loadConfig(file);
      catalogue = loaded.catalogue;
      const verified = await verifyModels(loaded.config).catch((err: Error) => {
        throw new UserError(`${file}: ${err.message}`);
      });
      // A model is named by its manifest when it is the only one, else by the name cameras list it by.
      const all = verified.map((m) => ({
        key: m.name,
        name: verified.length === 1 ? m.manifestName : `${m.name} (${m.manifestName})`,
        labels: new Set(m.labels.map((l) => m.labelMap[l] ?? l)),
      }));
      models = all;
      rules = loaded.config.cameras.flatMap((c) => {
        const own = all.filter((m) => c.models.includes(m.key));
        return c.zones.flatMap((z) => z.rules.map((rule) => ({ where: `${c.id}/${z.id}/${rule.id}`, rule, models: own })));
      });
    } else {
      catalogue = builtinCatalogue();
    }
    io.out.write(formatCatalogue(catalogue, models));
    if (models && rules.length > 0) {
      io.out.write(`\nRules of ${file}:\n`);
      for (const { where, rule, models: own } of rules) {
        const e = catalogue.eventOf(rule);
        const s = serving(rule, own);
        io.out.write(`  ${where}: ${rule.type} → ${e.id} ${e.name.zh}${e.codes.gbt ? ` (${e.codes.gbt.code})` : ''}: ${servingWords(s)}\n`);
      }
    }
    return 0;
  },
});

export function formatCatalogue(catalogue: Catalogue, models?: readonly ModelLabels[]): string {
  const header = ['id', '名称', 'name', 'GB/T', 'city', 'Dahua', 'decided by', 'labels needed'];
  if (models) header.push(`served by ${models.map((m) => m.name).join(', ')}`);
  const rows = catalogue.events.map((e) => row(e, models));
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : pad(c, widths[i])))
      .join('  ')
      .trimEnd();
  const sources = [...new Set(catalogue.events.flatMap((e) => Object.values(e.codes).map((c) => c!.source)))];
  return [
    `Event catalogue ${catalogue.version} (${catalogue.standard}; ${catalogue.files.join(' + ')})`,
    line(header),
    ...rows.map(line),
    '',
    "Codes: none was checked against the standard's (or vendor's) own text. Sources:",
    ...sources.map((s) => `  ${s}: ${catalogue.sourceText(s)}`),
    '',
  ].join('\n');
}

function row(e: CatalogueEvent, models: readonly ModelLabels[] | undefined): string[] {
  const rule = presetRule(e);
  const code = (c?: { code: string; name?: string }) => (c ? c.code + (c.name ? ` ${c.name}` : '') : '—');
  const cells = [
    e.id,
    e.name.zh,
    e.name.en,
    code(e.codes.gbt),
    code(e.codes.legacy),
    code(e.codes.dahua),
    rule ? decidedBy(e, rule) : 'no preset',
    rule ? needsWords(rule) : '—',
  ];
  if (models) cells.push(rule ? servingWords(serving(rule, models)) : '—');
  return cells;
}

function decidedBy(e: CatalogueEvent, rule: RuleConfig): string {
  const shown = ruleParameters(rule.type).filter((k) => k in e.preset!.params && k !== 'labels');
  return `${rule.type}${shown.length ? ` ${shown.map((k) => `${k}=${JSON.stringify(e.preset!.params[k])}`).join(' ')}` : ''}`;
}

function needsWords(rule: RuleConfig): string {
  const group = (g: readonly string[]) => (g.length > 3 ? `${g.slice(0, 3).join('|')}|…` : g.join('|'));
  const needs = serving(rule, []).missing.map(group);
  // A stall may be goods detections or static foreground: the goods labels are then an alternative, not a need.
  if (rule.type === 'street_vending' && rule.stall === 'either') needs.unshift(`(${group(rule.labels)} or static foreground)`);
  else if (ruleKind(rule).usesForeground?.(rule)) needs.unshift('static foreground');
  return needs.join(' + ');
}

function servingWords(s: ReturnType<typeof serving>): string {
  if (s.modelFree) return 'yes (model-free)';
  if (s.ok) return 'yes';
  return `no: no model knows ${s.missing.map((g) => g.join(' or ')).join(', nor ')}`;
}

/** CJK characters take two columns in a terminal. */
function width(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  return w;
}

function pad(s: string, w: number): string {
  return s + ' '.repeat(Math.max(0, w - width(s)));
}
