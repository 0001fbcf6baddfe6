import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadCenterConfig } from '../center/config.ts';
import { type Center, startCenter } from '../center/service.ts';
import { loadConfig } from '../config/load.ts';
import { createLogger } from '../core/log.ts';
import { CREDENTIALS_FILE as EMBEDDED_CREDENTIALS_FILE } from '../publish/embedded-broker.ts';
import { startAgent } from '../runtime/agent.ts';
import { agentVersion } from '../runtime/identity.ts';
import { readUsersFile, setPassword } from '../web/passwords.ts';
import { defineCommand } from './command.ts';
import { untilSignal } from './until-signal.ts';

const DEMO_USERS = [
  ['operator', 'operator'],
  ['dispatcher', 'dispatcher'],
  ['supervisor', 'supervisor'],
  ['admin', 'admin'],
  // The officer of the demo's patrol unit (configs/center-demo.yaml), on the phone page /patrol.
  ['patrol', 'patrol'],
] as const;

/**
 * `jifang demo AGENT_CONFIG CENTER_CONFIG` (what `npm start` runs): the agent on the demo street with its embedded
 * broker, and the command center on that broker, so a newcomer sees alerts arrive in the console and can dispatch.
 */
export const command = defineCommand({
  summary: { args: 'AGENT CENTER', text: 'the demo: the agent on its embedded broker and the command center (npm start)' },
  usage: `usage: jifang demo AGENT_CONFIG CENTER_CONFIG

  the agent on the demo street with its embedded broker, and the command center on that broker (what npm start runs)
`,
  positionals: { min: 2, max: 2, missing: 'AGENT_CONFIG and CENTER_CONFIG' },
  async run({ positionals: [agentFile, centerFile] }, io) {
    const loaded = loadConfig(agentFile);
    const centerCfg = loadCenterConfig(centerFile);
    const log = createLogger(process.env.JIFANG_LOG_LEVEL ?? loaded.config.logLevel);
    const agent = await startAgent(loaded, { version: agentVersion(), log, onAlert: (_a, line) => io.out.write(`${line}\n`) }).catch(
      (err: Error) => {
        log.fatal({ err }, 'agent could not start');
        return null;
      },
    );
    if (!agent) return 1;
    const logins = await makeDemoUsers(centerCfg.users);
    let center: Center;
    try {
      // The embedded broker admits only the credentials it generated: the center logs in as its operator.
      const operator = embeddedOperator(loaded.config.dataDir);
      center = await startCenter({ ...centerCfg, mqtt: { ...centerCfg.mqtt, url: agent.brokerUrl, ...operator } }, log);
    } catch (err) {
      log.fatal({ err }, 'command center could not start');
      await agent.stop('SIGTERM');
      return 1;
    }
    io.err.write(
      [
        `jifang ${agentVersion()} demo: box ${agent.boxId} on broker ${agent.brokerUrl}; alerts appear below, Ctrl-C stops`,
        `command center console: ${center.url}  (users: ${DEMO_USERS.map(([u]) => u).join(', ')} in ${centerCfg.users})`,
        `patrol officer's phone page: ${center.url}/patrol  (user patrol, unit patrol-1)`,
        ...(logins.length
          ? [`demo logins made (note them; add more with "jifang passwd ${centerCfg.users} USER --role ROLE"): ${logins.join(', ')}`]
          : []),
        '',
      ].join('\n'),
    );
    return untilSignal(log, (sig) => center.close().then(() => agent.stop(sig)));
  },
});

/** Makes the demo users the file lacks (a file from an older demo gets the new roles too); their logins, to print. */
async function makeDemoUsers(file: string): Promise<string[]> {
  mkdirSync(dirname(file), { recursive: true });
  const have = new Set((await readUsersFile(file)).map((u) => u.user));
  const logins: string[] = [];
  for (const [user, role] of DEMO_USERS) {
    if (have.has(user)) continue;
    const password = randomBytes(6).toString('base64url');
    await setPassword(file, user, role, password);
    logins.push(`${user} / ${password}`);
  }
  return logins;
}

/** The operator login of the agent's embedded broker (made at its first start). */
function embeddedOperator(dataDir: string): { username: string; password: string } {
  const creds = JSON.parse(readFileSync(join(dataDir, EMBEDDED_CREDENTIALS_FILE), 'utf8')) as {
    operator: { username: string; password: string };
  };
  return creds.operator;
}
