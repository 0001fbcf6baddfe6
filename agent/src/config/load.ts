import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Document, isMap, isSeq, type LineCounter, type Node } from 'yaml';
import type { z } from 'zod';
import { expandPresets, explainPresetProblems } from '../catalogue/expand.ts';
import { type Catalogue, loadCatalogue } from '../catalogue/load.ts';
import { ConfigError, type ConfigProblem, type ProblemLang, problemsFromZod, zodWords } from '../core/errors.ts';
import { sha256Hex } from '../core/hash.ts';
import { readSecret } from '../core/secrets.ts';
import { parseYaml, readConfigFile } from '../core/yaml-file.ts';
import { isMediaFileName } from '../ingest/source-kind.ts';
import { checkBasemap } from '../web/map/config.ts';
import { dataDirOf } from './data-dir.ts';
import { type Config, configSchema } from './schema.ts';

/** The project root (where models/ and samples/ live), for paths a config does not resolve itself. */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export interface LoadedConfig {
  file: string;
  config: Config;
  /** SHA-256 of the file's bytes: recorded in the audit log so a decision can be traced to its config. */
  sha256: string;
  /** The event catalogue: built in, corrected by the config's `catalogue` file. */
  catalogue: Catalogue;
}

/**
 * Reads, parses and validates a YAML/JSON config. Relative paths in it resolve against the config file's folder
 * (falling back to the project root, so `models/…` works from anywhere). Throws ConfigError listing every problem.
 */
export function loadConfig(file: string): LoadedConfig {
  return parseConfigText(readConfigFile(file), file);
}

/**
 * loadConfig on text not yet written to `file` (an edit checked before saving): the same checks, the same words; zod's
 * own messages in `lang` (a schema's own words stay English: the console's table says them in Chinese).
 */
export function parseConfigText(text: string, file: string, lang: ProblemLang = 'en'): LoadedConfig {
  const { doc, lineCounter } = parseYaml(text, file);
  const raw: unknown = doc.toJS();
  const catalogue = siteCatalogue(raw, file);
  // Presets become plain rules before validation, so every problem is reported at the path the installer wrote.
  const expanded = expandPresets(raw, catalogue);
  const parsed = configSchema.safeParse(raw ?? {}, zodWords(lang));
  if (!parsed.success || expanded.problems.length) {
    const schemaProblems = parsed.success
      ? []
      : withPositions(problemsFromZod(parsed.error.issues, raw, lang), parsed.error.issues, doc, lineCounter);
    throw new ConfigError(file, [...expanded.problems, ...explainPresetProblems(schemaProblems, expanded.uses, expanded.problems)]);
  }

  const config = parsed.data;
  const unknownEvents = unknownEventProblems(config, catalogue);
  if (unknownEvents.length) throw new ConfigError(file, unknownEvents);
  config.dataDir = dataDirOf(raw, file);
  const problems = resolvePaths(config, dirname(resolve(file)));
  if (problems.length) throw new ConfigError(file, problems);
  return { file, config, sha256: sha256Hex(text), catalogue };
}

/** The catalogue the config names (relative to the config's folder), over the built-in one. */
function siteCatalogue(raw: unknown, file: string): Catalogue {
  const ref = (raw as { catalogue?: unknown } | null)?.catalogue;
  if (ref === undefined) return loadCatalogue();
  if (typeof ref !== 'string' || ref === '')
    throw new ConfigError(file, [{ path: 'catalogue', message: `expected the path of a catalogue file, got ${JSON.stringify(ref)}` }]);
  const path = resolve(dirname(resolve(file)), ref);
  if (!existsSync(path)) throw new ConfigError(file, [{ path: 'catalogue', message: `catalogue file not found: ${path}` }]);
  (raw as { catalogue: string }).catalogue = path;
  return loadCatalogue(path);
}

function unknownEventProblems(cfg: Config, catalogue: Catalogue): ConfigProblem[] {
  return cfg.cameras.flatMap((cam, ci) =>
    cam.zones.flatMap((zone, zi) =>
      zone.rules.flatMap((rule, ri) =>
        rule.event === undefined || catalogue.get(rule.event)
          ? []
          : [
              {
                path: `cameras[${ci}].zones[${zi}].rules[${ri}].event`,
                message: `unknown event type "${rule.event}": expected one of ${catalogue.events.map((e) => e.id).join(', ')}`,
              },
            ],
      ),
    ),
  );
}

