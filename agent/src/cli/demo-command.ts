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
import { type Role, readUsersFile, setPassword } from '../web/passwords.ts';
import { centerCategories } from './center-categories.ts';
import { defineCommand } from './command.ts';
import { untilSignal } from './until-signal.ts';

/** The box console's demo logins: the installer draws zones and rules and calibrates, the admin as well. */
const BOX_USERS = [
  ['installer', 'installer'],
  ['admin', 'admin'],
] as const;

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
    const logins = await makeDemoUsers(centerCfg.users, DEMO_USERS);
    const boxConsole = loaded.config.http?.console ? { ...loaded.config.http, console: loaded.config.http.console } : undefined;
    const boxLogins = boxConsole ? await makeDemoUsers(boxConsole.console.usersFile, BOX_USERS) : [];
    let center: Center;
    try {
      // The embedded broker admits only the credentials it generated: the center logs in as its operator.
      const operator = embeddedOperator(loaded.config.dataDir);
      center = await startCenter({ ...centerCfg, mqtt: { ...centerCfg.mqtt, url: agent.brokerUrl, ...operator } }, log, {
        categories: centerCategories(),
        configFile: centerFile,
      });
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
        ...loginLines(centerCfg.users, logins),
        ...(boxConsole
          ? [
              `box console (live view, zones and rules, calibration, health): ${webUrl(boxConsole)}  (users: ${BOX_USERS.map(([u]) => u).join(', ')} in ${boxConsole.console.usersFile})`,
              ...loginLines(boxConsole.console.usersFile, boxLogins),
            ]
          : []),
        `the taxi at the kerb leaves 120 s into each ${DEMO_LOOP_SECONDS} s loop of the clip: dispatch its parking alert in the command center before then, and it is cleared with a picture before and after`,
        '',
      ].join('\n'),
    );
    return untilSignal(log, (sig) => center.close().then(() => agent.stop(sig)));
  },
});

/** samples/demo-street.mp4 (samples/manifest.json): the taxi for 120 s, then 50 s without it. */
const DEMO_LOOP_SECONDS = 170;

/** The address a browser on this machine opens: a server listening on every address is reached on the loopback. */
function webUrl(http: { host: string; port: number; tls?: unknown }): string {
  const host = http.host === '0.0.0.0' || http.host === '::' ? '127.0.0.1' : http.host.includes(':') ? `[${http.host}]` : http.host;
  return `${http.tls ? 'https' : 'http'}://${host}:${http.port}`;
}

/** The logins just made, once (only their hashes are kept); later starts say how to set a new password instead. */
function loginLines(file: string, logins: string[]): string[] {
  return logins.length
    ? [`demo logins made (note them; add more with "jifang passwd ${file} USER --role ROLE"): ${logins.join(', ')}`]
    : [`  (forgot a password? jifang passwd ${file} USER sets a new one)`];
}

/** Makes the demo users the file lacks (a file from an older demo gets the new roles too); their logins, to print. */
async function makeDemoUsers(file: string, users: readonly (readonly [string, Role])[]): Promise<string[]> {
  mkdirSync(dirname(file), { recursive: true });
  const have = new Set((await readUsersFile(file)).map((u) => u.user));
  const logins: string[] = [];
  for (const [user, role] of users) {
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
