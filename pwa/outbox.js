/* The outbox of requests waiting to be sent, for the page and the service worker alike (after
 * db.js, whose database holds its stores `outbox` and `failed`).
 *
 * It follows Workbox's background-sync Queue: FIFO by id, each entry with a timestamp, bodies
 * stored as ArrayBuffer (Safari cannot store Blobs reliably), a failed entry keeps its place at
 * the head. What Workbox lacks is added: every visit carries a client UUID, so a replay after a
 * lost response is stored once by the server; every entry belongs to the user who made it (a
 * shared phone sends it only under that user's login, and keeps it until they log in again);
 * and an entry that failed while the phone is online is tried again after a growing wait.
 */
import { ZY } from './db.js';

const { kv, tx, req2p } = ZY;
const RETENTION_MS = 30 * 24 * 3600 * 1000; // a month: long enough for any dead zone
const FIRST_RETRY_MS = 5000;
const LAST_RETRY_MS = 5 * 60 * 1000;

/** The wait before the next try after `attempts` failures: 5 s doubling to 5 min, each
 * spread by ±20% so that phones failing together do not all come back at once. */
function backoff(attempts) {
  const base = Math.min(LAST_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (0.8 + 0.4 * Math.random()));
}

/** Entries made before they had an owner are sent by whoever is logged in, as they always were. */
const belongsTo = (entry, userId) => entry.userId === undefined || entry.userId === null || entry.userId === userId;

const outbox = {
  /** entry: {url, method, contentType, body: ArrayBuffer, clientId, label, userId, userName} */
  add: (entry) => tx('outbox', 'readwrite', (s) => req2p(s.add({ ...entry, created: Date.now(), attempts: 0 }))),
  all: () => tx('outbox', 'readonly', (s) => req2p(s.getAll())),
  count: () => tx('outbox', 'readonly', (s) => req2p(s.count())),
  /** The entries of one user, oldest first, and those of everyone else. */
  split: async (userId) => {
    const entries = (await outbox.all()).sort((a, b) => a.id - b.id);
    return { mine: entries.filter((e) => belongsTo(e, userId)), others: entries.filter((e) => !belongsTo(e, userId)) };
  },
  countFor: async (userId) => (await outbox.split(userId)).mine.length,
  remove: (id) => tx('outbox', 'readwrite', (s) => { s.delete(id); }),
  update: (entry) => tx('outbox', 'readwrite', (s) => { s.put(entry); }),
  failed: () => tx('failed', 'readonly', (s) => req2p(s.getAll())),
  addFailed: (row) => tx('failed', 'readwrite', (s) => { s.add(row); }),
  clearFailed: () => tx('failed', 'readwrite', (s) => { s.clear(); }),
};

/** The wait a server asked for (a 503 while its database restarts, a 429), in ms: 0 if none. */
function retryAfter(response) {
  const seconds = Number(response.headers.get('Retry-After'));
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 3600) * 1000 : 0;
}

async function retryLater(entry, error, atLeastMs = 0) {
  entry.attempts += 1;
  entry.lastAttempt = Date.now();
  entry.lastError = error;
  entry.nextTry = entry.lastAttempt + Math.max(backoff(entry.attempts), atLeastMs);
  await outbox.update(entry);
}

/**
 * Send what the logged-in user has waiting, oldest first. Stops at the first entry that cannot
 * go now (offline, the server down or failing, the login expired): that entry keeps its place,
 * with its attempt, error and next try. A 4xx other than 401 will never succeed as sent, so
 * the entry leaves the outbox and its reason is kept. Other users' entries are not touched.
 * Returns {sent, rejected, remaining, others, nextTry, stoppedBy: null | 'network' | 'server' | 'unauthorized'}.
 */
async function flush() {
  const run = async () => {
    const token = await kv.get('token');
    const user = await kv.get('user');
    const lang = (await kv.get('lang')) || 'zh-CN';
    let sent = 0, rejected = 0, stoppedBy = null, nextTry = null;
    const { mine, others } = await outbox.split(user ? user.id : undefined);
    for (const entry of mine) {
      if (Date.now() - entry.created > RETENTION_MS) {
        await outbox.remove(entry.id);
        await outbox.addFailed({ label: entry.label, clientId: entry.clientId, userId: entry.userId, status: 0, message: 'expired', at: Date.now() });
        continue;
      }
      if (!token || !user) { stoppedBy = 'unauthorized'; break; }
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
        await retryLater(entry, 'network');
        stoppedBy = 'network';
        nextTry = entry.nextTry;
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
        await outbox.addFailed({ label: entry.label, clientId: entry.clientId, userId: entry.userId, status: response.status, message, at: Date.now() });
        rejected += 1;
      } else {
        await retryLater(entry, `HTTP ${response.status}`, retryAfter(response));
        stoppedBy = 'server';
        nextTry = entry.nextTry;
        break;
      }
    }
    const left = await outbox.split(user ? user.id : undefined);
    return { sent, rejected, remaining: left.mine.length, others: left.others.length, nextTry, stoppedBy };
  };
  // One flush at a time, across tabs and the service worker.
  if (self.navigator && self.navigator.locks) return self.navigator.locks.request('zhaoying-outbox', run);
  if (!flush.running) flush.running = run().finally(() => { flush.running = null; });
  return flush.running;
}

Object.assign(ZY, { outbox, flush, backoff });
export { ZY };
