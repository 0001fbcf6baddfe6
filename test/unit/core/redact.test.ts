import { describe, expect, it } from 'vitest';
import { redact } from '../../../agent/src/core/redact.ts';

describe('redact', () => {
  it('hides the password of an RTSP URL and keeps the user and host', () => {
    expect(redact('rtsp://admin:Hik12345!@10.0.0.7:554/Streaming/Channels/102')).toBe(
      'rtsp://admin:***@10.0.0.7:554/Streaming/Channels/102',
    );
  });

  it('hides passwords inside an ffmpeg stderr line', () => {
    const line = 'rtsp://u:secret@127.0.0.1:18554/nope: Server returned 404 Not Found';
    expect(redact(line)).toBe('rtsp://u:***@127.0.0.1:18554/nope: Server returned 404 Not Found');
    expect(redact(line)).not.toContain('secret');
  });

  it('hides every URL in a command line, including password query parameters', () => {
    const out = redact('-i rtsps://a:b%40c@cam/x -evidence http://cam/snap.jpg?user=admin&password=p4ss&ch=1');
    expect(out).toBe('-i rtsps://a:***@cam/x -evidence http://cam/snap.jpg?user=admin&password=***&ch=1');
  });

  it('hides a password that contains a raw "@"', () => {
    expect(redact('rtsp://admin:p@ss@10.0.0.7/live')).toBe('rtsp://admin:***@10.0.0.7/live');
  });

  it('leaves text without credentials untouched', () => {
    expect(redact('rtsp://10.0.0.7/live connection refused')).toBe('rtsp://10.0.0.7/live connection refused');
  });

  it('hides passwords of URLs side by side, whatever the scheme, and only after a scheme that starts a word', () => {
    expect(redact('a rtsp://u:p@h/x,http://v:q@w:80/ y')).toBe('a rtsp://u:***@h/x,http://v:***@w:80/ y');
    expect(redact('x+svn.ssh://u:p@h rtsp://u:p@h@rtsp://v:q@w')).toBe('x+svn.ssh://u:***@h rtsp://u:***@rtsp://v:***@w');
    expect(redact('_rtsp://u:p@h 1rtsp://u:p@h')).toBe('_rtsp://u:p@h 1rtsp://u:p@h');
  });

  it('takes time in proportion to the text: 4 MB of any shape in well under a second, not hours', () => {
    // "a.a.a…" (a word boundary at every character) took 2.3 s at 40,000 characters and grew with the square.
    for (const text of [
      'a.'.repeat(2_000_000),
      'rtsp://a:'.repeat(450_000),
      'a://'.repeat(1_000_000),
      `rtsp://u:${'@'.repeat(4_000_000)}`,
    ]) {
      const t = performance.now();
      redact(text);
      expect(performance.now() - t, text.slice(0, 12)).toBeLessThan(1000);
    }
  });
});
