import { loadConfig } from '../config/load.ts';
import { createLogger } from '../core/log.ts';
import { redact } from '../core/redact.ts';
import { type RunningAgent, startAgent } from '../runtime/agent.ts';
import { agentVersion } from '../runtime/identity.ts';
import { defineCommand } from './command.ts';
import { nodeEndOfLifeWarning } from './node-support.ts';
import { untilSignal } from './until-signal.ts';

/**
 * `jifang run CONFIG`: runs until SIGINT/SIGTERM. Alerts go to stdout, one line each; structured logs to stderr.
 */
export const command = defineCommand({
  summary: { args: 'CONFIG', text: 'run the agent with a config file' },
  usage: `usage: jifang run CONFIG

  run the agent: alerts on stdout, one line each; structured logs on stderr (JIFANG_LOG_LEVEL overrides the
  config's logLevel); SIGINT/SIGTERM stop it cleanly (ffmpeg stopped, online:false published, outbox kept)
`,
  positionals: { min: 1, max: 1, missing: 'a CONFIG file' },
  async run({ positionals: [file] }, io) {
    const loaded = loadConfig(file);
    const log = createLogger(process.env.JIFANG_LOG_LEVEL ?? loaded.config.logLevel);
    const oldNode = nodeEndOfLifeWarning(process.version, new Date());
    if (oldNode) log.warn({ node: process.version }, oldNode);
    const version = agentVersion();
    let agent: RunningAgent;
    try {
      agent = await startAgent(loaded, { version, log, onAlert: (_alert, line) => io.out.write(`${line}\n`) });
    } catch (err) {
      log.fatal({ err }, 'agent could not start');
      return 1;
    }
    // Which code runs is the first thing to know about an installed agent: the build (dist/) or the sources.
    const build = import.meta.url.endsWith('.ts') ? 'TypeScript sources' : 'built JavaScript';
    io.err.write(
      `jifang ${version} (${build}, Node ${process.version}) running (box ${agent.boxId}, broker ${redact(agent.brokerUrl)}); alerts appear below, Ctrl-C stops\n`,
    );

    return untilSignal(log, (sig) => agent.stop(sig));
  },
});
