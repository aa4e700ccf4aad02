/* The outbox of requests waiting to be sent, for the page and the service worker alike (after
 * db.js, whose database holds its stores `outbox` and `failed`).
 *
 * It follows Workbox's background-sync Queue: FIFO by id, each entry with a timestamp, bodies
 * stored as ArrayBuffer (Safari cannot store Blobs reliably), a failed entry keeps its place at
 * the head. What Workbox lacks is added: every visit carries a client UUID, so a replay after a
 * lost response is stored once by the server.
 */
(function (g) {
  const { kv, tx, req2p } = g.ZY;
  const RETENTION_MS = 30 * 24 * 3600 * 1000; // a month: long enough for any dead zone

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

  g.ZY = Object.assign(g.ZY, { outbox, flush });
})(self);
