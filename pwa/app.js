/* 照应 — the shell: small helpers, the hash router, login and logout, the language, the outbox
 * seen from the page, the inbox. The other screens live in modules of their own (caregiver.js,
 * volunteer.js, staff.js, …), each registering its screens with App.screen and taking what it
 * shares from App. The shell imports a module the first time one of its screens is opened
 * (SCREENS below), so the login needs only this file and the four below it, and each role fetches
 * its own screens, never the others'. What a screen showed last is kept in IndexedDB, so the app
 * opens with it in a dead zone. */
import { API } from './api.js';
import { I18N, t } from './i18n.js';
import { ZY } from './outbox.js';

const view = document.getElementById('view');
const statusBox = document.getElementById('status');
const titleEl = document.getElementById('title');
const backBtn = document.getElementById('back');
const badge = document.getElementById('outbox-badge');
const langBtn = document.getElementById('lang');
let catalogue = null;
const screens = Object.create(null); // hash name → { render(arg), back, refreshOnFlush }
let me = null; // the logged-in user, as the last route() found it
// app.css arrives beside the modules instead of blocking the first paint (index.html preloads it
// under media=print); it applies from here, and the first screen waits for it.
const styled = new Promise((resolve) => {
  const css = document.getElementById('app-css');
  css.media = 'all';
  if (css.sheet) resolve();
  else { css.addEventListener('load', resolve); css.addEventListener('error', resolve); }
});

/** Which module shows which screens (tests/pwa/test_modules.py holds each module to its list). */
const SCREENS = {
  caregiver: ['home', 'progress', 'person', 'checkin'],
  cadre: ['cadre', 'pair-checkin'],
  volunteer: ['volunteer', 'activity'],
  fieldreport: ['report', 'my-reports'],
  staff: ['staff', 'exceptions', 'alerts', 'dashboard'],
  district: ['district'],
  coverage: ['coverage', 'unvisited', 'missed', 'amendments'],
  services: ['services', 'service-record', 'statement', 'providers', 'service-policy'],
  lifecycle: ['roster', 'exit', 'absence', 'left-care'],
  evaluation: ['evaluations', 'evaluate', 'centralisation'],
  // the office's screens, which the service worker keeps only for staff (sw.js OFFICE)
  imports: ['import'],
  policy: ['quota-policy', 'visit-rates', 'person-groups'],
  relief: ['relief', 'casework-policy'],
  pairing: ['pairing', 'pairing-rule', 'pairing-annex'],
  festival: ['festivals', 'festival', 'festival-list'],
  campaigns: ['campaigns', 'campaign', 'campaign-policy'],
  spotchecks: ['spot-checks'],
  reports: ['reports'],
  review: ['reviews'],
  carehomes: ['care-homes', 'care-home', 'move'],
  intake: ['intake', 'application'],
  agreements: ['agreements', 'agreement', 'organisations'],
  localnumbers: ['local-numbers'],
};
const moduleOf = Object.create(null); // screen name → its module's URL
for (const [file, names] of Object.entries(SCREENS)) for (const name of names) moduleOf[name] = `/${file}.js`;
/** Where each role lands after the login: its home screen, whose module is the first it fetches. */
const HOMES = { caregiver: '#/home', cadre: '#/cadre', volunteer: '#/volunteer', township_staff: '#/staff', district_admin: '#/district' };
const OFFICE = new Set(['township_staff', 'district_admin']);
const imported = Object.create(null); // module URL → its import, one per module
let failures = 0;

/** The module of screen `name`, imported once. The browser's module map keeps a failed import
 * failed, so an attempt after a failure (offline, say) asks under a new URL, which the service
 * worker answers from its cache all the same. */
function load(name) {
  const src = moduleOf[name];
  if (!src || screens[name]) return Promise.resolve();
  imported[src] = imported[src] || import(failures ? `${src}?retry=${failures}` : src).catch(() => {
    delete imported[src];
    failures += 1;
    throw new API.ApiError(0, { message: t('offline') });
  });
  return imported[src];
}

/** Staff open the office's screens offline too: asked once a page, the service worker keeps
 * their modules (a caregiver's phone never fetches them). */
