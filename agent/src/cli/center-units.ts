import type { CenterConfig } from '../center/config.ts';
import { unitIdSchema, unitSpecSchema } from '../center/patrol/schema.ts';
import { memberConflict } from '../center/patrol/units.ts';
import { openStore } from '../center/service.ts';
import { ConfigError, problemsFromZod } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { parseYaml, readConfigFile } from '../core/yaml-file.ts';
import { type Io, UsageError, UserError } from './command.ts';

const USAGE = 'expected "units CONFIG" (list), "units CONFIG put ID FILE" (a YAML or JSON unit) or "units CONFIG delete ID"';

/**
 * `jifang center units CONFIG [list | put ID FILE | delete ID]`: the patrol units in the archive, for automation on
 * the server — the same as the admin's API. Every change is logged as an audit line.
 */
export async function unitsCommand(cfg: CenterConfig, args: string[], log: Logger, io: Io): Promise<number> {
  const [action = 'list', id, file, ...extra] = args;
  const arity = { list: 0, put: 2, delete: 1 }[action];
  const given = [id, file].filter((x) => x !== undefined).length;
  if (arity === undefined || extra.length || given !== arity) throw new UsageError(USAGE);
  if (id !== undefined && !unitIdSchema.safeParse(id).success)
    throw new UsageError(`expected a unit id of lower-case letters, digits, "-" or "_", not "${id}"`);
  const spec = action === 'put' && file ? readUnitFile(file) : null;
  const store = await openStore(cfg);
  try {
    if (action === 'list') {
      for (const u of await store.patrol.listUnits())
        io.out.write(`${u.id}\t${u.kind}\t${u.name}\tmembers: ${u.members.join(',') || '-'}\tarea rings: ${u.area.length}\n`);
      return 0;
    }
    if (spec && id) {
      const conflict = memberConflict(await store.patrol.listUnits(), id, spec.members);
      if (conflict) throw new UserError(`${file}: ${conflict}`);
      const r = await store.patrol.putUnit({ ...spec, id, updatedAt: Date.now() });
      log.info({ audit: { action: 'unit-put', unit: id, outcome: r, by: 'cli' } }, 'center units audit');
      io.out.write(`unit ${id} ${r}\n`);
      return 0;
    }
    if (id && (await store.patrol.listOrders({ unit: id, open: true, limit: 1 })).length)
      throw new UserError(`unit ${id} has open work orders: reassign or close them first`);
    const gone = id !== undefined && (await store.patrol.deleteUnit(id, Date.now()));
    if (gone) log.info({ audit: { action: 'unit-delete', unit: id, by: 'cli' } }, 'center units audit');
    io.out.write(gone ? `unit ${id} deleted\n` : `no unit ${id}\n`);
    return gone ? 0 : 1;
  } finally {
    await store.close();
  }
}

function readUnitFile(file: string) {
  const { doc } = parseYaml(readConfigFile(file), file);
  const raw: unknown = doc.toJS() ?? {};
  const parsed = unitSpecSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(file, problemsFromZod(parsed.error.issues, raw));
  return parsed.data;
}
