import type { Lang } from './lang.ts';

/*
 * The agent's reasons (a stream's failure as ffmpeg's stderr told it, a camera's shortfall) in Chinese for the Chinese
 * pages of both consoles (the box's Health and Cameras pages, the center's Boxes page); the English pages show them
 * as the agent words them. A reason not in the table is shown as it is.
 */

const zhReasons: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^unauthorised \(401\)/, () => '未授权（401）：请检查用户名和密码'],
  [/^forbidden \(403\)/, () => '禁止访问（403）：此用户无权查看视频流'],
  [/^stream not found \(404\)/, () => '找不到视频流（404）：请检查地址中的路径'],
  [/^connection refused/, () => '连接被拒绝：该地址和端口上没有服务在监听'],
  [/^timed out/, () => '超时：摄像机没有响应'],
  [/^host unreachable/, () => '主机不可达：请检查网络和地址'],
  [/^host name not found(?:: (.+))?/, (m) => `找不到主机名${m[1] ? `：${m[1]}` : ''}`],
  [/^recording failed: (.+)/, (m) => `录像失败（视频流仍可读取）：${m[1]}`],
  [/^file not found/, () => '找不到文件'],
  [/^codec unsupported(?:: (\w+))?/, (m) => `不支持的编码${m[1] ? ` ${m[1]}` : ''}：ffmpeg 无法解码此视频流`],
  [/^invalid data/, () => '数据无效：不是 ffmpeg 能读取的视频流或文件'],
  [/^server answered (.+)/, (m) => `服务器返回 ${m[1]}`],
  [/^ingest worker crashed: (.+)/, (m) => `视频接入进程崩溃：${m[1]}`],
  [
    /^analysing ([\d.]+) of ([\d.]+) frames per second/,
    (m) => `每秒只分析了 ${m[1]} / ${m[2]} 帧：盒子跟不上（请减少摄像机、降低分析帧率或缩小分析尺寸）`,
  ],
  [/^the installer's clean-scene reference was replaced/, () => '画面变化后，安装时采集的空场景参考图已被替换：请重新采集'],
];

/** A reason (or several joined by "; ") in the page's language. */
export function streamReasonIn(reason: string, lang: Lang): string {
  if (lang === 'en') return reason;
  return reason
    .split('; ')
    .map((part) => {
      for (const [re, zh] of zhReasons) {
        const m = re.exec(part);
        if (m) return zh(m);
      }
      return part;
    })
    .join('；');
}