let officeKept = false;
function keepOfficeOffline() {
  if (officeKept || !('serviceWorker' in navigator)) return;
  officeKept = true;
  navigator.serviceWorker.ready.then((r) => r.active && r.active.postMessage({ type: 'keep-office' }));
}

/** A screen at #/name[/arg]; `back` shows the back button, `refreshOnFlush` redraws it when the
 * outbox has sent or dropped something while it is shown. */
function screen(name, render, { back = false, refreshOnFlush = false } = {}) {
  screens[name] = { render, back, refreshOnFlush };
}

// ---- small helpers -------------------------------------------------------------------------

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === false || v === null || v === undefined) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'style') el.style.cssText = v; // CSSOM: a style attribute would break the CSP
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

function show(title, ...nodes) {
  titleEl.textContent = title;
  const current = screens[location.hash.split('/')[1]];
  backBtn.hidden = !(current && current.back);
  view.replaceChildren(...nodes.flat(2).filter((n) => n !== null && n !== undefined && n !== false));
  window.scrollTo(0, 0);
}

function say(text, isError) {
  statusBox.textContent = text || '';
  statusBox.className = isError ? 'error' : '';
}

// A message that must outlive the navigation that follows it.
let nextStatus = null;
function sayAfterNavigation(text, isError) { nextStatus = [text, isError]; }

const fmtDate = (iso) => (iso ? new Date(iso).toLocaleDateString(I18N.lang, { month: 'long', day: 'numeric' }) : '');
// Days, months and times as the server counts them: in Shanghai, whatever the phone's zone.
const ZONE = 'Asia/Shanghai';
// a day of another year than this one says its year (last December's exceptions are not next month's)
const yearOf = (d) => d.toLocaleDateString('sv-SE', { timeZone: ZONE }).slice(0, 4);
const yearIfOther = (d) => (yearOf(d) === yearOf(new Date()) ? {} : { year: 'numeric' });
const fmtTime = (iso) => { const d = new Date(iso); return d.toLocaleString(I18N.lang, { ...yearIfOther(d), month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: ZONE }); };
const fmtDay = (iso) => { if (!iso) return ''; const d = new Date(iso.length === 10 ? `${iso}T12:00+08:00` : iso);
  return d.toLocaleDateString(I18N.lang, { ...yearIfOther(d), month: 'long', day: 'numeric', timeZone: ZONE }); };
const fmtClock = (iso) => new Date(iso).toLocaleTimeString(I18N.lang, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: ZONE });
const fmtMonth = (ym) => (ym ? new Date(`${ym}-15T12:00+08:00`).toLocaleDateString(I18N.lang, { year: 'numeric', month: 'long', timeZone: ZONE }) : '');
/** Today in Shanghai, YYYY-MM-DD: the day the server counts (never the phone's own zone). */
const today = () => new Date().toLocaleDateString('sv-SE', { timeZone: ZONE });
/** YYYY-MM of the month `k` months after this one (before it when negative), in Shanghai. */
const monthFrom = (k = 0) => {
  const [y, m] = today().split('-').map(Number);
  const i = y * 12 + m - 1 + k;
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
};
const levelLabel = (level) => t(`level_${level}`);
const go = (hash) => { if (location.hash === hash) route(); else location.hash = hash; };
// The screens of this visit to the app, in the order the user went through them (route keeps
// it): what leaveFor reads to tell where a form was opened from.
const trail = [];
function remember(hash) {
  if (trail.length > 1 && trail[trail.length - 2] === hash) trail.pop(); // ‹ back
  else if (trail[trail.length - 1] !== hash) trail.push(hash);
}
/** Leave a form once kept or saved for `hash`: back to it when that is where the form was
 * opened from, else to it in the form's place — so ‹ from what follows never leads to the form,
 * blank (issue 28 problem 7). */
function leaveFor(hash) {
  if (trail.length > 1 && trail[trail.length - 2] === hash) { history.back(); return; }
  trail[trail.length - 1] = hash;
  history.replaceState(null, '', hash);
  say(...(nextStatus || [''])); nextStatus = null;
  route();
}

/** Hand a file (a spreadsheet the API made) to the browser to save under `name`. */
function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

/** The API, with what it answered last kept for offline use under `key`; `next`: the cursor of
 * a list's next page (null after the last, and offline). */
