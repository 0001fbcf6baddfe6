import { createInterface } from 'node:readline';
import { ROLES, type Role, roleSchema, setPassword, userNameSchema } from '../web/passwords.ts';
import { defineCommand, UsageError, UserError } from './command.ts';

const USAGE = `usage: jifang passwd FILE USER [--role ${ROLES.join('|')}]
  Adds USER to the console users file FILE (created 0600 when missing) or sets a new password, stored as a scrypt hash.
  The password is asked twice on a terminal, or read as the first line of standard input.
  Default role: installer.
`;

/** `jifang passwd FILE USER [--role ROLE]`: makes the entries the web console logs in against. */
export const command = defineCommand({
  summary: { args: 'FILE USER [--role R]', text: 'add a console user or set a password (scrypt hash in FILE)' },
  usage: USAGE,
  options: { role: { type: 'string', default: 'installer' } },
  positionals: { min: 2, max: 2, missing: 'FILE and USER' },
  async run({ values, positionals }, io) {
    const [file, user] = positionals;
    const r = roleSchema.safeParse(values.role);
    if (!r.success) throw new UsageError(`--role: expected one of ${ROLES.join(', ')}, got ${JSON.stringify(values.role)}`);
    const role: Role = r.data;
    const name = userNameSchema.safeParse(user);
    if (!name.success) throw new UsageError(`${name.error.issues[0].message}, got ${JSON.stringify(user)}`);
    const password = process.stdin.isTTY ? await askTwice() : await firstLine();
    if (password === undefined) return 1;
    if (password.length < 8) throw new UserError('expected a password of at least 8 characters; nothing changed');
    try {
      const what = await setPassword(file, user, role, password);
      io.out.write(`${what} ${user} (${role}) in ${file}\n`);
      return 0;
    } catch (err) {
      throw new UserError(`${(err as Error).message}; nothing changed`);
    }
  },
});

async function firstLine(): Promise<string | undefined> {
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    rl.close();
    return line;
  }
  process.stderr.write('jifang passwd: no password on standard input; nothing changed\n');
  return undefined;
}

async function askTwice(): Promise<string | undefined> {
  const a = await askHidden('Password: ');
  const b = await askHidden('Again: ');
  if (a !== b) {
    process.stderr.write('jifang passwd: the passwords differ; nothing changed\n');
    return undefined;
  }
  return a;
}

function askHidden(prompt: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    const out = rl as unknown as { _writeToOutput: (s: string) => void };
    process.stderr.write(prompt);
    out._writeToOutput = () => {};
    rl.question('', (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
  });
}
