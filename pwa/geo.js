/* One GPS fix with its accuracy; the caller shows it and offers a retry, and when it fails, how
 * to turn location on. WGS-84, as phones give. */
(function (g) {
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

  g.Geo = { locate, inWeChat };
})(self);
