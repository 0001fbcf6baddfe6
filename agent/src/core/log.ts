import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Logger } from 'pino';
import { redact } from './redact.ts';

export type { Logger };

/** Fields that hold a secret wherever they appear (a config section, a command, an error's options). */
const SECRET_FIELDS = ['password', 'passwd', 'passphrase', 'secret', 'token', 'authorization', 'cookie'];
const SECRET_PATHS = SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`, `*.*.*.${f}`]);

/**
 * One root logger; stages take a child with `{ stage }`, camera workers add `{ camera }`.
 * Quiet by default: info is for lifecycle (start, connect, alert), never per frame.
 * Secrets are removed here, once, for every caller: password-like fields are censored, and passwords inside URLs
 * (`rtsp://user:pass@…`, `?password=…`) in the message and in any string field, nested or in an error.
 * Readable lines on a terminal, JSON lines otherwise (JIFANG_LOG_FORMAT=json|pretty overrides).
 */
export function createLogger(level: string = process.env.JIFANG_LOG_LEVEL ?? 'info', fd: 1 | 2 = 2): Logger {
  // stderr by default: stdout carries the one-line-per-alert console output of `jifang run`.
  const format = process.env.JIFANG_LOG_FORMAT || ((fd === 2 ? process.stderr : process.stdout).isTTY ? 'pretty' : 'json');
  const logger = pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: SECRET_PATHS, censor: '***' },
      // pino's own: an error under `err` keeps its type, message, stack and causes (after the formatter below cleans them).
      serializers: { err: pino.stdSerializers.err },
      formatters: { log: (obj) => redactDeep(obj, 0) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? redact(a) : a)) as Parameters<typeof method>);
        },
      },
    },
    format === 'pretty' ? prettyStream(fd) : pino.destination({ fd, sync: true }),
  );
  // pino serialises a child's bindings once, without the log formatter: children (and theirs, which inherit this
  // method) get theirs cleaned on the way in.
  const child = logger.child;
  logger.child = function (this: Logger, bindings, options) {
    return child.call(this, redactDeep(bindings, 0) as typeof bindings, options);
  } as typeof child;
  return logger;
}

export const silentLogger: Logger = pino({ level: 'silent' });

/** pino-pretty, loaded only for a terminal; synchronous like the JSON destination, so no line is lost at exit. */
function prettyStream(fd: 1 | 2): DestinationStream {
  const pretty = createRequire(import.meta.url)('pino-pretty') as (o: object) => DestinationStream;
  return pretty({ destination: fd, sync: true, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true });
}

/** Copies `v` with URL passwords removed from every string, in plain objects, arrays and errors. */
function redactDeep(v: unknown, depth: number): unknown {
  if (typeof v === 'string') return redact(v);
  if (v === null || typeof v !== 'object' || depth > 6) return v;
  if (Array.isArray(v)) return v.map((x) => redactDeep(x, depth + 1));
  if (v instanceof Error) {
    // Same class (pino's serializer reports its name), own fields cleaned.
    const copy = Object.create(Object.getPrototypeOf(v) as object) as Error;
    for (const [k, x] of Object.entries(v)) (copy as unknown as Record<string, unknown>)[k] = redactDeep(x, depth + 1);
    copy.message = redact(v.message);
    if (v.stack) copy.stack = redact(v.stack);
    // Not enumerable, but the serializer reports them: a cause's message and stack are cleaned like the error's.
    const own = v as unknown as Record<string, unknown>;
    for (const key of ['cause', 'errors']) {
      if (Object.hasOwn(v, key))
        Object.defineProperty(copy, key, { value: redactDeep(own[key], depth + 1), writable: true, configurable: true });
    }
    return copy;
  }
  if (Object.getPrototypeOf(v) !== Object.prototype && Object.getPrototypeOf(v) !== null) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = redactDeep(x, depth + 1);
  return out;
}
