/* One GPS fix with its accuracy; the caller shows it and offers a retry, and when it fails, how
 * to turn location on. WGS-84, as phones give. */
function locate(timeoutMs = 20000) {
  return new Promise((resolve, reject) => {
    if (!navigator.geolocation) { reject(Object.assign(new Error('unsupported'), { code: 0 })); return; }
    navigator.geolocation.getCurrentPosition(
      (pos) => resolve({ lat: pos.coords.latitude, lon: pos.coords.longitude, accuracy: pos.coords.accuracy }),
      (err) => reject(err), // err.code: 1 permission denied, 2 unavailable (location off), 3 timeout
      { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 0 },
    );
  });
}

/** WeChat's in-app browser often gets no position at all: the page must be opened in the
 * phone's own browser. */
const inWeChat = () => /MicroMessenger/i.test(navigator.userAgent || '');

/** Metres between two WGS-84 points, as the server measures them (server/geo.py distance_m). */
function distance(lat1, lon1, lat2, lon2) {
  const r = Math.PI / 180;
  const hav = Math.sin(((lat2 - lat1) * r) / 2) ** 2
    + Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin(((lon2 - lon1) * r) / 2) ** 2;
  return 2 * 6371008.8 * Math.asin(Math.sqrt(hav));
}

export const Geo = { locate, inWeChat, distance };
