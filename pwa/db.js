/* IndexedDB for the page and the service worker alike: a key-value store (the login, the last
 * lists seen, for offline use) and the outbox of requests waiting to be sent.
 *
 * The outbox follows Workbox's background-sync Queue: a versioned database, FIFO by id, each
 * entry with a timestamp, bodies stored as ArrayBuffer (Safari cannot store Blobs reliably), a
 * failed entry keeps its place at the head. What Workbox lacks is added: every visit carries a
 * client UUID, so a replay after a lost response is stored once by the server.
 */
(function (g) {
  const DB_NAME = 'zhaoying';
  const DB_VERSION = 1;
  const RETENTION_MS = 30 * 24 * 3600 * 1000; // a month: long enough for any dead zone
  let opening = null;

  function open() {
    if (opening) return opening;
    opening = new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, DB_VERSION);
      req.onupgradeneeded = () => {
        const db = req.result;
        if (!db.objectStoreNames.contains('kv')) db.createObjectStore('kv', { keyPath: 'k' });
        if (!db.objectStoreNames.contains('outbox')) db.createObjectStore('outbox', { keyPath: 'id', autoIncrement: true });
        if (!db.objectStoreNames.contains('failed')) db.createObjectStore('failed', { keyPath: 'id', autoIncrement: true });
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => { opening = null; reject(req.error); };
    });
    return opening;
  }

  async function tx(store, mode, fn) {
    const db = await open();
    return new Promise((resolve, reject) => {
      const t = db.transaction(store, mode);
      const s = t.objectStore(store);
      let result;
      Promise.resolve(fn(s)).then((r) => { result = r; });
      t.oncomplete = () => resolve(result);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
    });
  }
  const req2p = (r) => new Promise((res, rej) => { r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });

  const kv = {
    get: (k) => tx('kv', 'readonly', (s) => req2p(s.get(k))).then((row) => (row ? row.v : undefined)),
    set: (k, v) => tx('kv', 'readwrite', (s) => { s.put({ k, v }); }),
    del: (k) => tx('kv', 'readwrite', (s) => { s.delete(k); }),
    /** Forget everything kept for offline use (people's records among it) but the given keys. */
    clearExcept: (keep) => tx('kv', 'readwrite', async (s) => {
      for (const key of await req2p(s.getAllKeys())) if (!keep.includes(key)) s.delete(key);
    }),
  };

  const outbox = {
    /** entry: {url, method, contentType, body: ArrayBuffer, clientId, label} */
    add: (entry) => tx('outbox', 'readwrite', (s) => req2p(s.add({ ...entry, created: Date.now(), attempts: 0 }))),
    all: () => tx('outbox', 'readonly', (s) => req2p(s.getAll())),
    count: () => tx('outbox', 'readonly', (s) => req2p(s.count())),
    remove: (id) => tx('outbox', 'readwrite', (s) => { s.delete(id); }),
    update: (entry) => tx('outbox', 'readwrite', (s) => { s.put(entry); }),
    failed: () => tx('failed', 'readonly', (s) => req2p(s.getAll())),
    addFailed: (row) => tx('failed', 'readwrite', (s) => { s.add(row); }),
    clearFailed: () => tx('failed', 'readwrite', (s) => { s.clear(); }),
  };

  /**
   * Send what waits, oldest first. Stops at the first entry that cannot go now (offline, the
   * server down or failing, the login expired): that entry keeps its place. A 4xx other than
   * 401 will never succeed as sent, so the entry leaves the outbox and its reason is kept.
   * Returns {sent, rejected, remaining, stoppedBy: null | 'network' | 'server' | 'unauthorized'}.
   */
  async function flush() {
    const run = async () => {
      const token = await kv.get('token');
      const lang = (await kv.get('lang')) || 'zh-CN';
      let sent = 0, rejected = 0, stoppedBy = null;
      const entries = (await outbox.all()).sort((a, b) => a.id - b.id);
      for (const entry of entries) {
        if (Date.now() - entry.created > RETENTION_MS) {
          await outbox.remove(entry.id);
          await outbox.addFailed({ label: entry.label, clientId: entry.clientId, status: 0, message: 'expired', at: Date.now() });
          continue;
        }
        if (!token) { stoppedBy = 'unauthorized'; break; }
        let response;
        try {
          response = await fetch(entry.url, {
            method: entry.method,
            body: entry.body,
            // a weak signal can stall a request for minutes: give up and keep the entry for later
            signal: AbortSignal.timeout(60000),
            headers: {
              'Content-Type': entry.contentType,
              Authorization: `Bearer ${token}`,
              'Accept-Language': lang,
              'X-Device-Time': new Date().toISOString(),
            },
          });
        } catch (err) {
          entry.attempts += 1;
          await outbox.update(entry);
          stoppedBy = 'network';
          break;
        }
        if (response.ok) {
          await outbox.remove(entry.id);
          sent += 1;
        } else if (response.status === 401) {
          stoppedBy = 'unauthorized';
          break;
        } else if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) {
          let message = '';
          try { message = (await response.json()).message || ''; } catch (e) { /* not JSON */ }
          await outbox.remove(entry.id);
          await outbox.addFailed({ label: entry.label, clientId: entry.clientId, status: response.status, message, at: Date.now() });
          rejected += 1;
        } else {
          entry.attempts += 1;
          await outbox.update(entry);
          stoppedBy = 'server';
          break;
        }
      }
      return { sent, rejected, remaining: await outbox.count(), stoppedBy };
    };
    // One flush at a time, across tabs and the service worker.
    if (g.navigator && g.navigator.locks) return g.navigator.locks.request('zhaoying-outbox', run);
    if (!flush.running) flush.running = run().finally(() => { flush.running = null; });
    return flush.running;
  }

  g.ZY = Object.assign(g.ZY || {}, { kv, outbox, flush });
})(self);
