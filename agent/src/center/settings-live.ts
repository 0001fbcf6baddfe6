import { type FSWatcher, readFileSync, watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { sha256Hex } from '../core/hash.ts';
import type { Logger } from '../core/log.ts';
import type { CenterConfig } from './config.ts';
import { checkText, editableSettings, restartNeeded } from './settings-edit.ts';

export interface LiveSettings {
  /** An edit this instance saved (the file's new SHA-256): applied here and now, and not again when the file's change is seen. */
  applied(next: CenterConfig, sha256: string): void;
  close(): void;
}

export interface LiveSettingsDeps {
  file: string;
  /** The running config: what the applied settings are compared with. */
  cfg: CenterConfig;
  instance: string;
  /** Puts a checked config's live parts to work (forwarders, retention, reminder, units). */
  apply(next: CenterConfig): void;
  log: Logger;
  debounceMs?: number;
}

/**
 * Every instance on one config file applies an edit made through any of them: the file's folder is watched (an
 * atomic save renames a new file over the old one, so a watch of the file itself would go on watching the old one),
 * a change is read once it settles, checked by the config's own schema and applied when valid. An invalid file keeps
 * the instance on the settings it runs, logged (and said by /admin, which reads the file) until the file is valid again.
 */
export function watchLiveSettings(d: LiveSettingsDeps): LiveSettings {
  const log = d.log.child({ stage: 'center-settings', instance: d.instance });
  let seen = sha256Hex(readFileSync(d.file, 'utf8'));
  let timer: NodeJS.Timeout | undefined;
  let reading = Promise.resolve();

  // Whichever comes first, the saving route or the watch, applies a file's content; the other finds it seen.
  const take = (next: CenterConfig, sha256: string, source: 'admin' | 'file') => {
    if (sha256 === seen) return;
    const before = editableSettings(d.cfg);
    const restart = restartNeeded(d.cfg, next);
    d.apply(next);
    seen = sha256;
    const after = { ...editableSettings(next), forwarders: next.forwarders.map((f) => f.id) };
    log.info({ file: d.file, sha256, source, before, after, ...(restart.length ? { restart } : {}) }, 'settings applied');
  };

  const reread = async () => {
    let text: string;
    try {
      text = await readFile(d.file, 'utf8');
    } catch (err) {
      log.warn({ err, file: d.file }, 'the config file cannot be read: the running settings are kept');
      return;
    }
    const sha256 = sha256Hex(text);
    if (sha256 === seen) return;
    const checked = checkText(text, d.file);
    if ('cfg' in checked) return take(checked.cfg, sha256, 'file');
    seen = sha256;
    log.warn({ file: d.file, sha256, problems: checked.problems }, 'the config file on disk is invalid: the running settings are kept');
  };

  const watcher: FSWatcher = watch(dirname(d.file), (_event, name) => {
    if (name !== null && name !== basename(d.file)) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      // Never a crash: whatever goes wrong, the instance runs on what it has and says why.
      reading = reading
        .then(reread)
        .catch((err: unknown) => log.warn({ err, file: d.file }, 'the config file could not be applied: the running settings are kept'));
    }, d.debounceMs ?? 300);
  });
  watcher.on('error', (err) => log.warn({ err, file: d.file }, 'watching the config file failed: edits elsewhere apply at a restart'));

  return {
    applied: (next, sha256) => take(next, sha256, 'admin'),
    close: () => {
      clearTimeout(timer);
      watcher.close();
    },
  };
}
