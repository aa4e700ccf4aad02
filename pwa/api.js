/* The API from the page: bearer token, the user's language, JSON errors with a message. */
import { ZY } from './db.js';
import { I18N, t } from './i18n.js';

class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

/** The answer's JSON, and its response (for a header). */
async function send(method, path, body) {
  const token = await ZY.kv.get('token');
  const headers = { 'Accept-Language': I18N.lang };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let r;
  try {
    r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, { message: t('offline') });
  }
  const text = await r.text();
  const data = text ? JSON.parse(text) : null;
  if (!r.ok) throw new ApiError(r.status, data);
  return { data, response: r };
}

async function request(method, path, body) { return (await send(method, path, body)).data; }

/** A page of a list and the cursor of the next one (null after the last). */
async function page(path) {
  const { data, response } = await send('GET', path);
  return { data, next: response.headers.get('X-Next-Page') };
}

/** A photo needs the bearer token, so it is fetched and shown from a blob URL. */
async function imageUrl(path) {
  const token = await ZY.kv.get('token');
  const r = await fetch(path, { headers: { Authorization: `Bearer ${token}` } });
  if (!r.ok) throw new ApiError(r.status, null);
  return URL.createObjectURL(await r.blob());
}

async function authHeaders() {
  const token = await ZY.kv.get('token');
  return token ? { 'Accept-Language': I18N.lang, Authorization: `Bearer ${token}` } : { 'Accept-Language': I18N.lang };
}

/** A file the API serves (a spreadsheet): the blob and the name the server gave it (RFC 6266 filename*). */
async function file(path) {
  let r;
  try { r = await fetch(path, { headers: await authHeaders() }); } catch (e) { throw new ApiError(0, { message: t('offline') }); }
  if (!r.ok) throw new ApiError(r.status, await r.json().catch(() => null));
  const m = /filename\*=UTF-8''([^;]+)/i.exec(r.headers.get('Content-Disposition') || '');
  return { blob: await r.blob(), name: m ? decodeURIComponent(m[1]) : '' };
}

/** A multipart POST through XMLHttpRequest, which reports upload progress (fetch does not):
 * onProgress(fraction sent) as the body goes up; resolves with the JSON answer. */
async function upload(path, form, onProgress) {
  const headers = await authHeaders();
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
    xhr.onload = () => {
      let data = null;
      try { data = xhr.responseText ? JSON.parse(xhr.responseText) : null; } catch (e) { /* not JSON: a proxy's page */ }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data); else reject(new ApiError(xhr.status, data));
    };
    xhr.onerror = () => reject(new ApiError(0, { message: t('offline') }));
    xhr.send(form);
  });
}

export const API = {
  ApiError,
  get: (p) => request('GET', p),
  page,
  post: (p, b) => request('POST', p, b === undefined ? {} : b),
  put: (p, b) => request('PUT', p, b),
  patch: (p, b) => request('PATCH', p, b),
  del: (p) => request('DELETE', p),
  imageUrl,
  file,
  upload,
};
self.API = API; // the browser tests call the API as the page does