async function cached(key, path) {
  try {
    const token = await ZY.kv.get('token');
    const { data, next } = await API.page(path);
    // an answer that arrives after a logout is not kept for the next user of this phone: checked
    // again once written, since the logout may clear the store between the check and the write
    if (token && (await ZY.kv.get('token')) === token) {
      await ZY.kv.set(key, data);
      if ((await ZY.kv.get('token')) !== token) await ZY.kv.del(key);
    }
    return { data, stale: false, next };
  } catch (err) {
    if (err.status === 401) throw err;
    const data = await ZY.kv.get(key);
    if (data === undefined) throw err;
    return { data, stale: true, next: null };
  }
}

/** A list read a page at a time behind a 加载更多 button, hidden after the last page: `load(after)`
 * answers as API.page does ({ data, next }) for the page after the cursor `after` (null: the
 * first), and `draw` makes each item's node in `list`. `first`: a page the caller has already,
 * with `after` the cursor of the one after it; without them, `more()` reads the first. */
function pager({ list, draw, load, id, first = [], after = null }) {
  list.append(...first.map(draw));
  let cursor = after;
  const button = h('button', { type: 'button', id, hidden: !cursor }, t('load_more'));
  async function more() {
    button.disabled = true;
    try {
      const { data, next } = await load(cursor);
      list.append(...data.map(draw));
      cursor = next;
      button.hidden = !next;
    } finally {
      button.disabled = false;
    }
  }
  button.addEventListener('click', () => guard(more));
  return { button, more };
}

async function loadCatalogue() {
  if (!catalogue || catalogue.lang !== I18N.lang) {
    const { data } = await cached(`catalogue:${I18N.lang}`, '/api/visits/catalogue');
    catalogue = { ...data, lang: I18N.lang };
  }
  return catalogue;
}

async function currentUser() { return ZY.kv.get('user'); }

/** The district's civil affairs bureau by its own name from the place tree (敖汉旗民政局), for
 * "已上报…"; the generic words while the tree cannot be read. */
async function districtOffice() {
  try {
    const { data } = await cached('districts', '/api/places');
    if (data.length === 1) return t('district_office', { name: data[0].name });
  } catch (err) { if (err.status === 401) throw err; }
  return t('district_office_any');
}

async function loginAgain() {
  await ZY.kv.del('token');
  if (location.hash === '#/login') say(t('session_expired'), true);
  else sayAfterNavigation(t('session_expired'), true);
  go('#/login');
}

async function guard(fn) {
  try {
    await fn();
  } catch (err) {
    if (err.status === 401) return loginAgain();
    if (err.status === 403 && err.body && err.body.reason === 'password_change_required') return mustChangePassword();
    say(err.message, true);
  }
}

// ---- outbox ----------------------------------------------------------------------------------

/** The badge counts what waits under this login; entries another user of this phone left are
 * kept for them and shown on the outbox screen. */
async function refreshBadge() {
  const user = await currentUser();
  const n = await ZY.outbox.countFor(user ? user.id : undefined);
  badge.hidden = n === 0;
  badge.textContent = t('outbox_count', { n });
}

// While online, an entry that failed is tried again when its wait (ZY.backoff) is over,
// without anyone tapping anything; `online`, showing the app and 立即发送 try at once.
let retryTimer = null;
function scheduleRetry(nextTry) {
  clearTimeout(retryTimer);
  retryTimer = null;
  if (!nextTry) return;
  retryTimer = setTimeout(() => { retryTimer = null; if (navigator.onLine) flushOutbox(); }, Math.max(0, nextTry - Date.now()));
}

async function flushOnce() {
  const token = await ZY.kv.get('token');
  if (!token) return null;
  const result = await ZY.flush();
  scheduleRetry(result.nextTry);
  await refreshBadge();
  if (result.stoppedBy === 'unauthorized') await loginAgain();
  else if (result.rejected) say(t('failed_items'), true);
  else if (result.sent) say(t('sent_n', { n: result.sent }));
  if (result.sent || result.rejected) document.dispatchEvent(new CustomEvent('outbox-flushed'));
  return result;
}

// One flush at a time; a trigger that arrives during one (the network came back while the last
// attempt was failing) runs another right after, instead of being lost.
let flushing = null;
let again = false;
function flushOutbox() {
  if (flushing) { again = true; return flushing; }
  flushing = (async () => {
    let result;
    do { again = false; result = await flushOnce(); } while (again);
    return result;
  })().finally(() => { flushing = null; });
  return flushing;
}

