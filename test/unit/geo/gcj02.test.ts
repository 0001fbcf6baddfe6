import { describe, expect, it } from 'vitest';
import { wgs84ToGcj02 } from '../../../agent/src/geo/gcj02.ts';

/** Metres between two [lon, lat] points (equirectangular; fine at these distances). */
const metres = (a: [number, number], b: [number, number]) => {
  const k = (Math.PI / 180) * 6371000;
  return Math.hypot((a[0] - b[0]) * k * Math.cos((a[1] * Math.PI) / 180), (a[1] - b[1]) * k);
};

describe('WGS-84 → GCJ-02 for Chinese map tiles', () => {
  it("shifts Tiananmen's WGS-84 position onto its published GCJ-02 one", () => {
    // Reference pair of the widely used eviltransform/coordtransform test vectors.
    const gcj = wgs84ToGcj02(116.391349, 39.907375);
    expect(metres(gcj, [116.39759, 39.908775])).toBeLessThan(5);
  });
  it('moves a Shanghai point by the few hundred metres that make the difference on the map, and leaves points abroad alone', () => {
    const wgs: [number, number] = [121.4737, 31.2304];
    const shift = metres(wgs84ToGcj02(...wgs), wgs);
    expect(shift).toBeGreaterThan(300);
    expect(shift).toBeLessThan(700);
    expect(wgs84ToGcj02(2.3522, 48.8566)).toEqual([2.3522, 48.8566]);
  });
});
