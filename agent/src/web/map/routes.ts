import { HttpError } from '../http-error.ts';
import type { WebContext } from '../server.ts';
import type { WebRoute } from '../types.ts';
import type { BasemapConfig } from './config.ts';
import { mapStyle } from './style.ts';
import type { TileFile } from './tiles.ts';

const ZXY = /^\d{1,8}$/;

/**
 * The basemap's style and our own tiles (the center's, the box console's). Open to every signed-in user, whatever the
 * role (the officer's phone page draws the same map), and to nobody without a session, like every route. `at` is the
 * map's path in the config, for the words of a request for tiles when there is no file.
 */
export function mapRoutes(map: BasemapConfig, file: TileFile | null, at: string): WebRoute[] {
  return [
    { method: 'GET', path: '/api/map/style.json', handle: (ctx) => ctx.json(200, mapStyle(map, file?.info ?? null)) },
    {
      method: 'GET',
      path: '/tiles/:z/:x/:y',
      handle: async (ctx) => {
        if (!file) throw new HttpError(404, `no tile file configured (${at}.tilesFile)`);
        const [z, x, y] = [ctx.params.z, ctx.params.x, ctx.params.y.replace(/\.\w+$/, '')].map((v) =>
          ZXY.test(v) ? Number(v) : Number.NaN,
        );
        if (!(z <= 24) || !(x < 2 ** z) || !(y < 2 ** z)) throw new HttpError(400, 'expected /tiles/Z/X/Y with 0 ≤ X, Y < 2^Z');
        const tile = z < file.info.minzoom || z > file.info.maxzoom ? null : await file.tile(z, x, y);
        // No tile there (outside the extract): an empty answer the map draws as nothing, not an error.
        if (!tile) return ctx.send(204, 'application/octet-stream', Buffer.alloc(0), { 'Cache-Control': 'private, max-age=3600' });
        ctx.send(200, tile.type, tile.body, {
          'Cache-Control': 'private, max-age=3600',
          ...(tile.gzip ? { 'Content-Encoding': 'gzip' } : {}),
        });
      },
    },
  ];
}

/** A page that draws the map may load from the city's tile server, the one other origin allowed: MapLibre fetches its tiles. */
export function allowTileServer(ctx: WebContext, tileUrl: string | undefined): void {
  if (!tileUrl) return;
  const origin = new URL(tileUrl.replace(/[{}]/g, '')).origin;
  const csp = String(ctx.res.getHeader('Content-Security-Policy'));
  ctx.res.setHeader(
    'Content-Security-Policy',
    csp.replace("img-src 'self'", `img-src 'self' ${origin}`).replace("connect-src 'self'", `connect-src 'self' ${origin}`),
  );
}
