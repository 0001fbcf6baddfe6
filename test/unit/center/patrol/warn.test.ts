import { describe, expect, it } from 'vitest';
import { contactsOfSpot, warningRequest, warningText } from '../../../../agent/src/center/patrol/warn.ts';

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

  it('finds the shop contacts of a spot by the cameras that saw it or by an area holding it, no one else', () => {
    const square = (lon: number, lat: number): [number, number][] => [
      [lon - 0.001, lat - 0.001],
      [lon + 0.001, lat - 0.001],
      [lon + 0.001, lat + 0.001],
      [lon - 0.001, lat + 0.001],
    ];
    const contacts = [
      { id: 'by-camera', name: 'a', phone: '13800138000', cameras: ['site-1/cam-2'], area: [] },
      { id: 'by-area', name: 'b', phone: '13800138001', cameras: [], area: [square(121.47, 31.23)] },
      { id: 'elsewhere', name: 'c', phone: '13800138002', cameras: ['site-1/cam-1', 'site-2/cam-2'], area: [square(121.5, 31.23)] },
    ];
    expect(contactsOfSpot(contacts, ['site-1/cam-2'], 121.4705, 31.2302).map((c) => c.id)).toEqual(['by-camera', 'by-area']);
    expect(contactsOfSpot(contacts, ['site-1/cam-2'], 121.49, 31.23).map((c) => c.id)).toEqual(['by-camera']);
    // A hand-made order has no camera: its spot alone decides.
    expect(contactsOfSpot(contacts, [], 121.49, 31.23)).toEqual([]);
  });
});
