import { readFileSync } from 'node:fs';
import { fail, runCommand, type Io } from './command.ts';
import { registry } from './registry.ts';

const io: Io = { out: process.stdout, err: process.stderr };

function usage(): string {
  const lines = Object.entries(registry).map(([name, e]) => `  ${name} ${e.summary}`);
  return `usage: jifang <command> [arguments]   (jifang <command> --help for its options)\n\n${lines.join('\n')}\n  --version              print the version\n`;
}

/** Read here rather than through the runtime so that `--version` loads nothing else (same depth in src/ and dist/). */
function version(): string {
  return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.err.write(usage());
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.out.write(usage());
    return 0;
  }
  if (name === '--version' || name === '-V') {
    io.out.write(`jifang ${version()}\n`);
    return 0;
  }
  const entry = registry[name];
  if (!entry) {
    const what = name.startsWith('-') ? `unknown option ${name}` : `unknown command "${name}"`;
    io.err.write(`jifang: ${what} (see jifang --help)\n`);
    return 2;
  }
  const { command } = await entry.load();
  return runCommand(name, command, rest, io);
}

process.exitCode = await main(process.argv.slice(2)).catch((err: unknown) => fail(io, process.argv[2] ?? '', err));
