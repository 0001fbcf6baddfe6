import { describe, expect, it } from 'vitest';
import { safeNext } from '../../../agent/src/web/redirect.ts';

const origin = 'https://box.example:8443';

describe('where a login goes next', () => {
  it('keeps a page of this server, with its query and fragment', () => {
    expect(safeNext('/cameras/north?tab=zones#draw', origin)).toBe('/cameras/north?tab=zones#draw');
    expect(safeNext('/events/../cameras', origin)).toBe('/cameras');
  });

  it('refuses every way of naming another host, as the browser would read it', () => {
    for (const next of [
      '//evil.example',
      '/\\evil.example',
      '/\\/evil.example',
      '\\\\evil.example',
      '/\t/evil.example',
      '/\n/evil.example',
      'https://evil.example/',
      'javascript:alert(1)',
      '///evil.example',
      '',
      null,
    ]) {
      expect(safeNext(next, origin), JSON.stringify(next)).toBeUndefined();
    }
  });
});
