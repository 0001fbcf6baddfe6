import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { problemMessage } from '../../../agent/src/console/client/problem-words.ts';
import { serverWords } from '../../../agent/src/console/client/server-words.ts';
import { CalibrationError, solveHomography } from '../../../agent/src/geo/homography.ts';
import { projectRoot } from '../../helpers/paths.ts';

/**
 * Every message the box's server can send a console page outside a config check has Chinese words: the refusals of the
 * console's routes and of the web server under them, the tile routes, a save the running agent did not take up, and
 * the calibration fit's refusals (computed in the page). Found in the source, so that a new message without words
 * fails here instead of reaching a Chinese page in English.
 */
const SOURCES: { file: string; call: RegExp }[] = [
  ...['camera-routes.ts', 'edit-routes.ts', 'config-edit.ts', 'event-routes.ts', 'evidence-files.ts', 'page-route.ts'].map((f) => ({
    file: `agent/src/console/${f}`,
    call: /new HttpError\(\s*\d+,\s*/g,
  })),
  ...['server.ts', 'router.ts', 'body.ts', 'respond.ts', 'map/routes.ts'].map((f) => ({
    file: `agent/src/web/${f}`,
    call: /new HttpError\(\s*\d+,\s*/g,
  })),
  { file: 'agent/src/console/edit-routes.ts', call: /\berror:\s*/g },
  { file: 'agent/src/runtime/reload-plan.ts', call: /\berror:\s*/g },
  { file: 'agent/src/runtime/agent.ts', call: /return \{ ok: false, error:\s*/g },
  { file: 'agent/src/geo/homography.ts', call: /new CalibrationError\(\s*/g },
];

/** The string literal after each call, its `${…}` parts filled with a sample value (the words match on their form). */
function messagesIn(file: string, call: RegExp): string[] {
  const text = readFileSync(join(projectRoot, file), 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(call)) {
    const rest = text.slice(m.index + m[0].length);
    const lit = /^(['`])((?:\\.|(?!\1)[^\\])*)\1/.exec(rest);
    if (lit) out.push(lit[2].replace(/\$\{[^}]*\}+/g, '2').replace(/\\n/g, '\n'));
  }
  return out;
}

const messages = SOURCES.flatMap(({ file, call }) => messagesIn(file, call).map((message) => ({ file, message })));
const CHINESE = /[\u4e00-\u9fff]/;

describe("the box server's messages in Chinese", () => {
  it('finds the messages a console page can be sent', () => {
    expect(messages.length).toBeGreaterThan(25);
    expect(messages.map((m) => m.message)).toContain('no analysed frame yet: try again in a second');
  });

  it('has Chinese words for every one of them', () => {
    const missing = messages.filter((m) => !CHINESE.test(serverWords(m.message, 'zh')));
    expect(missing).toEqual([]);
  });

  it("says a fit's refusal in Chinese with the points numbered from 1, and leaves English pages as the server said it", () => {
    let said = '';
    try {
      solveHomography([
        { pixel: [0, 0], geo: { lat: 31.23, lon: 121.47 } },
        { pixel: [10, 0], geo: { lat: 31.2301, lon: 121.47 } },
        { pixel: [20, 0], geo: { lat: 31.2302, lon: 121.47 } },
        { pixel: [30, 0], geo: { lat: 31.2303, lon: 121.47 } },
      ]);
    } catch (err) {
      if (!(err instanceof CalibrationError)) throw err;
      said = err.message;
    }
    expect(said).toMatch(/lie on one line/);
    expect(serverWords(said, 'zh')).toMatch(/^所有点的画面位置都在一条直线上/);
    expect(serverWords(said, 'en')).toBe(said);
    // The same words when Save's check refuses the calibration.
    expect(problemMessage(`${said} (line 40, column 9)`, 'zh')).toMatch(/^所有点的画面位置都在一条直线上/);
    expect(serverWords('camera "cam-9" is not in /etc/jifang/config.yaml', 'zh')).toBe(
      '摄像机「cam-9」不在配置文件 /etc/jifang/config.yaml 中',
    );
  });
});
