import { checkConfigCommand } from './check-config.ts';
import { schemaCommand } from './schema-command.ts';

const USAGE = `usage: jifang <command> [arguments]

  run CONFIG                 run the agent with a config file
  check-config FILE...       validate config files; every problem as FILE: path: message
  schema [--out DIR]         JSON Schemas of the alert, health, status and config (print the alert's, or write all)
  help                       this text
`;

type Command = (argv: string[]) => Promise<number>;

const commands: Record<string, Command> = {
  'check-config': checkConfigCommand,
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
