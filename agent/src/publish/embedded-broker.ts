import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import { z } from 'zod';
import { writeFileAtomicSync } from '../core/durable.ts';
import type { Logger } from '../core/log.ts';

export interface BrokerUser {
  username: string;
  password: string;
}

export interface EmbeddedBrokerOptions {
  /** 0 lets the OS choose. */
  port: number;
  /** The credentials file lives here (created at first start, mode 600). */
  dataDir: string;
  /** `{root}/{site}`: the box's topics. */
  prefix: string;
  /** The agent's own client id: no other user may connect with it (it would knock the agent off). */
  agentClientId: string;
}

export interface EmbeddedBroker {
  url: string;
  port: number;
  /** What the agent's publisher connects with. */
  agent: BrokerUser;
  /** Where the operator's credentials are kept. */
  credentialsFile: string;
  close(): Promise<void>;
}

const credentialsSchema = z.strictObject({
  agent: z.strictObject({ username: z.string().min(1), password: z.string().min(16) }),
  operator: z.strictObject({ username: z.string().min(1), password: z.string().min(16) }),
});
type Credentials = z.infer<typeof credentialsSchema>;

export const CREDENTIALS_FILE = 'embedded-broker-credentials.json';
const BAD_CREDENTIALS = 4;
const NOT_AUTHORIZED = 5;

/**
 * An in-process MQTT broker (aedes, MQTT 3.1.1 only) on 127.0.0.1, for the demo and single-box use when
 * `mqtt.url` is absent. Loopback only, and still not open to every local user: two accounts, generated at first
 * start into `{dataDir}/embedded-broker-credentials.json` (mode 600) — `jifang-agent` for the agent, which alone may
 * publish the box's alerts, status and health; `operator` for a local console, which may only send commands and
 * read. Nobody else may take the agent's client id.
 */
export async function startEmbeddedBroker(opts: EmbeddedBrokerOptions, log: Logger): Promise<EmbeddedBroker> {
  const { creds, file } = loadOrCreateCredentials(opts.dataDir, log);
  const prefix = `${opts.prefix}/`;
  const commands = `${opts.prefix}/cmd/`;
  const roles = new WeakMap<Client, 'agent' | 'operator'>();
  const aedes = await Aedes.createBroker({
    authenticate: (client, username, password, done) => {
      const role = roleOf(creds, username, password);
      if (!role) return done(refusal(BAD_CREDENTIALS, 'bad user name or password'), false);
      if (role !== 'agent' && client.id === opts.agentClientId)
        return done(refusal(NOT_AUTHORIZED, 'client id reserved for the agent'), false);
      roles.set(client, role);
      done(null, true);
    },
    authorizePublish: (client, packet, done) => {
      // The broker's own messages (client null) and wills are the agent's or nobody's.
      if (!client) return done(null);
      const role = roles.get(client);
      const topic = packet.topic;
      const allowed =
        role === 'agent' ? topic.startsWith(prefix) && !topic.startsWith(commands) : role === 'operator' && topic.startsWith(commands);
      if (allowed) return done(null);
      log.warn({ client: client.id, topic: topic.slice(0, 200) }, 'embedded broker: publish refused');
      done(new Error(`not authorized to publish on ${topic}`));
    },
    authorizeSubscribe: (client, sub, done) => {
      const role = roles.get(client);
      // Reading is the operator's job (a local command center subscribes to `{root}/+/#`); writing is what is guarded.
      const ok = role === 'agent' ? sub.topic.startsWith(commands) : role === 'operator';
      done(ok ? null : new Error(`not authorized to subscribe to ${sub.topic}`), ok ? sub : null);
    },
  });
  aedes.on('clientError', (client, err) => log.debug({ client: client.id, err }, 'embedded broker client error'));
  const server = createServer(aedes.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      aedes.close();
      reject(
        new Error(
          `embedded MQTT broker cannot listen on 127.0.0.1:${opts.port} (${err.code ?? err.message}): set mqtt.embeddedPort to a free port or mqtt.url to an external broker`,
        ),
      );
    });
    server.listen(opts.port, '127.0.0.1', () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  const url = `mqtt://127.0.0.1:${actual}`;
  log.info({ url, credentials: file }, 'embedded MQTT broker listening');
  return {
    url,
    port: actual,
    agent: creds.agent,
    credentialsFile: file,
    close: () =>
      new Promise<void>((resolve) => {
        // aedes.close() ends every client connection; server.close() waits for them, so close the broker first.
        aedes.close(() => server.close(() => resolve()));
      }),
  };
}

function loadOrCreateCredentials(dataDir: string, log: Logger): { creds: Credentials; file: string } {
  const file = join(dataDir, CREDENTIALS_FILE);
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new Error(`embedded MQTT broker: cannot read ${file} (${(err as NodeJS.ErrnoException).code})`);
  }
  if (text !== undefined) {
    const parsed = credentialsSchema.safeParse(safeJson(text));
    if (!parsed.success)
      throw new Error(
        `embedded MQTT broker: ${file} is not a credentials file: expected {agent, operator} with username and password; delete it to generate new ones`,
      );
    return { creds: parsed.data, file };
  }
  const creds: Credentials = {
    agent: { username: 'jifang-agent', password: randomBytes(24).toString('base64url') },
    operator: { username: 'operator', password: randomBytes(24).toString('base64url') },
  };
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeFileAtomicSync(file, Buffer.from(`${JSON.stringify(creds, null, 2)}\n`), 0o600);
  // Shown once, at creation; afterwards only the file (readable by this user alone) holds it.
  log.warn(
    { file, username: creds.operator.username, password: creds.operator.password },
    'embedded MQTT broker: credentials generated for local consoles (shown this once; kept in the file, mode 600)',
  );
  return { creds, file };
}

function roleOf(creds: Credentials, username: string | undefined, password: Buffer | undefined): 'agent' | 'operator' | undefined {
  if (username === undefined || password === undefined) return undefined;
  for (const role of ['agent', 'operator'] as const) {
    const want = Buffer.from(creds[role].password);
    if (username === creds[role].username && password.length === want.length && timingSafeEqual(password, want)) return role;
  }
  return undefined;
}

function refusal(returnCode: number, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
