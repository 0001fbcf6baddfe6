import { loadConfig } from '../config/load.ts';
import { ConfigError } from '../core/errors.ts';
import { createLogger } from '../core/log.ts';
import { startAgent } from '../runtime/agent.ts';
import { agentVersion } from '../runtime/identity.ts';
import { redact } from '../core/redact.ts';

/**
 * `jifang run CONFIG`: runs until SIGINT/SIGTERM. Alerts go to stdout, one line each; structured logs to stderr.
 */
export async function runCommand(argv: string[]): Promise<number> {
  const [file] = argv;
  if (!file || argv.length > 1) {
    process.stderr.write('usage: jifang run CONFIG\n');
    return 2;
  }
  let loaded;
  try {
    loaded = loadConfig(file);
  } catch (err) {
    process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).message}\n`);
    return 1;
  }
  const log = createLogger(process.env.JIFANG_LOG_LEVEL ?? loaded.config.logLevel);
  const version = agentVersion();
  let agent;
  try {
    agent = await startAgent(loaded, { version, log, onAlert: (_alert, line) => process.stdout.write(`${line}\n`) });
  } catch (err) {
    log.fatal({ err: (err as Error).message }, 'agent could not start');
    return 1;
  }
  process.stderr.write(`jifang ${version} running (box ${agent.boxId}, broker ${redact(agent.brokerUrl)}); alerts appear below, Ctrl-C stops\n`);

  return new Promise<number>((resolve) => {
    let signals = 0;
    const onSignal = (sig: NodeJS.Signals) => {
      if (++signals > 1) {
        log.warn({ signal: sig }, 'second signal: exiting without a clean shutdown');
        process.exit(130);
      }
      agent
        .stop(sig)
        .then(() => resolve(0))
        .catch((err: unknown) => {
          log.error({ err: (err as Error).message }, 'shutdown failed');
          resolve(1);
        });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