/** Keep a request in the outbox (sent now if there is a network, else when there is), say so,
 * and go on to ``next``. A JSON ``body`` is stored as its bytes. */
/** Keep an entry in the outbox under the logged-in user (only their login ever sends it), then
 * `kept()` (the form forgets its draft), go to `next` and try to send. */
async function enqueue(entry, next, kept) {
  const user = await currentUser();
  const body = entry.contentType === 'application/json' && !(entry.body instanceof ArrayBuffer)
    ? new TextEncoder().encode(JSON.stringify(entry.body)).buffer : entry.body;
  await ZY.outbox.add({ ...entry, body, userId: user && user.id, userName: user && user.display_name });
  if (kept) await kept();
  await refreshBadge();
  sayAfterNavigation(t('saved_will_send'));
  leaveFor(next);
  requestSync();
  flushOutbox();
}

async function requestSync() {
  if (!('serviceWorker' in navigator)) return;
  const reg = await navigator.serviceWorker.ready;
  if ('sync' in reg) {
    try { await reg.sync.register('outbox'); } catch (e) { /* the page flushes by itself too */ }
  }
}

/** The camera input (the back camera on a phone), each photo scaled down on the phone and shown;
 * `restore(blobs)` puts a draft's photos back, `onChange()` hears of every photo added. */
function photoPicker(inputId, previewId, { onChange } = {}) {
  const photos = [];
  const preview = h('div', { class: 'thumbs', id: previewId });
  const count = h('p', { id: `${inputId}-count`, class: 'muted' });
  const add = (blob) => {
    photos.push(blob);
    preview.append(h('img', { src: URL.createObjectURL(blob), alt: '' }));
    count.textContent = t('photo_added', { n: photos.length });
  };
  const input = h('input', {
    type: 'file', accept: 'image/*', capture: 'environment', id: inputId, class: 'file-input',
    onchange: async () => {
      for (const file of input.files) {
        if (photos.length >= 6) break;
        add((await (await import('./camera.js')).Camera.downscale(file)).blob);
      }
      input.value = '';
      if (onChange) onChange();
    },
  });
  const restore = (blobs) => { for (const b of blobs) add(b); };
  return { photos, input, preview, count, restore };
}

// ---- forms: errors beside their fields, and no leaving with unsaved changes unasked ------------

/** Show each [element, message] as an error just after its element (or inside a `.field-slot`
 * given as the element), mark the element invalid, and bring the first into view with focus:
 * the user is at 提交 at the bottom of a long form and must see what to fix. */
function showErrors(errors) {
  clearErrors();
  let first = null;
  for (const [el, message] of errors) {
    const box = h('p', { class: 'field-error', role: 'alert' }, message);
    el.after(box);
    el.setAttribute('aria-invalid', 'true');
    if (el.id) box.id = `${el.id}-error`;
    if (el.id) el.setAttribute('aria-describedby', box.id);
    if (!first) first = el;
  }
  if (first) {
    first.scrollIntoView({ block: 'center' });
    const target = first.matches('input, select, textarea, button, a, [tabindex]') ? first
      : first.querySelector('input, select, textarea, button, a') || first;
    if (!target.matches('input, select, textarea, button, a, [tabindex]')) target.setAttribute('tabindex', '-1');
    target.focus({ preventScroll: true });
  }
  return Boolean(first);
}

function clearErrors() {
  for (const box of view.querySelectorAll('.field-error[role=alert]')) box.remove();
  for (const el of view.querySelectorAll('[aria-invalid]')) { el.removeAttribute('aria-invalid'); el.removeAttribute('aria-describedby'); }
}

// The screen shown may hold unsaved work: `isDirty()` says so. Leaving it (‹ back, a link) asks
// first; a reload or closing the tab gets the browser's own question. A new screen clears it.
let leaveGuard = null;
let shownHash = location.hash;
function guardLeave(isDirty) { leaveGuard = isDirty; }

// ---- screens every role has ------------------------------------------------------------------

