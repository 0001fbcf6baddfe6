import { describe, expect, it } from 'vitest';
import { warningRequest, warningText } from '../../../../agent/src/center/patrol/warn.ts';

const words = {
  orderId: 'wo-0123456789ab',
  category: 'street_vending',
  categoryName: '占道经营',
  address: '南京东路 1 号',
  time: '16:05',
  lon: 121.47,
  lat: 31.23,
};

describe('warning before dispatch', () => {
  it('puts the order’s words into the device call: URL (encoded), text body and JSON body', () => {
    const text = warningRequest(
      {
        url: 'http://10.0.0.9/say?where={{address}}',
        method: 'POST',
        headers: {},
        body: '{{time}} {{address}}：{{categoryName}}',
        timeoutSeconds: 5,
      },
      words,
    );
    expect(text.url).toBe(`http://10.0.0.9/say?where=${encodeURIComponent('南京东路 1 号')}`);
    expect(text.body).toBe('16:05 南京东路 1 号：占道经营');
    expect(text.headers['content-type']).toBe('text/plain; charset=utf-8');
    const json = warningRequest(
      {
        url: 'http://led/',
        method: 'PUT',
        headers: { 'X-Key': 'k' },
        body: { line: '{{categoryName}}', at: '{{lon}}' },
        timeoutSeconds: 5,
      },
      words,
    );
    expect(JSON.parse(json.body ?? '')).toEqual({ line: '占道经营', at: 121.47 });
    expect(json.headers).toEqual({ 'content-type': 'application/json', 'X-Key': 'k' });
  });

  it('words the message for a forwarder', () => {
    expect(warningText({ text: '{{address}}：{{categoryName}}，请立即整改。' }, words)).toBe('南京东路 1 号：占道经营，请立即整改。');
  });
});
