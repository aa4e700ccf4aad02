/* 照应 — the district admin's home: this month's 月探访率 by township (each opens its villages),
 * the alerts not yet resolved by where they stand against their deadline, and the exceptions
 * waiting for review — the district at a glance instead of a list of exception cards. */
(function () {
  const { h, show, cached, commonLinks } = App;

  function tile(value, label, href, { bad = false, id } = {}) {
    return h('a', { class: `stat${bad && value ? ' bad' : ''}`, href, id },
      h('strong', {}, String(value)), h('span', {}, label));
  }

  async function districtHome() {
    const { data } = await cached('overview', '/api/reports/overview');
    const cov = data.coverage;
    const a = data.alerts;
    const rate = App.coverage.pct(cov.total.visited, cov.total.active);
    show(t('district_home'),
      h('p', { class: 'muted' }, t('coverage_of', { place: cov.name, month: cov.month })),
      h('a', { class: 'card summary', href: '#/coverage', id: 'district-rate' },
        h('span', { class: 'row spread' }, h('strong', {}, t('visit_rate')), h('strong', { class: 'rate big' }, `${rate}%`)),
        App.coverage.rateBar(rate),
        h('span', { class: 'muted' }, t('coverage_counts', { visited: cov.total.visited, active: cov.total.active, met: cov.total.quota_met }))),
      h('h2', {}, t('alerts_by_sla')),
      h('div', { class: 'counts stats', id: 'alert-sla' },
        tile(a.open_overdue, t('sla_open_overdue'), '#/alerts', { bad: true, id: 'sla-overdue' }),
        tile(a.open_in_time, t('sla_open_in_time'), '#/alerts', { id: 'sla-in-time' }),
        tile(a.acknowledged, t('sla_acknowledged'), '#/alerts', { id: 'sla-ack' }),
        tile(a.escalated, t('sla_escalated'), '#/alerts', { bad: true, id: 'sla-escalated' })),
      h('h2', {}, t('exceptions')),
      h('div', { class: 'counts stats' },
        tile(data.exceptions_waiting, t('exceptions_waiting'), '#/exceptions', { bad: true, id: 'exceptions-waiting' })),
      h('h2', {}, t('by_township')),
      cov.children.map(App.coverage.placeRow),
      h('h2', {}, t('staff_screens')),
      await App.staffTiles(),
      commonLinks());
  }

  App.screen('district', districtHome);
})();
