/** The tracker settings that bound what a rule can see: no object is followed before a detection scores this much. */
export interface TrackLimits {
  newTrackScore: number;
}
