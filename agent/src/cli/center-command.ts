import { loadCenterConfig } from '../center/config.ts';
import { startCenter } from '../center/service.ts';
import { createLogger } from '../core/log.ts';
import { centerCategories } from './center-categories.ts';
import { deadLettersCommand } from './center-dead-letters.ts';
import { defineCommand, UsageError } from './command.ts';
import { untilSignal } from './until-signal.ts';

/** `jifang center CONFIG`: the command center service, until SIGINT/SIGTERM. */
export const command = defineCommand({
  summary: { args: 'CONFIG', text: "run the command center (archive, operators' and dispatchers' console)" },
  usage: `usage: jifang center CONFIG
       jifang center dead-letters CONFIG [replay ID]

  run the command center: archives every box's alerts, serves the operators' and dispatchers' console
  dead-letters: list the messages the archive refused (kept whole), or replay one once the cause is fixed
`,
  positionals: { min: 1, max: 4, missing: 'a CONFIG file' },
  async run({ positionals }, io) {
    const deadLetters = positionals[0] === 'dead-letters';
    const [file, ...rest] = deadLetters ? positionals.slice(1) : positionals;
    if (file === undefined) throw new UsageError('expected a CONFIG file');
    if (!deadLetters && rest.length) throw new UsageError(`unexpected argument "${rest[0]}"`);
    const cfg = loadCenterConfig(file);
    const log = createLogger(process.env.JIFANG_LOG_LEVEL ?? cfg.logLevel);
    if (deadLetters) return deadLettersCommand(cfg, rest, log, io);
    let center: Awaited<ReturnType<typeof startCenter>>;
    try {
      center = await startCenter(cfg, log, { categories: centerCategories() });
    } catch (err) {
      log.fatal({ err }, 'command center could not start');
      return 1;
    }
    io.err.write(`jifang center running (instance ${center.instance}, ${center.store.kind}); console at ${center.url}\n`);
    return untilSignal(log, () => center.close());
  },
});
