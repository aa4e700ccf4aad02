/* 照应 — the district admin's home: this month's 月探访率 and 履约 by township (each opens its villages),
 * the alerts not yet resolved by where they stand against their deadline, and the exceptions
 * waiting for review — the district at a glance instead of a list of exception cards. */
import { App } from './app.js';
import { t } from './i18n.js';
import { Coverage } from './coverage.js';
import { staffTiles } from './staff.js';

const { h, show, cached, commonLinks } = App;

function tile(value, label, href, { bad = false, id } = {}) {
  return h('a', { class: `stat${bad && value ? ' bad' : ''}`, href, id },
    h('strong', {}, String(value)), h('span', {}, label));
}

async function districtHome() {
  const { data } = await cached('overview', '/api/reports/overview');
  const cov = data.coverage;
  const a = data.alerts;
  const rate = Coverage.pct(cov.total.visited, cov.total.active);
  const office = t('district_office', { name: cov.name });
  show(t('district_home', { name: cov.name }),
    h('p', { class: 'muted' }, t('coverage_of', { place: cov.name, month: App.fmtMonth(cov.month) })),
    h('a', { class: 'card summary', href: '#/coverage', id: 'district-rate' },
      h('span', { class: 'row spread' }, h('strong', {}, t('visit_rate')), h('strong', { class: 'rate big' }, `${rate}%`)),
      Coverage.rateBar(rate), Coverage.counts(cov.total),
      h('span', { class: 'muted', id: 'district-state' }, Coverage.stateText(cov))),
    h('h2', {}, t('alerts_by_sla')),
    h('div', { class: 'counts stats', id: 'alert-sla' },
      tile(a.open_overdue, t('sla_open_overdue'), '#/alerts', { bad: true, id: 'sla-overdue' }),
      tile(a.open_in_time, t('sla_open_in_time'), '#/alerts', { id: 'sla-in-time' }),
      tile(a.acknowledged, t('sla_acknowledged'), '#/alerts', { id: 'sla-ack' }),
      tile(a.escalated, t('sla_escalated', { office }), '#/alerts', { bad: true, id: 'sla-escalated' })),
    h('h2', {}, t('exceptions')),
    h('div', { class: 'counts stats' },
      tile(data.exceptions_waiting, t('exceptions_waiting'), '#/exceptions', { bad: true, id: 'exceptions-waiting' })),
    h('h2', {}, t('by_township')),
    cov.children.map((c) => Coverage.placeRow(c)),
    h('h2', {}, t('staff_screens')),
    await staffTiles(),
    commonLinks());
}

App.screen('district', districtHome);