async function loginScreen() {
  // the phone's full keyboard: a caregiver's username is a phone number, staff's are letters (staff01, admin)
  const user = h('input', { type: 'text', id: 'username', name: 'username', autocomplete: 'username', autocapitalize: 'none', autocorrect: 'off', spellcheck: 'false', required: true });
  const pass = h('input', { type: 'password', id: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const form = h('form', {
    onsubmit: async (e) => {
      e.preventDefault();
      try {
        const r = await fetch('/api/auth/login', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'Accept-Language': I18N.lang },
          body: JSON.stringify({ username: user.value.trim(), password: pass.value }),
        });
        const body = await r.json();
        if (!r.ok) { say(body.message || t('login_failed'), true); return; }
        await ZY.kv.set('token', body.access_token);
        await ZY.kv.set('user', body.user);
        say('');
        if (body.user.must_change_password) { go('#/set-password'); return; }
        const home = homeFor(body.user);
        load(home.slice(2)).catch(() => {}); // the role's screens, while the outbox goes
        await flushOutbox();
        go(home);
      } catch (err) {
        say(t('offline'), true);
      }
    },
  },
  h('label', { for: 'username' }, t('username')), user,
  h('label', { for: 'password' }, t('password')), pass,
  h('p', {}, h('button', { class: 'primary', type: 'submit' }, t('login'))));
  show(t('app'), form);
}

function homeFor(user) {
  if (!user) return '#/login';
  return HOMES[user.role] || '#/staff';
}

/** What waits to be sent under this login, each entry with its last attempt, error and next
 * try; what other users of this phone left (kept for them, counted, never shown to this one). */
async function outboxScreen() {
  const user = await currentUser();
  const { mine: entries, others } = await ZY.outbox.split(user ? user.id : undefined);
  const failed = (await ZY.outbox.failed()).filter((f) => f.userId === undefined || f.userId === null || (user && f.userId === user.id));
  const errorText = (e) => (e.lastError === 'network' ? t('error_network') : t('error_server', { code: e.lastError }));
  const owners = [...new Set(others.map((e) => e.userName || '?'))];
  show(t('outbox'),
    entries.length ? h('div', {}, entries.map((e) => h('div', { class: 'card', 'data-entry': e.id },
      h('strong', {}, e.label || e.url),
      h('div', { class: 'muted' }, `${t('saved_at')}：${fmtTime(e.created)}`),
      e.lastAttempt
        ? [h('div', { class: 'attempt' }, t('last_attempt', { time: fmtTime(e.lastAttempt), n: e.attempts })),
          h('div', { class: 'attempt-error' }, `${t('last_error')}：${errorText(e)}`),
          h('div', { class: 'next-try' }, e.nextTry ? t('next_try', { time: fmtTime(e.nextTry) }) : '')]
        : h('div', { class: 'muted' }, t('waiting_network'))))) : h('p', {}, t('outbox_empty')),
    entries.length ? h('p', {}, h('button', { class: 'primary', id: 'send-now', onclick: async () => { await flushOutbox(); route(); } }, t('send_now'))) : null,
    others.length ? h('div', { class: 'card', id: 'others-entries' },
      h('strong', {}, t('others_waiting', { n: others.length, names: owners.join('、') })),
      h('p', { class: 'muted' }, t('others_waiting_kept'))) : null,
    failed.length ? h('h3', {}, t('failed_items')) : null,
    failed.map((f) => h('div', { class: 'card overdue' }, h('strong', {}, f.label || ''), h('div', {}, f.message || `HTTP ${f.status}`))),
    failed.length ? h('p', {}, h('button', { onclick: async () => { await ZY.outbox.clearFailed(); route(); } }, t('clear'))) : null);
}

function urlBase64ToBytes(b64) {
  const pad = '='.repeat((4 - (b64.length % 4)) % 4);
  const raw = atob((b64 + pad).replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

/** Permission is asked only here, on the user's tap. Web Push may not reach a phone in China
 * (Chrome pushes through FCM); the inbox and SMS carry the same messages regardless. */
async function enablePush() {
  if (!('Notification' in window) || !('PushManager' in window)) { say(t('push_unsupported'), true); return; }
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') { say(t('push_denied'), true); return; }
  await guard(async () => {
    const { public_key: key } = await API.get('/api/push/vapid-public-key');
    const reg = await navigator.serviceWorker.ready;
    let sub;
    try {
      sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: urlBase64ToBytes(key) });
    } catch (e) {
      say(t('push_unavailable'), true);
      return;
    }
    await API.post('/api/push/subscriptions', sub.toJSON());
    say(t('push_on'));
  });
}

