import type { Writable } from 'node:stream';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { ConfigError } from '../core/errors.ts';

type Options = NonNullable<ParseArgsConfig['options']>;
type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>;

export interface Io {
  out: Writable;
  err: Writable;
}

export interface Summary {
  args: string;
  text: string;
}

/**
 * One `jifang` command (or sub-command): its usage text, its options in `node:util` parseArgs form and what it does.
 * `--help`/`-h` is added to every command; arguments are parsed strictly, so an unknown option is named.
 */
export interface Command<O extends Options = Options> {
  /** Its line in `jifang --help` (top-level commands): the arguments in short, and what the command does. */
  summary?: Summary;
  /** Shown by `--help`; the first line is `usage: jifang NAME …`. */
  usage: string;
  options?: O;
  /** How many positional arguments the command takes; `missing` names them for the error (`at least one IMAGE`). */
  positionals?: { min?: number; max?: number; missing?: string };
  /** Sub-commands (`jifang audit verify …`), chosen by the first argument. */
  subcommands?: Record<string, Command>;
  run?(args: { values: Parsed<O>['values']; positionals: string[] }, io: Io): Promise<number>;
}

/** Keeps each command's option types precise (`values.out` is `string | undefined`, not `unknown`). */
export function defineCommand<O extends Options>(command: Command<O> & { summary: Summary }): Command<O> & { summary: Summary };
export function defineCommand<O extends Options>(command: Command<O>): Command<O>;
export function defineCommand<O extends Options>(command: Command<O>): Command<O> {
  return command;
}

/** A mistake in the command line: one line on stderr, exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A problem the user can fix (a missing file, a refused operation): one line on stderr, exit 1 unless given. */
export class UserError extends Error {
  override name = 'UserError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Runs `command` with `argv`: help, strict parsing and the turning of user errors into one line and an exit code. */
export async function runCommand(name: string, command: Command, argv: string[], io: Io): Promise<number> {
  const [first, ...rest] = argv;
  if (command.subcommands && first && !first.startsWith('-')) {
    const sub = command.subcommands[first];
    if (!sub) return fail(io, name, new UsageError(`unknown sub-command "${first}"`));
    return runCommand(`${name} ${first}`, sub, rest, io);
  }
  let parsed: Parsed<Options>;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    if (!parsed.values.help) {
      const n = parsed.positionals.length;
      const { min = 0, max = Infinity, missing = min === 1 ? 'an argument' : `${min} arguments` } = command.positionals ?? {};
      if (command.subcommands && !command.run)
        throw new UsageError(
          n ? `unknown sub-command "${parsed.positionals[0]}"` : `expected a sub-command: ${Object.keys(command.subcommands).join(', ')}`,
        );
      if (n < min) throw new UsageError(`expected ${missing}`);
      if (n > max) throw new UsageError(`unexpected argument "${parsed.positionals[max]}"`);
    }
  } catch (err) {
    return fail(io, name, toUsageError(err));
  }
  if (parsed.values.help) {
    io.out.write(command.usage);
    return 0;
  }
  try {
    return await command.run!({ values: parsed.values, positionals: parsed.positionals }, io);
  } catch (err) {
    return fail(io, name, err);
  }
}

/** parseArgs' own messages are long and speak of its internals; these name the option in the user's words. */
function toUsageError(err: unknown): unknown {
  const e = err as NodeJS.ErrnoException;
  const option = /'(-[^' ]+)/.exec(e.message ?? '')?.[1];
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return new UsageError(`unknown option ${option ?? e.message}`);
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    return new UsageError(/argument missing/.test(e.message) ? `option ${option} needs a value` : `option ${option} takes no value`);
  }
  return err;
}

/** File system errors in an installer's words. */
const ERRNO: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EEXIST: 'already exists',
  ENOTDIR: 'not a folder',
  EISDIR: 'is a folder',
  ENOSPC: 'no space left on the device',
  EROFS: 'read-only file system',
};

/** Prints one line (a config error: one line per problem) and returns the exit code; a stack only with JIFANG_DEBUG. */
export function fail(io: Io, name: string, err: unknown): number {
  if (err instanceof UsageError) {
    io.err.write(`jifang ${name}: ${err.message} (see jifang ${name} --help)\n`);
    return 2;
  }
  if (err instanceof ConfigError) {
    io.err.write(`${err.message}\n`);
    return 1;
  }
  if (err instanceof UserError) {
    io.err.write(`jifang ${name}: ${err.message}\n`);
    return err.exitCode;
  }
  const e = err as NodeJS.ErrnoException;
  const system = e?.code && e.path && ERRNO[e.code];
  io.err.write(`jifang ${name}: ${system ? `${e.path}: ${system} (${e.syscall} ${e.code})` : (e?.message ?? String(err))}\n`);
  if (process.env.JIFANG_DEBUG && e?.stack) io.err.write(`${e.stack}\n`);
  return 1;
}
