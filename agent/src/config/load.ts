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
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [{ path: '', message: `cannot read the config file (${(err as NodeJS.ErrnoException).code ?? String(err)})` }]);
  }
  return parseConfigText(text, file);
}

/** loadConfig on text not yet written to `file` (an edit checked before saving): the same checks, the same words. */
export function parseConfigText(text: string, file: string): LoadedConfig {
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
  return { file, config, sha256: sha256Hex(text) };
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
  const web = cfg.http;
  if (web?.tls) {
    web.tls.cert = existing(web.tls.cert, 'http.tls.cert', 'TLS file');
    web.tls.key = existing(web.tls.key, 'http.tls.key', 'TLS file');
  }
  if (web?.console) web.console.usersFile = existing(web.console.usersFile, 'http.console.usersFile', 'console users file (make it with "jifang passwd FILE USER")');
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

export function isStreamUrl(url: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(url);
}

