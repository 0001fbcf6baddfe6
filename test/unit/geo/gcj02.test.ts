import { describe, expect, it } from 'vitest';
import { bd09ToGcj02, bd09ToWgs84, gcj02ToBd09, gcj02ToWgs84, wgs84ToBd09, wgs84ToGcj02 } from '../../../agent/src/geo/gcj02.ts';

type LonLat = [number, number];

/** Metres between two [lon, lat] points (equirectangular; fine at these distances). */
const metres = (a: LonLat, b: LonLat) => {
  const k = (Math.PI / 180) * 6371000;
  return Math.hypot((a[0] - b[0]) * k * Math.cos((a[1] * Math.PI) / 180), (a[1] - b[1]) * k);
};

describe('WGS-84 → GCJ-02 for Chinese map tiles', () => {
  it("shifts Tiananmen's WGS-84 position onto its published GCJ-02 one", () => {
    // Reference pair of the widely used eviltransform/coordtransform test vectors.
    const gcj = wgs84ToGcj02(116.391349, 39.907375);
    expect(metres(gcj, [116.39759, 39.908775])).toBeLessThan(5);
  });
  it('matches the coordtransform reference output for (116.404, 39.915)', () => {
    const gcj = wgs84ToGcj02(116.404, 39.915);
    expect(gcj[0]).toBeCloseTo(116.41024449916938, 9);
    expect(gcj[1]).toBeCloseTo(39.91640428150164, 9);
  });
  it('moves a Shanghai point by the few hundred metres that make the difference on the map, and leaves points abroad alone', () => {
    const wgs: LonLat = [121.4737, 31.2304];
    const shift = metres(wgs84ToGcj02(...wgs), wgs);
    expect(shift).toBeGreaterThan(300);
    expect(shift).toBeLessThan(700);
    expect(wgs84ToGcj02(2.3522, 48.8566)).toEqual([2.3522, 48.8566]);
  });
});

describe('GCJ-02 → WGS-84 (a point picked on a Chinese map back onto our data)', () => {
  it("brings Tiananmen's published GCJ-02 position back to its WGS-84 one", () => {
    expect(metres(gcj02ToWgs84(116.39759, 39.908775), [116.391349, 39.907375])).toBeLessThan(5);
  });
  it('round-trips to under a centimetre across the country, where a one-step inverse is off by up to metres', () => {
    const places: LonLat[] = [
      [121.4737, 31.2304],
      [113.2644, 23.1291],
      [104.0665, 30.5728],
      [87.6168, 43.8256],
      [126.535, 45.8038],
    ];
    for (const p of places) expect(metres(gcj02ToWgs84(...wgs84ToGcj02(...p)), p)).toBeLessThan(0.01);
  });
  it('leaves points outside China alone', () => {
    expect(gcj02ToWgs84(-0.1276, 51.5072)).toEqual([-0.1276, 51.5072]);
  });
});

describe('GCJ-02 ↔ BD-09 for Baidu Maps links', () => {
  it('matches the coordtransform reference outputs for (116.404, 39.915)', () => {
    const bd = gcj02ToBd09(116.404, 39.915);
    expect(bd[0]).toBeCloseTo(116.41036949371029, 9);
    expect(bd[1]).toBeCloseTo(39.92133699351021, 9);
    const gcj = bd09ToGcj02(116.404, 39.915);
    expect(gcj[0]).toBeCloseTo(116.39762729119315, 9);
    expect(gcj[1]).toBeCloseTo(39.90865673957631, 9);
  });
  it("puts Beijing railway station's published GCJ-02 position on its published BD-09 one", () => {
    expect(metres(gcj02ToBd09(116.42703, 39.90245), [116.43351, 39.90851])).toBeLessThan(5);
    expect(metres(bd09ToGcj02(116.43351, 39.90851), [116.42703, 39.90245])).toBeLessThan(5);
  });
  it("goes WGS-84 → BD-09 → WGS-84 back to within a quarter metre (Baidu's inverse is itself approximate)", () => {
    const p: LonLat = [121.4737, 31.2304];
    const bd = wgs84ToBd09(...p);
    expect(metres(bd, p)).toBeGreaterThan(700);
    expect(metres(bd09ToWgs84(...bd), p)).toBeLessThan(0.25);
  });
});
