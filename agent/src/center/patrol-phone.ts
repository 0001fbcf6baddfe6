import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import type { Asset, AssetSources } from '../web/assets.ts';
import { HttpError } from '../web/http-error.ts';
import type { Lang } from '../web/lang.ts';
import { escapeHtml } from '../web/pages.ts';
import type { WebContext, WebRoute } from '../web/server.ts';
import type { CenterConfig } from './config.ts';
import { PATROL_API_ROLES } from './patrol/access.ts';
import type { Order } from './patrol/schema.ts';
import { type BriefStore, briefOf } from './patrol-brief.ts';
import type { PhonePageData } from './phone/brief.ts';

/*
 * The officer's phone page (/patrol) as the center serves it: its own bundle and style, the web app manifest and
 * icons (drawn here, nothing fetched), the chime, and the service worker with the list of what it keeps offline.
 */

const here = dirname(fileURLToPath(import.meta.url));
const phoneDir = join(here, 'phone');

/** The phone page's sources, bundled at start beside the center's own. */
export const PHONE_SOURCES: Required<AssetSources> = {
  scripts: { 'patrol-sw': join(phoneDir, 'sw.ts') },
  styles: { patrol: join(phoneDir, 'phone.css') },
  // The map (MapLibre, about 1 MB) is a chunk the page loads when a map is first shown, not with the page.
  split: { patrol: join(phoneDir, 'main.ts') },
};

/** What the installed app needs before a login (browsers fetch the manifest and icons without the session cookie). */
export const PHONE_PUBLIC_ASSETS = ['patrol.webmanifest', 'patrol-192.png', 'patrol-512.png'];

/** What the service worker keeps so that the page opens in a dead zone. */
const SHELL = ['patrol.js', 'patrol.css', 'web.css', 'patrol-chime.wav', 'patrol-192.png', 'patrol.webmanifest'];

const THEME = '#0b5cad';

/** The app icon: a shield with a check, in the center's blue (drawn as SVG, rendered to PNG by sharp). */
function iconSvg(size: number): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 96 96">
<rect width="96" height="96" fill="${THEME}"/>
<path d="M48 14 L76 24 V46 C76 64 64 76 48 82 C32 76 20 64 20 46 V24 Z" fill="#fff"/>
<path d="M35 48 L45 58 L63 38" fill="none" stroke="${THEME}" stroke-width="7" stroke-linecap="round" stroke-linejoin="round"/>
</svg>`;
}

/** The task chime: two short tones (880 Hz then 1320 Hz), 16-bit mono PCM WAV. */
export function chimeWav(sampleRate = 16_000): Buffer {
  const tones = [
    { hz: 880, s: 0.18 },
    { hz: 0, s: 0.06 },
    { hz: 1320, s: 0.28 },
  ];
  const samples = tones.flatMap(({ hz, s }) => {
    const n = Math.round(s * sampleRate);
    return Array.from({ length: n }, (_, i) => {
      const fade = Math.min(1, i / 200, (n - i) / 400);
      return hz === 0 ? 0 : Math.round(0.6 * 32767 * fade * Math.sin((2 * Math.PI * hz * i) / sampleRate));
    });
  });
  const data = Buffer.alloc(samples.length * 2);
  samples.forEach((v, i) => data.writeInt16LE(v, i * 2));
  const head = Buffer.alloc(44);
  head.write('RIFF', 0);
  head.writeUInt32LE(36 + data.length, 4);
  head.write('WAVEfmt ', 8);
  head.writeUInt32LE(16, 16);
  head.writeUInt16LE(1, 20);
  head.writeUInt16LE(1, 22);
  head.writeUInt32LE(sampleRate, 24);
  head.writeUInt32LE(sampleRate * 2, 28);
  head.writeUInt16LE(2, 32);
  head.writeUInt16LE(16, 34);
  head.write('data', 36);
  head.writeUInt32LE(data.length, 40);
  return Buffer.concat([head, data]);
}

function manifest(cfg: CenterConfig): string {
  return JSON.stringify({
    name: `${cfg.name} · 巡查 Patrol`,
    short_name: '巡查',
    start_url: '/patrol',
    scope: '/patrol',
    display: 'standalone',
    orientation: 'portrait',
    background_color: '#ffffff',
    theme_color: THEME,
    icons: [
      { src: '/assets/patrol-192.png', sizes: '192x192', type: 'image/png', purpose: 'any maskable' },
      { src: '/assets/patrol-512.png', sizes: '512x512', type: 'image/png', purpose: 'any maskable' },
    ],
  });
}

const etag = (body: Buffer) => `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`;

/** Adds the manifest, icons and chime to the bundled assets, and makes the service worker over this build's shell. */
export async function addPhoneAssets(assets: Map<string, Asset>, cfg: CenterConfig): Promise<void> {
  const add = (name: string, body: Buffer, type: string) => assets.set(name, { body, type, etag: etag(body) });
  for (const size of [192, 512])
    add(
      `patrol-${size}.png`,
      await sharp(Buffer.from(iconSvg(size)))
        .png()
        .toBuffer(),
      'image/png',
    );
  add('patrol.webmanifest', Buffer.from(manifest(cfg)), 'application/manifest+json; charset=utf-8');
  add('patrol-chime.wav', chimeWav(), 'audio/wav');
  // The page's script and the chunks it cannot run without (the map's chunk is left out: it needs the network anyway).
  const shell = [...SHELL, ...(assets.get('patrol.js')?.chunks ?? [])];
  const version = createHash('sha256')
    .update(shell.map((n) => assets.get(n)?.etag ?? n).join())
    .digest('hex')
    .slice(0, 12);
  const info = { version, urls: ['/patrol', ...shell.map((n) => `/assets/${n}`)] };
  const sw = assets.get('patrol-sw.js');
  if (!sw) throw new Error('the patrol service worker was not bundled');
  assets.set('patrol-sw.js', { ...sw, body: Buffer.concat([Buffer.from(`self.JIFANG_SHELL=${JSON.stringify(info)};\n`), sw.body]) });
}

function phonePage(lang: Lang, csrf: string, data: PhonePageData): string {
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<meta name="theme-color" content="${THEME}"><meta name="csrf-token" content="${escapeHtml(csrf)}">
<link rel="manifest" href="/assets/patrol.webmanifest"><link rel="icon" href="/assets/patrol-192.png"><link rel="apple-touch-icon" href="/assets/patrol-192.png">
<title>${escapeHtml(data.name)} · ${lang === 'zh' ? '巡查' : 'Patrol'}</title>
<link rel="stylesheet" href="/assets/web.css"><link rel="stylesheet" href="/assets/patrol.css"></head>
<body class="phone"><div id="app"></div><script type="application/json" id="page-data">${json}</script>
<script type="module" src="/assets/patrol.js"></script></body></html>`;
}

