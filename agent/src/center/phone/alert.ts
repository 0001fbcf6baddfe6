/*
 * A task arriving makes itself heard and felt: a chime (an audio file of the center's, so the offline page has it
 * too) and a vibration. Browsers allow sound only after the officer has touched the page once (going on duty does).
 */

const PATTERN = [300, 120, 300];
let chime: HTMLAudioElement | undefined;

export function announceTask(): void {
  chime ??= new Audio('/assets/patrol-chime.wav');
  chime.currentTime = 0;
  chime.play().catch(() => {
    // Not yet allowed (no touch since the page opened): the vibration and the highlighted card still tell.
  });
  if ('vibrate' in navigator) navigator.vibrate(PATTERN);
}
