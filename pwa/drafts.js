/* A form's draft, kept in IndexedDB as it is filled in (photos included), so that ‹ back, a
 * reload, or Android killing the tab while the camera is open loses nothing: the form reopens
 * as it was left. Each draft belongs to one user (the key starts with their id). Photos are
 * kept as ArrayBuffers with their type (Safari cannot store Blobs reliably). */
import { ZY } from './db.js';

const { tx, req2p } = ZY;

async function save(key, state, photos) {
  const stored = [];
  for (const blob of photos || []) stored.push({ type: blob.type || 'image/jpeg', buf: await blob.arrayBuffer() });
  await tx('drafts', 'readwrite', (s) => { s.put({ k: key, state, photos: stored, at: Date.now() }); });
}

/** {state, photos: [Blob]} or null. */
async function load(key) {
  const row = await tx('drafts', 'readonly', (s) => req2p(s.get(key)));
  if (!row) return null;
  return { state: row.state, photos: row.photos.map((p) => new Blob([p.buf], { type: p.type })), at: row.at };
}

const remove = (key) => tx('drafts', 'readwrite', (s) => { s.delete(key); });

/** Save at most every `ms` while changes keep coming, and at once on `flush()`. */
function saver(key, collect, ms = 300) {
  let timer = null;
  let chain = Promise.resolve();
  const now = () => {
    clearTimeout(timer);
    timer = null;
    const { state, photos } = collect();
    chain = chain.then(() => save(key, state, photos)).catch(() => {});
    return chain;
  };
  return {
    soon: () => { if (!timer) timer = setTimeout(now, ms); },
    flush: now,
    discard: async () => { clearTimeout(timer); timer = null; await chain; await remove(key); },
  };
}

export const Drafts = { save, load, remove, saver };
