import { api } from '../../web/client/api.ts';
import { data, state } from './state.ts';

/*
 * The phone's position: watched while the page is open (for the geofence and the "where" of each action) and
 * reported to the center every configured interval while on duty. Only while the page is in the foreground: see the
 * README on what a web page cannot do in the background.
 */

let reporter: ReturnType<typeof setInterval> | undefined;

export function watchPosition(changed: () => void): void {
  if (!('geolocation' in navigator)) {
    state.gpsError = 'no geolocation';
    return;
  }
  navigator.geolocation.watchPosition(
    (p) => {
      state.fix = { lon: p.coords.longitude, lat: p.coords.latitude, accuracyM: Math.round(p.coords.accuracy), at: p.timestamp };
      state.gpsError = null;
      changed();
    },
    (err) => {
      state.gpsError = err.code === err.PERMISSION_DENIED ? 'denied' : err.message;
      changed();
    },
    { enableHighAccuracy: true, maximumAge: 10_000, timeout: 30_000 },
  );
}

async function report(): Promise<void> {
  const fix = state.fix;
  // A position is worth sending only while it is current: an old one waiting in a dead zone would mislead the map.
  if (!fix || !state.onDuty || !state.live) return;
  await api('POST', '/api/patrol/position', {
    lon: fix.lon,
    lat: fix.lat,
    ...(fix.accuracyM !== undefined ? { accuracyM: fix.accuracyM } : {}),
    at: new Date(fix.at).toISOString(),
  });
}

/** Starts or stops the interval with the duty; the first report goes at once. */
export function reportWhileOnDuty(): void {
  if (state.onDuty && !reporter) {
    void report().catch(() => {});
    reporter = setInterval(() => void report().catch(() => {}), data.positionIntervalSeconds * 1000);
  } else if (!state.onDuty && reporter) {
    clearInterval(reporter);
    reporter = undefined;
  }
}
