import type { TrackLimits } from './limits.ts';

export interface ThresholdWarning {
  /** Field path from the camera, e.g. `zones[0].rules[1].minScore`. */
  path: string;
  message: string;
}

/**
 * Rule settings that look like they do something and do not: a `minScore` under the tracker's new-track score
 * admits no new object the tracker would not already have refused.
 */
export function thresholdWarnings(camera: {
  zones: readonly { rules: readonly { minScore: number }[] }[];
  tracker: TrackLimits;
}): ThresholdWarning[] {
  const { newTrackScore } = camera.tracker;
  return camera.zones.flatMap((zone, zi) =>
    zone.rules.flatMap((rule, ri) =>
      rule.minScore < newTrackScore
        ? [
            {
              path: `zones[${zi}].rules[${ri}].minScore`,
              message:
                `${rule.minScore} is below the tracker's newTrackScore ${newTrackScore}: no object is followed until a detection scores ${newTrackScore}, ` +
                `so the rule's effective threshold is ${newTrackScore}; lower tracker.newTrackScore (and tracker.highScore) to see weaker objects, or set minScore ≥ ${newTrackScore}`,
            },
          ]
        : [],
    ),
  );
}
