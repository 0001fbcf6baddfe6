import { describe, expect, it } from 'vitest';
import { hideCredentials } from '../../../agent/src/ingest/private-input.ts';

describe('hideCredentials', () => {
  it('moves a URL with a password and its demuxer options into a list read from fd 3', () => {
    const r = hideCredentials([
      '-hide_banner',
      '-rtsp_transport',
      'tcp',
      '-timeout',
      '5000000',
      '-threads',
      '1',
      '-i',
      "rtsp://admin:it's/secret@10.0.0.5/live",
      '-f',
      'rawvideo',
      'pipe:1',
    ]);
    expect(r.args.join(' ')).not.toContain('secret');
    expect(r.args.join(' ')).toBe(
      '-hide_banner -threads 1 -f concat -safe 0 -protocol_whitelist pipe,file,rtsp,rtp,srtp,tcp,udp,tls,http,https,httpproxy,crypto,hls -i pipe:3 -f rawvideo pipe:1',
    );
    expect(r.pipes).toEqual([
      "ffconcat version 1.0\nfile 'rtsp://admin:it'\\''s/secret@10.0.0.5/live'\noption rtsp_transport tcp\noption timeout 5000000\n",
    ]);
  });

  it('leaves inputs without credentials, files among them, as they are', () => {
    const args = ['-rtsp_transport', 'tcp', '-i', 'rtsp://10.0.0.5/live', '-f', 'concat', '-i', '/tmp/x.ffconcat', 'out.mp4'];
    expect(hideCredentials(args)).toEqual({ args, pipes: [] });
  });
});
