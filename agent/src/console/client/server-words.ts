/*
 * What the box's server says to a page outside a config check (a refusal, a reload that did not take, a calibration
 * the fit refuses) in Chinese for the Chinese pages. The server words them in English for logs and scripts; a message
 * not in this table is shown as it is, and test/unit/console/server-words.test.ts fails for any the code can send.
 */

type Lang = 'zh' | 'en';

const roles = (s: string) => s.replace(/ or /g, '或');

const zhServer: [RegExp, (m: RegExpExecArray) => string][] = [
  // The console's own routes.
  [/^unknown camera "(.*)"/, (m) => `没有名为「${m[1]}」的摄像机`],
  [/^no analysed frame yet/, () => '还没有分析过的画面：请过一秒再试'],
  [/^camera "(.*)" is not in (.*)$/, (m) => `摄像机「${m[1]}」不在配置文件 ${m[2]} 中`],
  [/^(.*) changed since the editor loaded it/, (m) => `配置文件 ${m[1]} 在编辑器载入后已被改动：请刷新页面；未写入任何内容`],
  [
    /^cannot save: (.*) is read-only for the agent \((\w+)\)/,
    (m) =>
      `无法保存：程序对 ${m[1]} 没有写权限（${m[2]}），未写入任何内容。控制台保存时要写配置文件和旁边的备份：docker 部署请去掉配置目录挂载的“:ro”并让 uid 10001 拥有该目录；systemd 部署请把该目录加入 ReadWritePaths= 并给 jifang 用户写权限。也可以按上面的差异手工修改文件后重新加载。`,
  ],
  // The web server every console route goes through.
  [/^refused: the request comes from another site/, () => '已拒绝：请求来自其他网站'],
  [/^refused: missing or wrong CSRF token/, () => '已拒绝：安全令牌缺失或不符（请刷新页面）'],
  [/^refused: this needs the role (.*); you are (.*)$/, (m) => `已拒绝：此操作需要角色 ${roles(m[1])}，您的角色是 ${m[2]}`],
  [/^not signed in/, () => '未登录：请在 /login 登录'],
  [/^wrong user name or password/, () => '用户名或密码错误'],
  [/^not found: (.*)$/, (m) => `找不到：${m[1]}`],
  [/^not found$/, () => '找不到'],
  [/^no such asset/, () => '找不到该页面资源'],
  [/^method not allowed: use (.*)$/, (m) => `不允许此请求方法：请用 ${m[1]}`],
  [/^the address is not valid percent-encoding/, () => '地址中的百分号编码无效'],
  [/^the address is not a valid path/, () => '地址不是有效的路径'],
  [/^expected a path starting with "\/"/, () => '路径应以“/”开头'],
  [/^expected a JSON body/, () => '请求内容应为 JSON（Content-Type: application/json）'],
  [/^expected a body of Content-Type: (\S+)/, (m) => `请求内容的类型应为 ${m[1]}`],
  [/^the body is not valid JSON/, () => '请求内容不是有效的 JSON'],
  [/^the body is (?:over )?(\d+) bytes; at most (\d+) are accepted/, (m) => `请求内容过大（${m[1]} 字节），最多接受 ${m[2]} 字节`],
  // The map's tiles.
  [/^no tile file configured \((.*)\)/, (m) => `未配置地图瓦片文件（${m[1]}）`],
  [/^expected \/tiles\/Z\/X\/Y/, () => '瓦片地址应为 /tiles/Z/X/Y，且 0 ≤ X、Y < 2^Z'],
  // A saved config the running agent did not take up.
  [/^the new config is invalid, the running one is kept:\s*([\s\S]*)$/, (m) => `新配置无效，仍按原配置运行：\n${m[1]}`],
  [
    /^changes to (.*) need a restart of the agent; the running config is kept/,
    (m) => `修改了 ${m[1]}，需要重启程序才能生效；目前仍按原配置运行`,
  ],
  [
    /^new cameras \((.*)\) need a restart of the agent/,
    (m) => `新增的摄像机（${m[1]}）需要重启程序才能生效（证据缓存在启动时建立）；目前仍按原配置运行`,
  ],
  // The calibration's fit, as the page computes it.
  [/^expected at least 4 pixel ↔ geo points, got (\d+)/, (m) => `至少需要 4 个标定点（现有 ${m[1]} 个）`],
  [/^points\[(\d+)\]: expected finite pixel and geo coordinates/, (m) => `第 ${Number(m[1]) + 1} 个点的画面位置或坐标不是有效数字`],
  [
    /^the points do not determine a ground plane/,
    () => '这些点确定不了地面：至少需要 4 个分布开的点（画面上和地面上都不能有 3 个点在一条直线上）',
  ],
  [
    /^the points cannot lie on one ground plane seen by one camera/,
    () => '这些点不可能在同一摄像机看到的同一地面上（有的点被推算到地平线以外）：请检查纬度/经度是否填反，或点与坐标是否对错',
  ],
  [
    /^points\[(\d+)\] and points\[(\d+)\] have the same (\w+)/,
    (m) => `第 ${Number(m[1]) + 1} 个点和第 ${Number(m[2]) + 1} 个点的${m[3] === 'pixel' ? '画面位置' : '坐标'}相同：每个点应不同`,
  ],
  [/^all (\w+) points lie on one line/, (m) => `所有点的${m[1] === 'pixel' ? '画面位置' : '坐标'}都在一条直线上：至少需要 4 个分布开的点`],
  [
    /^(\w+) points\[(\d+)\], points\[(\d+)\] and points\[(\d+)\] lie on one line/,
    (m) =>
      `第 ${Number(m[2]) + 1}、${Number(m[3]) + 1}、${Number(m[4]) + 1} 个点的${m[1] === 'pixel' ? '画面位置' : '坐标'}在一条直线上：只有 4 个点时，任意 3 个都不能共线`,
  ],
];

/** A message of the box's server in the page's language. */
export function serverWords(message: string, lang: Lang): string {
  if (lang === 'en') return message;
  for (const [re, zh] of zhServer) {
    const m = re.exec(message);
    if (m) return zh(m);
  }
  return message;
}
