/** What ffmpeg is reading: decides pacing, timeouts and low-latency flags. */
export type SourceKind = 'rtsp' | 'http' | 'hls' | 'file' | 'image';

const imageExtensions = /\.(png|jpe?g|bmp|webp|tiff?)$/i;
/** Containers and raw streams ffmpeg loops as demo footage. */
const videoExtensions = /\.(mp4|m4v|mov|mkv|webm|avi|flv|ts|mts|m2ts|mpe?g|3gp|h264|264|h265|265|hevc|mjpe?g)$/i;

/** Whether a local file's name says it is a video or an image a camera may be read from. */
export function isMediaFileName(path: string): boolean {
  return imageExtensions.test(path) || videoExtensions.test(path);
}

export function sourceKind(url: string): SourceKind {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined || scheme === 'file') return imageExtensions.test(url) ? 'image' : 'file';
  if (scheme === 'rtsp' || scheme === 'rtsps') return 'rtsp';
  if (scheme === 'http' || scheme === 'https') return /\.m3u8(\?|$)/i.test(url) ? 'hls' : 'http';
  throw new Error(`unsupported stream URL scheme "${scheme}://": expected rtsp://, rtsps://, http(s):// or a file path`);
}

/** Live sources reconnect forever; local files and images fail for good when missing. */
export function isLive(kind: SourceKind): boolean {
  return kind === 'rtsp' || kind === 'http' || kind === 'hls';
}
