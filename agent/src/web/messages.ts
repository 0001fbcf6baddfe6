import type { Messages } from './lang.ts';

/** The login page's and the shared page chrome's words. */
export const webMessages = {
  'login.title': { zh: '登录', en: 'Log in' },
  'login.user': { zh: '用户名', en: 'User name' },
  'login.password': { zh: '密码', en: 'Password' },
  'login.submit': { zh: '登录', en: 'Log in' },
  'login.wrong': { zh: '用户名或密码错误', en: 'Wrong user name or password' },
  'login.slowed': { zh: '登录失败次数过多：请 {s} 秒后再试', en: 'Too many failed logins: try again in {s} s' },
  'login.locked': {
    zh: '登录失败次数过多，已锁定：请 {m} 分钟后再试',
    en: 'Locked out after repeated failed logins: try again in {m} min',
  },
  'login.failed': { zh: '登录失败：{error}', en: 'Login failed: {error}' },
  'nav.logout': { zh: '退出', en: 'Log out' },
  'nav.lang': { zh: 'English', en: '中文' },
  'error.session': { zh: '登录已过期，请重新登录', en: 'Your session has ended: please log in again' },
} satisfies Messages;
