import { describe, expect, it } from 'vitest';
import { maskUrlPassword } from '../../../agent/src/core/redact.ts';
import { cameraSourceSchema } from '../../../agent/src/ingest/config.ts';

/** The schema's message for a camera whose url is `url`; undefined when it is accepted. */
function urlMessage(url: string): string | undefined {
  const r = cameraSourceSchema.safeParse({ id: 'cam1', url });
  return r.success ? undefined : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n');
}

describe('camera URL form (checked as written, explained without the password)', () => {
  it.each([
    ['analytics:S3cr3t-pw@192.168.1.64:554/ch1', /"analytics:" is not a stream scheme.*got analytics:\*\*\*@192\.168\.1\.64:554\/ch1$/],
    ['rtsp:/admin:S3cr3t-pw@192.168.1.64/ch1', /"rtsp:" must be followed by "\/\/".*got rtsp:\*\*\*@192\.168\.1\.64\/ch1$/],
    ['rtsp:admin:S3cr3t-pw@192.168.1.64/ch1', /"rtsp:" must be followed by "\/\/"/],
    ['rtsp//admin:S3cr3t-pw@192.168.1.64/ch1', /the ":" after "rtsp" is missing.*got rtsp\/\/admin:\*\*\*@192/],
    ['admin:S3cr3t-pw@192.168.1.64/ch1', /"admin:" is not a stream scheme/],
    ['rtsp://admin:S3c/r3t-pw@192.168.1.64/ch1', /raw "\/".*"\/" as %2F.*got rtsp:\/\/admin:\*\*\*@192\.168\.1\.64\/ch1$/],
    ['rtsp://admin:S3c#r3t?pw@192.168.1.64/ch1', /raw "#", "\?".*"#" as %23, "\?" as %3F/],
    ['rtsp://admin:S3c@r3t-pw@192.168.1.64/ch1', /raw "@".*"@" as %40/],
  ])('%s is refused in words, the password never shown', (url, message) => {
    const got = urlMessage(url);
    expect(got).toMatch(/^url: /);
    expect(got).toMatch(message);
    expect(got).not.toMatch(/S3c|r3t/);
  });

  it.each([
    'rtsp://admin:S3cr3t%2Fpw@192.168.1.64:554/ch1',
    'rtsp://admin:${env:CAM_PASS}@192.168.1.64/ch1',
    'rtsp://admin:${file:/etc/jifang/secrets/cam}@192.168.1.64/ch1',
    'rtsp://192.168.1.64:554/path@x',
    'https://nvr.example/snap.jpg?user=a@b.com',
    'samples/street.mp4',
    '/var/lib/jifang/demo.mp4',
  ])('%s is accepted', (url) => {
    expect(urlMessage(url)).toBeUndefined();
  });

  it('a typo in a placeholder URL is shown with the placeholder, never the value it would expand to', () => {
    const got = urlMessage('analytics:${env:CAM_PASS}@192.168.1.64/ch1');
    expect(got).toContain('got analytics:***@192.168.1.64/ch1');
  });

  it('maskUrlPassword hides the user info of malformed URLs as well as of good ones', () => {
    expect(maskUrlPassword('rtsp://admin:pw@h/p')).toBe('rtsp://admin:***@h/p');
    expect(maskUrlPassword('rtsp://pw@h/p')).toBe('rtsp://***@h/p');
    expect(maskUrlPassword('rtsp:/admin:p/w@h/p')).toBe('rtsp:***@h/p');
    expect(maskUrlPassword('samples/a.mp4')).toBe('samples/a.mp4');
  });
});
