import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadCenterConfig } from '../center/config.ts';
import { startCenter, type Center } from '../center/service.ts';
import { loadConfig } from '../config/load.ts';
import { ConfigError } from '../core/errors.ts';
import { createLogger } from '../core/log.ts';
import { startAgent } from '../runtime/agent.ts';
import { agentVersion } from '../runtime/identity.ts';
import { setPassword } from '../web/passwords.ts';

const DEMO_USERS = [
  ['operator', 'operator'],
  ['dispatcher', 'dispatcher'],
  ['admin', 'admin'],
] as const;

/**
 * `jifang demo AGENT_CONFIG CENTER_CONFIG` (what `npm start` runs): the agent on the demo street with its embedded
 * broker, and the command center on that broker, so a newcomer sees alerts arrive in the console and can dispatch.
 */
export async function demoCommand(argv: string[]): Promise<number> {
  const [agentFile, centerFile] = argv;
  if (!agentFile || !centerFile || argv.length > 2) {
    process.stderr.write('usage: jifang demo AGENT_CONFIG CENTER_CONFIG\n');
    return 2;
  }
  let loaded;
  let centerCfg;
  try {
    loaded = loadConfig(agentFile);
    centerCfg = loadCenterConfig(centerFile);
  } catch (err) {
    process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).message}\n`);
    return 1;
  }
  const log = createLogger(process.env.JIFANG_LOG_LEVEL ?? loaded.config.logLevel);
  const agent = await startAgent(loaded, { version: agentVersion(), log, onAlert: (_a, line) => process.stdout.write(`${line}\n`) }).catch((err: Error) => {
    log.fatal({ err: err.message }, 'agent could not start');
    return null;
  });
  if (!agent) return 1;
  const logins: string[] = [];
  if (!existsSync(centerCfg.users)) {
    mkdirSync(dirname(centerCfg.users), { recursive: true });
    for (const [user, role] of DEMO_USERS) {
      const password = randomBytes(6).toString('base64url');
      await setPassword(centerCfg.users, user, role, password);
      logins.push(`${user} / ${password}`);
    }
  }
  let center: Center;
  try {
    center = await startCenter({ ...centerCfg, mqtt: { ...centerCfg.mqtt, url: agent.brokerUrl } }, log);
  } catch (err) {
    log.fatal({ err: (err as Error).message }, 'command center could not start');
    await agent.stop('SIGTERM');
    return 1;
  }
  process.stderr.write(
    [
      `jifang ${agentVersion()} demo: box ${agent.boxId} on broker ${agent.brokerUrl}; alerts appear below, Ctrl-C stops`,
      `command center console: ${center.url}  (users: ${DEMO_USERS.map(([u]) => u).join(', ')} in ${centerCfg.users})`,
      ...(logins.length ? [`first start, demo logins made (note them; add more with "jifang passwd ${centerCfg.users} USER --role ROLE"): ${logins.join(', ')}`] : []),
      '',
    ].join('\n'),
  );
  return new Promise<number>((resolve) => {
    let signals = 0;
    const onSignal = (sig: NodeJS.Signals) => {
      if (++signals > 1) process.exit(130);
      center
        .close()
        .then(() => agent.stop(sig))
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
