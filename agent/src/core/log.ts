import { createRequire } from 'node:module';
import { type DestinationStream, type Logger, pino } from 'pino';
import { redact } from './redact.ts';

export type { Logger };

/** Fields that hold a secret wherever they appear (a config section, a command, an error's options). */
const SECRET_FIELDS = ['password', 'passwd', 'passphrase', 'secret', 'token', 'authorization', 'cookie'];
const SECRET_PATHS = SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`, `*.*.*.${f}`]);

/**
 * One root logger; stages take a child with `{ stage }`, camera workers add `{ camera }`.
 * Quiet by default: info is for lifecycle (start, connect, alert), never per frame.
 * Secrets are removed here, once, for every caller: password-like fields are censored, and passwords inside URLs
 * (`rtsp://user:pass@…`, `?password=…`) in the message and in any string field, nested or in an error; strings,
 * arrays and objects are bounded (LOG_BOUNDS) so that no input makes a line huge.
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
      formatters: { log: (obj) => cleanForLog(obj) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? bounded(a) : a)) as Parameters<typeof method>);
        },
      },
    },
    format === 'pretty' ? prettyStream(fd) : pino.destination({ fd, sync: true }),
  );
  // pino serialises a child's bindings once, without the log formatter: children (and theirs, which inherit this
  // method) get theirs cleaned on the way in.
  const child = logger.child;
  logger.child = function (this: Logger, bindings, options) {
    return child.call(this, cleanForLog(bindings) as typeof bindings, options);
  } as typeof child;
  return logger;
}

export const silentLogger: Logger = pino({ level: 'silent' });

/** pino-pretty, loaded only for a terminal; synchronous like the JSON destination, so no line is lost at exit. */
function prettyStream(fd: 1 | 2): DestinationStream {
  const pretty = createRequire(import.meta.url)('pino-pretty') as (o: object) => DestinationStream;
  return pretty({ destination: fd, sync: true, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true });
}

/**
 * Bounds on what one log line carries: strings from the network (a box's message, a request's path, a key of a
 * refused field) can be megabytes, and each line is written synchronously. Longer strings keep their start and say
 * how long they were; passwords are removed before the cut, so a cut never leaves half a password readable.
 */
const LOG_BOUNDS = { string: 2048, stack: 8192, items: 100, depth: 8 } as const;

function bounded(s: string, max: number = LOG_BOUNDS.string): string {
  const clean = redact(s);
  return clean.length <= max ? clean : `${clean.slice(0, max)}… [${clean.length - max} more characters]`;
}

/**
 * Copies `v` for a log line: URL passwords removed from every string (and key), in plain objects, arrays and errors;
 * long strings cut, long arrays and objects shortened, deep nesting replaced by a marker.
 */
function cleanForLog(v: unknown, depth = 0): unknown {
  if (typeof v === 'string') return bounded(v);
  if (v === null || typeof v !== 'object') return v;
  if (depth >= LOG_BOUNDS.depth) return '[nested too deep]';
  if (Array.isArray(v)) {
    const head = v.slice(0, LOG_BOUNDS.items).map((x) => cleanForLog(x, depth + 1));
    return v.length > LOG_BOUNDS.items ? [...head, `… [${v.length - LOG_BOUNDS.items} more items]`] : head;
  }
  if (v instanceof Error) {
    // Same class (pino's serializer reports its name), own fields cleaned.
    const copy = Object.create(Object.getPrototypeOf(v) as object) as Error;
    Object.assign(copy, cleanEntries(v, depth));
    copy.message = bounded(v.message);
    if (v.stack) copy.stack = bounded(v.stack, LOG_BOUNDS.stack);
    // Not enumerable, but the serializer reports them: a cause's message and stack are cleaned like the error's.
    const own = v as unknown as Record<string, unknown>;
    for (const key of ['cause', 'errors']) {
      if (Object.hasOwn(v, key))
        Object.defineProperty(copy, key, { value: cleanForLog(own[key], depth + 1), writable: true, configurable: true });
    }
    return copy;
  }
  if (Object.getPrototypeOf(v) !== Object.prototype && Object.getPrototypeOf(v) !== null) return v;
  return cleanEntries(v, depth);
}

function cleanEntries(v: object, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let n = 0;
  for (const k in v) {
    if (!Object.hasOwn(v, k)) continue;
    if (n++ === LOG_BOUNDS.items) {
      out['…'] = `[${Object.keys(v).length - LOG_BOUNDS.items} more fields]`;
      break;
    }
    out[bounded(k, 200)] = cleanForLog((v as Record<string, unknown>)[k], depth + 1);
  }
  return out;
}
