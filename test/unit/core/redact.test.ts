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
});