/** Makes file paths absolute in place and reports the ones that do not exist. */
function resolvePaths(cfg: Config, baseDir: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const existing = (p: string, path: string, what: string): string => {
    const found = [resolve(baseDir, p), resolve(projectRoot, p)].find((c) => existsSync(c));
    if (!found)
      problems.push({
        path,
        message: `${what} not found: ${isAbsolute(p) ? p : `${p} (tried ${resolve(baseDir, p)} and ${resolve(projectRoot, p)})`}`,
      });
    return found ?? resolve(baseDir, p);
  };

  cfg.model.manifest = existing(cfg.model.manifest, 'model.manifest', 'model manifest');
  for (const [name, m] of Object.entries(cfg.models)) m.manifest = existing(m.manifest, `models.${name}.manifest`, 'model manifest');
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
  // The users file may not be made yet (as the center's): the console then lets nobody in until `jifang passwd FILE USER`
  // makes it, which it reads within seconds; `npm start` makes the demo's after loading this config.
  if (web?.console) {
    const users = web.console.usersFile;
    web.console.usersFile = [resolve(baseDir, users), resolve(projectRoot, users)].find((c) => existsSync(c)) ?? resolve(baseDir, users);
    const map = web.console.map;
    if (map.tilesFile) map.tilesFile = resolve(baseDir, map.tilesFile);
    const mapProblem = checkBasemap(map, 'http.console.map');
    if (mapProblem) problems.push(mapProblem);
  }
  // Read now, as the publisher will at start, so check-config refuses an unset variable or unreadable file (the value is not kept).
  if (cfg.mqtt.password && typeof cfg.mqtt.password === 'object') {
    try {
      readSecret(cfg.mqtt.password, 'mqtt.password');
    } catch (err) {
      if (!problems.some((p) => p.path === 'mqtt.password.file'))
        problems.push({ path: 'mqtt.password', message: (err as Error).message.replace(/^mqtt\.password: /, '') });
    }
  }
  if ((tls || cfg.mqtt.password) && !cfg.mqtt.url) {
    problems.push({
      path: 'mqtt.url',
      message:
        'TLS or a password is configured but no broker url: expected mqtts://host:8883 (or remove tls/password to use the embedded broker)',
    });
  }
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
    const local = (url: string, path: string) => {
      const found = existing(url, path, 'video/image file');
      const problem = existsSync(found) ? localMediaProblem(found) : undefined;
      if (problem) problems.push({ path, message: problem });
      return found;
    };
    if (!isStreamUrl(cam.url)) cam.url = local(cam.url, `cameras[${i}].url`);
    if (cam.evidenceUrl && !isStreamUrl(cam.evidenceUrl)) cam.evidenceUrl = local(cam.evidenceUrl, `cameras[${i}].evidenceUrl`);
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

/**
 * Local files are allowed, for demo footage played in a loop: a regular file named as a video or image. A device
 * (/dev/zero never ends and holds no picture), a folder or a file of another kind (/etc/passwd) is refused.
 */
function localMediaProblem(path: string): string | undefined {
  const st = statSync(path);
  if (!st.isFile()) {
    const kind = st.isDirectory() ? 'a folder' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : 'not a file';
    return `${path} is not a regular file (${kind}): expected a video file (.mp4, .mkv, .ts …), an image or a stream URL (rtsp://…)`;
  }
  if (!isMediaFileName(path))
    return `${path} is not a video or image file by its name: expected .mp4, .mkv, .mov, .ts, .h264, .jpg, .png … or a stream URL (rtsp://…)`;
  return undefined;
}

export function isStreamUrl(url: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(url);
}

/**
 * Appends where in the file each schema problem is: the value's line and column, an unknown field's key, a missing
 * field's parent. problemsFromZod gives one problem per issue, one per key for unknown keys: the same walk here.
 */
function withPositions(problems: ConfigProblem[], issues: readonly z.core.$ZodIssue[], doc: Document, lines: LineCounter): ConfigProblem[] {
  const paths = issues.flatMap((i) =>
    i.code === 'unrecognized_keys' ? i.keys.map((k) => ({ path: [...i.path, k], key: true })) : [{ path: i.path, key: false }],
  );
  if (paths.length !== problems.length) return problems;
  const raw: unknown = doc.toJS();
  return problems.map((p, i) => {
    // Messages written for one field ("expected dwellSeconds in seconds") do not always say what was found.
    const value = paths[i].key ? undefined : valueAt(raw, paths[i].path);
    const message =
      value === undefined || / got /.test(p.message) || p.message.includes(shown(value)) ? p.message : `${p.message}, got ${shown(value)}`;
    const offset = offsetOf(doc.contents, paths[i].path, paths[i].key);
    if (offset === undefined) return { ...p, message };
    const { line, col } = lines.linePos(offset);
    return { ...p, message: `${message} (line ${line}, column ${col})` };
  });
}

function valueAt(v: unknown, path: readonly PropertyKey[]): unknown {
  let cur = v;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[k];
  }
  return cur;
}

function shown(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** The offset of the node at `path` (of its key with `atKey`), or of the deepest node on the way to it. */
function offsetOf(node: unknown, path: readonly PropertyKey[], atKey: boolean): number | undefined {
  let cur = node as Node | null;
  let at = cur?.range?.[0];
  for (const [depth, key] of path.entries()) {
    if (isMap(cur)) {
      const pair = cur.items.find((it) => String((it.key as { value?: unknown } | null)?.value ?? it.key) === String(key));
      if (!pair) return at;
      const value = pair.value as Node | null;
      const keyRange = (pair.key as Node | null)?.range;
      at = ((atKey && depth === path.length - 1 ? keyRange : value?.range) ?? keyRange)?.[0] ?? at;
      cur = value;
    } else if (isSeq(cur) && typeof key === 'number') {
      const item = cur.items[key] as Node | undefined;
      if (!item) return at;
      at = item.range?.[0] ?? at;
      cur = item;
    } else {
      return at;
    }
  }
  return at;
}
