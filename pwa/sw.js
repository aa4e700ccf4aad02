/* The service worker: the versioned app shell, offline navigations, and the outbox flushed by
 * Background Sync where the browser has it (the page also flushes on open, `online` and
 * `visibilitychange`, since only Chromium has Background Sync). */
import { ZY } from './outbox.js';

const VERSION = 'zhaoying-shell-v45';
const SHELL = [
  '/', '/index.html', '/app.css', '/app.js', '/caregiver.js', '/volunteer.js', '/staff.js', '/coverage.js', '/district.js', '/services.js',
  '/lifecycle.js', '/cadre.js',
  '/fieldreport.js', '/evaluation.js',
  '/i18n.js', '/db.js', '/outbox.js', '/drafts.js', '/api.js', '/camera.js', '/geo.js',
  '/i18n/zh-CN.json', '/i18n/en.json', '/manifest.webmanifest',
  '/icons/icon-192.png', '/icons/icon-512.png', '/icons/maskable-512.png',
];
// The office's screens (app.js SCREENS), kept when staff sign in (the page asks: keep-office) or
// when first opened; a caregiver's phone never fetches them.
const OFFICE = [
  '/imports.js', '/policy.js', '/relief.js', '/pairing.js', '/festival.js', '/campaigns.js', '/spotchecks.js', '/reports.js',
  '/review.js', '/carehomes.js', '/intake.js', '/agreements.js', '/localnumbers.js',
  // the strings an office module brings (i18n.js more())
  '/i18n/carehomes.zh-CN.json', '/i18n/carehomes.en.json',
  '/i18n/intake.zh-CN.json', '/i18n/intake.en.json',
  '/i18n/agreements.zh-CN.json', '/i18n/agreements.en.json',
  '/i18n/localnumbers.zh-CN.json', '/i18n/localnumbers.en.json',
  '/i18n/categories.zh-CN.json', '/i18n/categories.en.json',
];

self.addEventListener('install', (event) => {
  // The install only succeeds once the whole shell is cached.
  event.waitUntil((async () => {
    const cache = await caches.open(VERSION);
    await cache.addAll(SHELL.map((url) => new Request(url, { cache: 'reload' })));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key !== VERSION) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin || url.pathname.startsWith('/api/')) {
    return; // the API always goes to the network; what the app keeps offline it keeps itself
  }
  if (request.mode === 'navigate') {
    // The shell first: a weak signal must not keep a caregiver waiting for a page that is here.
    event.respondWith((async () => (await caches.match('/index.html')) || fetch(request))());
    return;
  }
  event.respondWith((async () => {
    // ?retry=N: a module asked for again after a failed import (app.js load) is the same file
    const kept = await caches.match(request, { ignoreSearch: true });
    if (kept) return kept;
    const response = await fetch(request);
    if (response.ok && OFFICE.includes(url.pathname)) await (await caches.open(VERSION)).put(url.pathname, response.clone());
    return response;
  })());
});

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'keep-office') {
    event.waitUntil((async () => {
      const cache = await caches.open(VERSION);
      for (const url of OFFICE) {
        if (!(await cache.match(url))) await cache.add(url).catch(() => {}); // offline now: when next opened
      }
    })());
  }
});

self.addEventListener('sync', (event) => {
  if (event.tag === 'outbox') {
    event.waitUntil((async () => {
      // With the app open, the page sends (it shows progress and asks for a login when needed);
      // two senders would only queue behind each other's lock.
      const windows = await self.clients.matchAll({ type: 'window' });
      if (windows.length) {
        for (const client of windows) client.postMessage({ type: 'flush' });
        return;
      }
      const result = await ZY.flush();
      for (const client of await self.clients.matchAll()) client.postMessage({ type: 'outbox', result });
      if (result.stoppedBy === 'network' || result.stoppedBy === 'server') {
        throw new Error('outbox not empty; the browser will retry the sync');
      }
    })());
  }
});

// A push always shows a notification (browsers require it, and a silent push would be lost).
self.addEventListener('push', (event) => {
  let data;
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = { body: event.data.text() }; }
  event.waitUntil(self.registration.showNotification(data.title || '照应', {
    body: data.body || '',
    icon: '/icons/icon-192.png',
    tag: data.id ? `n${data.id}` : undefined,
    requireInteraction: Boolean(data.urgent),
    data: { url: data.url || '/#/inbox' },
  }));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil((async () => {
    const url = event.notification.data && event.notification.data.url ? event.notification.data.url : '/';
    for (const client of await self.clients.matchAll({ type: 'window' })) {
      if ('focus' in client) { await client.navigate(url); return client.focus(); }
    }
    return self.clients.openWindow(url);
  })());
});
