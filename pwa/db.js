/* IndexedDB for the page and the service worker alike: the database, opened and upgraded here,
 * and its key-value store (the login, the last lists seen, for offline use). The outbox of
 * requests waiting to be sent is in outbox.js, over the same database through ZY.tx; the forms'
 * drafts (photos included) are in drafts.js, in the store `drafts`.
 */
const DB_NAME = 'zhaoying';
const DB_VERSION = 2;
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
      if (!db.objectStoreNames.contains('drafts')) db.createObjectStore('drafts', { keyPath: 'k' });
    };
    req.onsuccess = () => {
      // a newer page (or service worker) upgrading the database: let it, and reopen when next asked
      req.result.onversionchange = () => { req.result.close(); opening = null; };
      resolve(req.result);
    };
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

/** The database and (once outbox.js has run) its outbox: ZY.kv, ZY.tx, ZY.outbox, ZY.flush. */
export const ZY = { kv, tx, req2p };
self.ZY = ZY; // the browser tests look into the database through it