export interface PhoneDeps {
  cfg: CenterConfig;
  assets: Map<string, Asset>;
  store: BriefStore;
  /** An order as the actor may read it (an officer only his unit's); refusals carry their HTTP status. */
  getOrder(actor: { user: string; role: string }, id: string): Promise<Order>;
}

async function readableOrder(d: PhoneDeps, ctx: WebContext): Promise<Order> {
  try {
    return await d.getOrder({ user: ctx.session.user, role: ctx.session.role }, ctx.params.id);
  } catch (err) {
    const status = (err as { status?: unknown }).status;
    if (typeof status === 'number') throw new HttpError(status, (err as Error).message);
    throw err;
  }
}

/**
 * `/patrol` (the page), `/patrol-sw.js` (its service worker, whose address sets its reach to /patrol), and what the
 * phone shows of an order beyond the order (its first alert's words).
 */
export function phoneRoutes(d: PhoneDeps): WebRoute[] {
  const page = (ctx: WebContext) =>
    ctx.html(
      200,
      phonePage(ctx.lang, ctx.session.csrf, {
        name: d.cfg.name,
        user: ctx.session.user,
        role: ctx.session.role,
        positionIntervalSeconds: d.cfg.patrol.phone.positionIntervalSeconds,
        geofenceMeters: d.cfg.patrol.phone.geofenceMeters,
      }),
    );
  const sw = (ctx: WebContext) => {
    const asset = d.assets.get('patrol-sw.js')!;
    ctx.send(200, asset.type, asset.body, { 'Cache-Control': 'no-cache' });
  };
  return [
    { method: 'GET', path: '/patrol', roles: ['patrol', 'admin'], handle: page },
    { method: 'GET', path: '/patrol-sw.js', roles: ['patrol', 'admin'], handle: sw },
    {
      method: 'GET',
      path: '/api/patrol/orders/:id/brief',
      roles: PATROL_API_ROLES,
      handle: async (ctx) => ctx.json(200, await briefOf(d.store, await readableOrder(d, ctx))),
    },
  ];
}