async function inboxScreen() {
  const { data } = await cached('inbox', '/api/notifications?page_size=50');
  const supported = 'Notification' in window && 'PushManager' in window;
  show(t('inbox'),
    supported
      ? h('p', {}, h('button', { id: 'push-optin', class: 'primary', onclick: enablePush },
        Notification.permission === 'granted' ? t('push_refresh') : t('push_enable')))
      : h('p', { class: 'muted' }, t('push_unsupported')),
    data.length ? data.map((n) => h('a', {
      class: `card${n.urgent ? ' overdue' : ''}`, href: n.url || '#/inbox', 'data-notification': n.id,
      style: n.read_at ? '' : 'font-weight:700',
      onclick: () => API.post(`/api/notifications/${n.id}/read`).catch(() => {}),
    }, h('strong', {}, n.title), h('div', {}, n.body), h('div', { class: 'muted' }, fmtTime(n.created_at))))
      : h('p', {}, t('inbox_empty')),
    data.some((n) => !n.read_at)
      ? h('p', {}, h('button', { onclick: async () => { await guard(() => API.post('/api/notifications/read-all')); route(); } }, t('mark_all_read')))
      : null,
    accountLinks());
}

function commonLinks() {
  const staff = me && (me.role === 'township_staff' || me.role === 'district_admin');
  return h('p', { class: 'row' }, h('a', { class: 'button', href: '#/inbox', id: 'inbox-link' }, t('inbox')),
    h('a', { class: 'button', href: '#/my-reports', id: 'reports-link' }, t('my_reports')),
    staff ? h('a', { class: 'button', href: '#/logins', id: 'logins-link' }, t('logins')) : null,
    h('button', { onclick: logout, class: 'danger', id: 'logout' }, t('logout')));
}

/** The account's own links, under the inbox: change the password, log out on every device. */
function accountLinks() {
  return h('div', { class: 'card', id: 'account' },
    h('strong', {}, me ? `${me.display_name} (${me.username})` : ''),
    h('p', { class: 'row' },
      h('a', { class: 'button', href: '#/password', id: 'password-link' }, t('change_password')),
      h('button', { class: 'danger', id: 'logout-all', onclick: logoutAll }, t('logout_all'))));
}

async function forgetLocal() {
  // the records kept for offline use are this user's to see, not the next user's of this phone
  await ZY.kv.clearExcept(['lang']);
  catalogue = null;
  me = null;
}

/** Logging out with visits still unsent asks first and offers to send them; what stays unsent
 * is kept on the phone for this user and goes when they log in again. */
async function logout() {
  const user = await currentUser();
  if (user && (await ZY.outbox.countFor(user.id)) > 0 && location.hash !== '#/logout') { go('#/logout'); return; }
  await logoutNow();
}

async function logoutNow() {
  try { await API.post('/api/auth/logout'); } catch (e) { /* offline: forget the token anyway */ }
  await forgetLocal();
  // a fresh page at the login: nothing of the last user stays in memory, and no screen of theirs
  // still loading can draw over the login when its answer comes (the shell comes from the cache)
  history.replaceState(null, '', '#/login');
  location.reload();
}

async function logoutScreen() {
  const user = await currentUser();
  const n = user ? await ZY.outbox.countFor(user.id) : 0;
  if (!n) { await logoutNow(); return; }
  show(t('logout'),
    h('div', { class: 'card overdue', id: 'logout-warning' },
      h('strong', {}, t('logout_unsent', { n })),
      h('p', {}, t('logout_unsent_kept'))),
    h('p', {}, h('button', {
      class: 'primary', id: 'logout-send',
      onclick: async () => {
        const result = await flushOutbox();
        if (result && result.remaining === 0) { await logoutNow(); return; }
        say(t('logout_still_unsent'), true);
        route();
      },
    }, t('logout_send_first'))),
    h('p', {}, h('button', { class: 'danger', id: 'logout-anyway', onclick: logoutNow }, t('logout_keep'))),
    h('p', {}, h('a', { class: 'button', href: '#/outbox' }, t('outbox'))));
}

