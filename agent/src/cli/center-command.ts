import { loadCenterConfig } from '../center/config.ts';
import { startCenter } from '../center/service.ts';
import { createLogger } from '../core/log.ts';
import { defineCommand } from './command.ts';
import { untilSignal } from './until-signal.ts';

/** `jifang center CONFIG`: the command center service, until SIGINT/SIGTERM. */
export const command = defineCommand({
  summary: { args: 'CONFIG', text: "run the command center (archive, operators' and dispatchers' console)" },
  usage: `usage: jifang center CONFIG

  run the command center: archives every box's alerts, serves the operators' and dispatchers' console
`,
  positionals: { min: 1, max: 1, missing: 'a CONFIG file' },
  async run({ positionals: [file] }, io) {
    const cfg = loadCenterConfig(file);
    const log = createLogger(process.env.JIFANG_LOG_LEVEL ?? cfg.logLevel);
    let center: Awaited<ReturnType<typeof startCenter>>;
    try {
      center = await startCenter(cfg, log);
    } catch (err) {
      log.fatal({ err: (err as Error).message }, 'command center could not start');
      return 1;
    }
    io.err.write(`jifang center running (instance ${center.instance}, ${center.store.kind}); console at ${center.url}\n`);
    return untilSignal(log, () => center.close());
  },
});
