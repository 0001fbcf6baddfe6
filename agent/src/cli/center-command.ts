import { loadCenterConfig } from '../center/config.ts';
import { startCenter } from '../center/service.ts';
import { createLogger } from '../core/log.ts';
import { centerCategories } from './center-categories.ts';
import { deadLettersCommand } from './center-dead-letters.ts';
import { centerHealthcheck } from './center-healthcheck.ts';
import { unitsCommand } from './center-units.ts';
import { defineCommand, UsageError } from './command.ts';
import { untilSignal } from './until-signal.ts';

/** `jifang center CONFIG`: the command center service, until SIGINT/SIGTERM. */
export const command = defineCommand({
  summary: { args: 'CONFIG', text: "run the command center (archive, operators' and dispatchers' console)" },
  usage: `usage: jifang center CONFIG
       jifang center dead-letters CONFIG [replay ID]
       jifang center units CONFIG [list | put ID FILE | delete ID]
       jifang center healthcheck CONFIG

  run the command center: archives every box's alerts, serves the operators' and dispatchers' console
  dead-letters: list the messages the archive refused (kept whole), or replay one once the cause is fixed
  units: list the patrol units, create or replace one from a YAML/JSON file, or delete one
  healthcheck: exit 0 if the running center of CONFIG answers /healthz with ok (container health checks)
`,
  positionals: { min: 1, max: 5, missing: 'a CONFIG file' },
  async run({ positionals }, io) {
    const sub = ['dead-letters', 'units', 'healthcheck'].includes(positionals[0]) ? positionals[0] : null;
    const [file, ...rest] = sub ? positionals.slice(1) : positionals;
    if (file === undefined) throw new UsageError('expected a CONFIG file');
    if ((!sub || sub === 'healthcheck') && rest.length) throw new UsageError(`unexpected argument "${rest[0]}"`);
    const cfg = loadCenterConfig(file);
    if (sub === 'healthcheck') return centerHealthcheck(cfg, io);
    const log = createLogger(process.env.JIFANG_LOG_LEVEL ?? cfg.logLevel);
    if (sub === 'dead-letters') return deadLettersCommand(cfg, rest, log, io);
    if (sub === 'units') return unitsCommand(cfg, rest, log, io);
    let center: Awaited<ReturnType<typeof startCenter>>;
    try {
      center = await startCenter(cfg, log, { categories: centerCategories(), configFile: file });
    } catch (err) {
      log.fatal({ err }, 'command center could not start');
      return 1;
    }
    io.err.write(`jifang center running (instance ${center.instance}, ${center.store.kind}); console at ${center.url}\n`);
    return untilSignal(log, () => center.close());
  },
});
