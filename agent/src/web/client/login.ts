import { webMessages } from '../messages.ts';
import { safeNext } from '../redirect.ts';
import { ApiError, api } from './api.ts';
import { switchLang, translator } from './i18n.ts';

const t = translator(webMessages);
const form = document.getElementById('login') as HTMLFormElement;
const error = document.getElementById('login-error')!;
document.getElementById('lang-switch')!.addEventListener('click', switchLang);

form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  const data = new FormData(form);
  error.textContent = '';
  const button = document.getElementById('login-submit') as HTMLButtonElement;
  button.disabled = true;
  api<{ home: string }>('POST', '/api/login', { user: String(data.get('user')), password: String(data.get('password')) })
    .then((r) => {
      location.href = safeNext(new URLSearchParams(location.search).get('next'), location.origin) ?? r.home;
    })
    .catch((err: unknown) => {
      if (err instanceof ApiError && err.status === 401) error.textContent = t('login.wrong');
      else if (err instanceof ApiError && err.status === 429 && err.message.startsWith('locked'))
        error.textContent = t('login.locked', { m: Math.ceil((err.retryAfter ?? 60) / 60) });
      else if (err instanceof ApiError && err.status === 429) error.textContent = t('login.slowed', { s: err.retryAfter ?? 1 });
      else error.textContent = t('login.failed', { error: (err as Error).message });
    })
    .finally(() => (button.disabled = false));
});
