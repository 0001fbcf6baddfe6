import { createInterface } from 'node:readline';
import { ROLES, roleSchema, setPassword, userNameSchema, type Role } from '../web/passwords.ts';

const USAGE = `usage: jifang passwd FILE USER [--role ${ROLES.join('|')}]
  Adds USER to the console users file FILE (created 0600 when missing) or sets a new password, stored as a scrypt hash.
  The password is asked twice on a terminal, or read as the first line of standard input.
  Default role: installer.
`;

/** `jifang passwd FILE USER [--role ROLE]`: makes the entries the web console logs in against. */
export async function passwdCommand(argv: string[]): Promise<number> {
  const positional: string[] = [];
  let role: Role = 'installer';
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--role') {
      const r = roleSchema.safeParse(argv[++i]);
      if (!r.success) {
        process.stderr.write(`jifang passwd: --role: expected one of ${ROLES.join(', ')}, got ${JSON.stringify(argv[i] ?? null)}\n`);
        return 2;
      }
      role = r.data;
    } else if (argv[i] === '--help' || argv[i] === '-h') {
      process.stdout.write(USAGE);
      return 0;
    } else positional.push(argv[i]);
  }
  const [file, user] = positional;
  if (!file || !user || positional.length > 2) {
    process.stderr.write(USAGE);
    return 2;
  }
  const name = userNameSchema.safeParse(user);
  if (!name.success) {
    process.stderr.write(`jifang passwd: ${name.error.issues[0].message}, got ${JSON.stringify(user)}\n`);
    return 2;
  }
  const password = process.stdin.isTTY ? await askTwice() : await firstLine();
  if (password === undefined) return 1;
  if (password.length < 8) {
    process.stderr.write('jifang passwd: expected a password of at least 8 characters; nothing changed\n');
    return 1;
  }
  try {
    const what = await setPassword(file, user, role, password);
    process.stdout.write(`${what} ${user} (${role}) in ${file}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`jifang passwd: ${(err as Error).message}; nothing changed\n`);
    return 1;
  }
}

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
