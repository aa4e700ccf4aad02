/* The API from the page: bearer token, the user's language, JSON errors with a message. */
(function (g) {
  class ApiError extends Error {
    constructor(status, body) {
      super((body && body.message) || `HTTP ${status}`);
      this.status = status;
      this.body = body;
    }
  }

  async function request(method, path, body) {
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
    return data;
  }

  /** A photo needs the bearer token, so it is fetched and shown from a blob URL. */
  async function imageUrl(path) {
    const token = await ZY.kv.get('token');
    const r = await fetch(path, { headers: { Authorization: `Bearer ${token}` } });
    if (!r.ok) throw new ApiError(r.status, null);
    return URL.createObjectURL(await r.blob());
  }

  g.API = {
    ApiError,
    get: (p) => request('GET', p),
    post: (p, b) => request('POST', p, b === undefined ? {} : b),
    imageUrl,
  };
})(self);
