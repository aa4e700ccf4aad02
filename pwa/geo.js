/* One GPS fix with its accuracy; the caller shows it and offers a retry. WGS-84, as phones give. */
(function (g) {
  function locate(timeoutMs = 20000) {
    return new Promise((resolve, reject) => {
      if (!navigator.geolocation) { reject(new Error('unsupported')); return; }
      navigator.geolocation.getCurrentPosition(
        (pos) => resolve({ lat: pos.coords.latitude, lon: pos.coords.longitude, accuracy: pos.coords.accuracy }),
        (err) => reject(err),
        { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 0 },
      );
    });
  }
  g.Geo = { locate };
})(self);
