/** "3 分钟", "45 秒", "1 小时 30 分钟". */
export function durationZh(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} 秒`;
  if (s < 3600) return s % 60 === 0 ? `${s / 60} 分钟` : `${Math.floor(s / 60)} 分 ${s % 60} 秒`;
  const m = Math.round(s / 60);
  return m % 60 === 0 ? `${m / 60} 小时` : `${Math.floor(m / 60)} 小时 ${m % 60} 分钟`;
}
