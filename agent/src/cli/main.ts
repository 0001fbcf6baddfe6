import { readFileSync } from 'node:fs';
import { fail, type Io, runCommand } from './command.ts';
import { registry } from './registry.ts';

const io: Io = { out: process.stdout, err: process.stderr };
/** Where the commands' descriptions start in `jifang --help`. */
const COLUMN = 26;

/** The command list, from each command's own summary (so every command module is loaded here, and only here). */
async function usage(): Promise<string> {
  const commands = await Promise.all(Object.entries(registry).map(async ([name, load]) => ({ name, ...(await load()).command.summary })));
  const lines = [...commands, { name: '--version', args: '', text: 'print the version' }].map(
    ({ name, args, text }) => `  ${`${name} ${args}`.trim().padEnd(COLUMN)} ${text}`,
  );
  return `usage: jifang <command> [arguments]   (jifang <command> --help for its options)\n\n${lines.join('\n')}\n`;
}

/** Read here rather than through the runtime so that `--version` loads nothing else (same depth in src/ and dist/). */
function version(): string {
  return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.err.write(await usage());
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.out.write(await usage());
    return 0;
  }
  if (name === '--version' || name === '-V') {
    io.out.write(`jifang ${version()}\n`);
    return 0;
  }
  const load = registry[name];
  if (!load) {
    const what = name.startsWith('-') ? `unknown option ${name}` : `unknown command "${name}"`;
    io.err.write(`jifang: ${what} (see jifang --help)\n`);
    return 2;
  }
  const { command } = await load();
  return runCommand(name, command, rest, io);
}

process.exitCode = await main(process.argv.slice(2)).catch((err: unknown) => fail(io, process.argv[2] ?? '', err));
