import type { Alert } from '../contract/alert.ts';
import { isFaintTrack } from '../contract/track-id.ts';
import { formatDuration } from '../rules/describe.ts';

/**
 * One line per alert for the console, what an installer watching `jifang run` wants at a glance:
 * `2025-05-06T02:03:05.000Z STARTED illegal_parking 机动车乱停放 (rule illegal_parking) cam1/kerb (Kerb on Main St) dwell 1 min 5 s:
 * car 0.87 #3 苏ED51712 green at 31.2304100,121.4737200 (calibrated, No. 5 Main St) id cam1-… #0`
 * The event's category (the operator's word, e.g. `piled_materials 乱堆物堆料`) comes first, the rule that decided
 * it after: a `static_object` rule may be filed as piles, garbage or a blocked lane.
 */
export function formatAlertLine(alert: Alert): string {
  const where = `${alert.camera}${alert.cameraName ? ` (${alert.cameraName})` : ''}/${alert.zone}${alert.zoneName ? ` (${alert.zoneName})` : ''}`;
  const objects =
    alert.objects.length > 0
      ? alert.objects
          .map(
            (o) =>
              `${o.label} ${o.score.toFixed(2)} ${isFaintTrack(o.trackId) ? '(faint)' : `#${o.trackId}`}${o.plate ? ` ${o.plate.text} ${o.plate.colour}` : ''}`,
          )
          .join(', ')
      : 'no objects';
  const [lon, lat] = alert.location.coordinates;
  const place = `${lat.toFixed(7)},${lon.toFixed(7)} (${alert.locationSource === 'calibrated' ? 'calibrated' : 'camera position'}${alert.address ? `, ${alert.address}` : ''})`;
  const time = alert.endedAt ?? alert.observedAt;
  const parts = [
    time,
    alert.state.toUpperCase(),
    eventWords(alert),
    where,
    `dwell ${formatDuration(alert.dwellSeconds)}:`,
    objects,
    `at ${place}`,
    alert.reason ? `— ${alert.reason}` : '',
    alert.operator ? `[${alert.operator.action} by ${alert.operator.by}]` : '',
    `id ${alert.id} #${alert.seq}`,
  ];
  return escapeControls(parts.filter((p) => p !== '').join(' '));
}

/** `piled_materials 乱堆物堆料 (rule static_object)`; the rule type alone for an alert without a category. */
export function eventWords(alert: Pick<Alert, 'type' | 'category'>): string {
  return alert.category ? `${alert.category.id} ${alert.category.name} (rule ${alert.type})` : alert.type;
}

/**
 * Names, addresses and operator words come from configs and commands: a line break or an escape sequence in one of
 * them must not print a second, forged alert line or recolour the terminal. Shown as `\n`, `\u001b`….
 */
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeControls(line: string): string {
  return line.replace(CONTROLS, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
