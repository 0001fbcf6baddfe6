import { loadCenterConfig } from '../center/config.ts';
import { startCenter } from '../center/service.ts';
import { ConfigError } from '../core/errors.ts';
import { createLogger } from '../core/log.ts';

/** `jifang center CONFIG`: the command center service, until SIGINT/SIGTERM. */
export async function centerCommand(argv: string[]): Promise<number> {
  const [file] = argv;
  if (!file || argv.length > 1) {
    process.stderr.write('usage: jifang center CONFIG\n');
    return 2;
  }
  let cfg;
  try {
    cfg = loadCenterConfig(file);
  } catch (err) {
    process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).message}\n`);
    return 1;
  }
  const log = createLogger(process.env.JIFANG_LOG_LEVEL ?? cfg.logLevel);
  let center;
  try {
    center = await startCenter(cfg, log);
  } catch (err) {
    log.fatal({ err: (err as Error).message }, 'command center could not start');
    return 1;
  }
  process.stderr.write(`jifang center running (instance ${center.instance}, ${center.store.kind}); console at ${center.url}\n`);
  return new Promise<number>((resolve) => {
    const stop = () => {
      center
        .close()
        .then(() => resolve(0))
        .catch((err: unknown) => {
          log.error({ err: (err as Error).message }, 'shutdown failed');
          resolve(1);
        });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