async function logoutAll() {
  try {
    await API.post('/api/auth/logout-all');
  } catch (err) {
    if (err.status !== 401) { say(err.message, true); return; }
  }
  await forgetLocal();
  sayAfterNavigation(t('logged_out_everywhere'));
  go('#/login');
}

// ---- passwords -------------------------------------------------------------------------------

async function mustChangePassword() {
  const user = await currentUser();
  if (user) await ZY.kv.set('user', { ...user, must_change_password: true });
  go('#/set-password');
}

/** A password field with its label and the error shown beside it. */
function passwordField(id, label, autocomplete) {
  const input = h('input', { type: 'password', id, name: id, autocomplete, required: true });
  const error = h('p', { class: 'field-error', id: `${id}-error`, role: 'alert', hidden: true });
  error.style.color = '#c62828';
  const setError = (text) => { error.textContent = text || ''; error.hidden = !text; };
  return { input, setError, nodes: [h('label', { for: id }, label), input, error] };
}

/** Set a new password: forced after a one-time password (nothing else is reachable until it
 * is done), or chosen from the account links. */
async function passwordScreen(forced) {
  const current = passwordField('current-password', forced ? t('one_time_password') : t('current_password'), 'current-password');
  const fresh = passwordField('new-password', t('new_password'), 'new-password');
  const again = passwordField('new-password-again', t('new_password_again'), 'new-password');
  const fields = { current_password: current, new_password: fresh };
  const form = h('form', {
    onsubmit: async (e) => {
      e.preventDefault();
      [current, fresh, again].forEach((f) => f.setError(''));
      say('');
      if (fresh.input.value.length < 8) { fresh.setError(t('password_min')); return; }
      if (fresh.input.value !== again.input.value) { again.setError(t('password_mismatch')); return; }
      try {
        const user = await API.post('/api/me/password',
          { current_password: current.input.value, new_password: fresh.input.value });
        await ZY.kv.set('user', user);
        me = user;
        sayAfterNavigation(t('password_changed'));
        if (forced) flushOutbox();
        go(homeFor(user));
      } catch (err) {
        if (err.status === 401) { loginAgain(); return; }
        const errors = (err.body && err.body.errors) || {};
        let shown = false;
        for (const [name, field] of Object.entries(fields)) {
          if (errors[name]) { field.setError(errors[name].join(' ')); shown = true; }
        }
        if (!shown) say(err.message, true);
      }
    },
  },
  forced ? h('p', {}, t('set_password_intro')) : null,
  current.nodes, fresh.nodes, again.nodes,
  h('p', { class: 'muted' }, t('password_rules')),
  h('p', {}, h('button', { class: 'primary', type: 'submit', id: 'save-password' }, t('save_password'))),
  forced ? h('p', {}, h('button', { type: 'button', class: 'danger', onclick: logout }, t('logout'))) : null);
  show(forced ? t('set_password') : t('change_password'), form);
}

/** Staff: the caregiver and volunteer logins of their area, each with a password reset that
 * shows the new one-time password once. */
async function loginsScreen() {
  const users = await API.get('/api/users?page_size=200');
  const field = users.filter((u) => u.id !== me.id && (me.role === 'district_admin' || u.role === 'caregiver' || u.role === 'volunteer'));
  const card = (u) => {
    const out = h('div', { class: 'otp', id: `otp-${u.id}` });
    const btn = h('button', {
      class: 'danger', 'data-reset': u.id,
      onclick: async () => {
        if (!btn.dataset.armed) { btn.dataset.armed = '1'; btn.textContent = t('reset_confirm'); return; }
        btn.disabled = true;
        await guard(async () => {
          const r = await API.post(`/api/users/${u.id}/reset-password`);
          out.replaceChildren(h('p', {}, t('one_time_password_is')),
            h('p', { class: 'otp-value' }, h('strong', {}, r.one_time_password)),
            h('p', { class: 'muted' }, t('one_time_password_once')));
          btn.remove();
        });
        if (btn.isConnected) { btn.disabled = false; delete btn.dataset.armed; btn.textContent = t('reset_password'); }
      },
    }, t('reset_password'));
    return h('div', { class: 'card', 'data-user': u.id },
      h('strong', {}, u.display_name), h('div', { class: 'muted' }, `${u.username} · ${t(`role_${u.role}`)}`),
      u.must_change_password ? h('div', { class: 'muted' }, t('awaiting_new_password')) : null,
      h('p', {}, btn), out);
  };
  show(t('logins'), field.length ? field.map(card) : h('p', {}, t('no_logins')));
}

