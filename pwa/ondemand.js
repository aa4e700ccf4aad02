/* Screens only staff open, at the office — the roster import, the quota policy and 月探访率, 临时救助 and the casework rules, 结对帮扶 and
 * 节日走访慰问, the 专项行动 campaigns, the spot checks' call-backs — are not precached with the shell
 * (it must stay small for a caregiver's weak uplink: test_budget.py) but fetched the first time one
 * is opened. Until then its screen here loads the file, which registers the real one with
 * App.screen, and shows it; the service worker keeps the file with the shell's version once
 * fetched (sw.js LATER), so the screen opens offline afterwards. */
(function () {
  const LATER = {
    import: '/imports.js', 'quota-policy': '/policy.js', 'visit-rates': '/policy.js', relief: '/relief.js', 'casework-policy': '/relief.js',
    pairing: '/pairing.js', 'pairing-rule': '/pairing.js', 'pairing-annex': '/pairing.js',
    festivals: '/festival.js', festival: '/festival.js', 'festival-list': '/festival.js',
    campaigns: '/campaigns.js', campaign: '/campaigns.js', 'campaign-policy': '/campaigns.js',
    'spot-checks': '/spotchecks.js',
  };
  const loads = {}; // one load per file, whichever of its screens is opened first
  for (const [name, src] of Object.entries(LATER)) {
    let loaded = false;
    App.screen(name, async () => {
      if (loaded) throw new Error(src); // the file ran but registered no screen: do not load it in a loop
      loads[src] = loads[src] || new Promise((resolve, reject) => document.head.append(App.h('script', {
        src,
        onload: resolve,
        onerror() { this.remove(); delete loads[src]; reject(new API.ApiError(0, { message: t('offline') })); },
      })));
      await loads[src];
      loaded = true;
      if (location.hash.split('/')[1] === name) await App.route();
    }, { back: true });
  }
})();
