import { checkConfigCommand } from './check-config.ts';
import { schemaCommand } from './schema-command.ts';
import { runCommand } from './run-command.ts';
import { healthcheckCommand } from './healthcheck-command.ts';
import { detectCommand } from './detect-command.ts';
import { auditCommand } from './audit-command.ts';
import { passwdCommand } from './passwd-command.ts';
import { centerCommand } from './center-command.ts';
import { demoCommand } from './demo-command.ts';

const USAGE = `usage: jifang <command> [arguments]

  run CONFIG                 run the agent with a config file
  check-config FILE...       validate config files; every problem as FILE: path: message
  detect IMAGE... [options]  run the detector on images (jifang detect --help)
  audit verify FILE...       check the audit log's hash chain (jifang audit --help)
  healthcheck CONFIG         exit 0 if the agent of CONFIG is alive (for container health checks)
  passwd FILE USER [--role R] add a console user or set a password (scrypt hash in FILE)
  center CONFIG              run the command center (archive, console, forwarders) on the city broker
  demo AGENT CENTER          the demo: the agent with its embedded broker and the command center on it
  schema [--out DIR]         JSON Schemas of the alert, health, status and config (print the alert's, or write all)
  help                       this text
`;

type Command = (argv: string[]) => Promise<number>;

const commands: Record<string, Command> = {
  run: runCommand,
  'check-config': checkConfigCommand,
  detect: detectCommand,
  audit: auditCommand,
  healthcheck: healthcheckCommand,
  passwd: passwdCommand,
  center: centerCommand,
  demo: demoCommand,
  schema: schemaCommand,
  help: async () => {
    process.stdout.write(USAGE);
    return 0;
  },
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name ? commands[name] : undefined;
  if (!command) {
    process.stderr.write(name ? `jifang: unknown command "${name}"\n\n${USAGE}` : USAGE);
    return 2;
  }
  return command(rest);
}

process.exitCode = await main(process.argv.slice(2));
