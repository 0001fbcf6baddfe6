/*
 * What an alert object's `trackId` tells a person. No imports: the browser pages use it too.
 */

/**
 * Goods found from many faint detections at one place (scored below what the tracker follows) carry a `trackId` at or
 * below −FAINT_TRACK_ID_BASE: no tracker follows them, so no track number means anything to a person.
 */
export const FAINT_TRACK_ID_BASE = 1_000_000_000;

export const isFaintTrack = (trackId: number): boolean => trackId <= -FAINT_TRACK_ID_BASE;

/** ` #12` after an object's label, or nothing for faint goods. */
export const trackTag = (trackId: number): string => (isFaintTrack(trackId) ? '' : ` #${trackId}`);
