import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineCounter, parseDocument } from 'yaml';
import { configSchema, type Config } from './schema.ts';
import { ConfigError, problemsFromZod, type ConfigProblem } from '../core/errors.ts';
import { readSecret } from '../core/secrets.ts';
import { sha256Hex } from '../core/hash.ts';

/** The project root (where models/ and samples/ live), for paths a config does not resolve itself. */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export interface LoadedConfig {
  file: string;
  config: Config;
  /** SHA-256 of the file's bytes: recorded in the audit log so a decision can be traced to its config. */
  sha256: string;
}

/**
 * Reads, parses and validates a YAML/JSON config. Relative paths in it resolve against the config file's folder
 * (falling back to the project root, so `models/…` works from anywhere). Throws ConfigError listing every problem.
 */
export function loadConfig(file: string): LoadedConfig {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new ConfigError(file, [{ path: '', message: `cannot read the config file (${(err as NodeJS.ErrnoException).code ?? String(err)})` }]);
  }
  const text = decodeUtf8(file, bytes);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { path: `line ${pos.line}, column ${pos.col}`, message: `not valid YAML: ${e.message.split('\n')[0]}` };
      }),
    );
  }
  const raw: unknown = doc.toJS();
  const parsed = configSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new ConfigError(file, problemsFromZod(parsed.error.issues, raw));

  const config = parsed.data;
  // Containers and services set where data lives without editing every config.
  if ((raw as { dataDir?: unknown } | null)?.dataDir === undefined && process.env.JIFANG_DATA_DIR) config.dataDir = process.env.JIFANG_DATA_DIR;
  const problems = resolvePaths(config, dirname(resolve(file)));
  if (problems.length) throw new ConfigError(file, problems);
  return { file, config, sha256: sha256Hex(bytes) };
}

/** Makes file paths absolute in place and reports the ones that do not exist. */
function resolvePaths(cfg: Config, baseDir: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const existing = (p: string, path: string, what: string): string => {
    const found = [resolve(baseDir, p), resolve(projectRoot, p)].find((c) => existsSync(c));
    if (!found) problems.push({ path, message: `${what} not found: ${isAbsolute(p) ? p : `${p} (looked in ${baseDir} and ${projectRoot})`}` });
    return found ?? resolve(baseDir, p);
  };

  cfg.model.manifest = existing(cfg.model.manifest, 'model.manifest', 'model manifest');
  const tls = cfg.mqtt.tls;
  if (tls) {
    for (const key of ['ca', 'cert', 'key'] as const) {
      const p = tls[key];
      if (p) tls[key] = existing(p, `mqtt.tls.${key}`, 'TLS file');
    }
  }
  if (cfg.mqtt.password && typeof cfg.mqtt.password === 'object' && 'file' in cfg.mqtt.password) {
    cfg.mqtt.password = { file: existing(cfg.mqtt.password.file, 'mqtt.password.file', 'password file') };
  }
  // Read now, as the publisher will at start, so check-config refuses an unset variable or unreadable file (the value is not kept).
  if (cfg.mqtt.password && typeof cfg.mqtt.password === 'object') {
    try {
      readSecret(cfg.mqtt.password, 'mqtt.password');
    } catch (err) {
      if (!problems.some((p) => p.path === 'mqtt.password.file')) problems.push({ path: 'mqtt.password', message: (err as Error).message.replace(/^mqtt\.password: /, '') });
    }
  }
  if ((tls || cfg.mqtt.password) && !cfg.mqtt.url) {
    problems.push({ path: 'mqtt.url', message: 'TLS or a password is configured but no broker url: expected mqtts://host:8883 (or remove tls/password to use the embedded broker)' });
  }
  cfg.dataDir = resolve(baseDir, cfg.dataDir);
  cfg.cameras.forEach((cam, i) => {
    const expand = (url: string, path: string) => {
      try {
        return expandSecrets(url, baseDir);
      } catch (err) {
        problems.push({ path, message: (err as Error).message });
        return url;
      }
    };
    cam.url = expand(cam.url, `cameras[${i}].url`);
    if (cam.evidenceUrl) cam.evidenceUrl = expand(cam.evidenceUrl, `cameras[${i}].evidenceUrl`);
    if (!isStreamUrl(cam.url)) cam.url = existing(cam.url, `cameras[${i}].url`, 'video/image file');
    if (cam.evidenceUrl && !isStreamUrl(cam.evidenceUrl)) cam.evidenceUrl = existing(cam.evidenceUrl, `cameras[${i}].evidenceUrl`, 'video/image file');
  });
  return problems;
}

/**
 * Camera URLs carry credentials: `${env:NAME}` and `${file:PATH}` placeholders keep them out of the config file
 * (`rtsp://analytics:${file:/etc/jifang/secrets/cam-password}@192.168.1.64/…`). Values are URL-encoded.
 */
export function expandSecrets(text: string, baseDir: string): string {
  return text.replace(/\$\{(env|file):([^}]+)\}/g, (_m, kind: 'env' | 'file', ref: string) =>
    encodeURIComponent(readSecret(kind === 'env' ? { env: ref } : { file: resolve(baseDir, ref) }, `\${${kind}:${ref}}`)),
  );
}

/** The file's text; bytes that are not UTF-8 (a config saved as GBK, say) are refused with their line, not replaced silently. */
function decodeUtf8(file: string, bytes: Buffer): string {
  const strict = new TextDecoder('utf-8', { fatal: true });
  try {
    return strict.decode(bytes);
  } catch {
    let start = 0;
    for (let line = 1; ; line++) {
      const end = bytes.indexOf(0x0a, start);
      const slice = bytes.subarray(start, end === -1 ? bytes.length : end);
      try {
        strict.decode(slice);
      } catch {
        throw new ConfigError(file, [{ path: `line ${line}`, message: 'not valid UTF-8: expected the config saved as UTF-8 text (re-save it as UTF-8, e.g. iconv -f GBK -t UTF-8)' }]);
      }
      if (end === -1) break;
      start = end + 1;
    }
    throw new ConfigError(file, [{ path: '', message: 'not valid UTF-8: expected the config saved as UTF-8 text' }]);
  }
}

export function isStreamUrl(url: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(url);
}