screen('login', loginScreen);
screen('outbox', outboxScreen, { back: true, refreshOnFlush: true });
screen('logout', logoutScreen, { back: true });
screen('inbox', inboxScreen, { back: true });
screen('set-password', () => passwordScreen(true));
screen('password', () => passwordScreen(false), { back: true });
screen('logins', loginsScreen, { back: true });

// ---- routing ---------------------------------------------------------------------------------

// Each route's number, and the newest drawn: a screen that finishes loading after a newer one was
// drawn has drawn over it, and the newer one is drawn again (a slow uplink, two taps).
let routes = 0;
let drawn = 0;
async function route() {
  const seq = ++routes;
  const hash = location.hash || '';
  const token = await ZY.kv.get('token');
  const user = await currentUser();
  if (!token && hash !== '#/login') { go('#/login'); return; }
  me = token ? user : null;
  if (token && user && user.must_change_password && !['#/set-password', '#/login', '#/logout'].includes(hash)) {
    go('#/set-password');
    return;
  }
  const [, name, arg] = hash.split('/');
  remember(hash);
  leaveGuard = null;
  shownHash = hash;
  if (me && OFFICE.has(me.role)) keepOfficeOffline();
  let drew = false;
  await guard(async () => {
    await load(name);
    if (shownHash !== hash) return; // another screen was asked for while this one's module came
    const current = screens[name];
    if (current) { drew = true; return current.render(arg); }
    go(homeFor(user));
  });
  if (!drew) return;
  if (drawn > seq) return route();
  drawn = seq;
}

async function boot() {
  await Promise.all([I18N.load(localStorage.getItem('lang') || 'zh-CN'), styled]);
  await ZY.kv.set('lang', I18N.lang);
  langBtn.textContent = t('lang_switch');
  langBtn.addEventListener('click', async () => {
    localStorage.setItem('lang', I18N.other());
    await I18N.load(I18N.other());
    await ZY.kv.set('lang', I18N.lang);
    langBtn.textContent = t('lang_switch');
    refreshBadge();
    route();
  });
  backBtn.addEventListener('click', () => history.back());
  window.addEventListener('hashchange', () => {
    if (leaveGuard && leaveGuard() && location.hash !== shownHash && !window.confirm(t('leave_confirm'))) {
      history.replaceState(null, '', shownHash); // stay: the form, as it was, is still on the screen
      return;
    }
    say(...(nextStatus || [''])); nextStatus = null; route();
  });
  window.addEventListener('beforeunload', (e) => { if (leaveGuard && leaveGuard()) { e.preventDefault(); e.returnValue = ''; } });
  // Background Sync exists only in Chromium: flush on open, on `online` and when shown again.
  window.addEventListener('online', flushOutbox);
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') flushOutbox(); });
  document.addEventListener('outbox-flushed', () => {
    const current = screens[location.hash.slice(2)];
    if (location.hash.startsWith('#/') && current && current.refreshOnFlush) route();
  });
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.addEventListener('message', (e) => {
      if (e.data && e.data.type === 'outbox') refreshBadge();
      if (e.data && e.data.type === 'flush') flushOutbox();
    });
    // after the page has loaded: precaching the shell must not compete with the first screen
    const register = () => navigator.serviceWorker.register('/sw.js', { type: 'module' });
    if (document.readyState === 'complete') register(); else window.addEventListener('load', register);
  }
  await refreshBadge();
  await route();
  flushOutbox();
}

export const App = {
  h, show, say, sayAfterNavigation, fmtDate, fmtTime, fmtDay, fmtClock, fmtMonth, today, monthFrom, levelLabel, go, route, cached, pager, loadCatalogue, guard,
  refreshBadge, flushOutbox, requestSync, photoPicker, commonLinks, screen, saveBlob, currentUser, districtOffice,
  leaveFor,
  showErrors, clearErrors, guardLeave, enqueue,
};
self.App = App; // the browser tests and the console reach the shell through it

// Start as soon as this module has run: the login screen is its own.
boot();
