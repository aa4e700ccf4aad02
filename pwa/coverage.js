/* 照应 — coverage for staff, for any of the last thirteen months: 月探访率 (the persons on the month's
 * roster looked in on by anyone whose 探访 count) and 照料服务履约 (the agreements whose own caregiver
 * did their quota) by district → township → village, each row opening the one below, down to the
 * persons — who visited them, their caregiver's 履约 and a call button. A closed month shows its
 * record (已结算) and its amendments (更正); the live month says when it was counted. */
import { App } from './app.js';
import { API } from './api.js';
import { I18N, t } from './i18n.js';

const { h, show, cached, fmtDay, fmtClock, fmtMonth, monthFrom } = App;

const pct = (visited, active) => (active ? Math.round((100 * visited) / active) : 0);
// route args: "<place id>_<YYYY-MM>", either part may be missing (the user's place, this month)
const split = (arg) => { const [p, m] = (arg || '').split('_'); return [p ? Number(p) : null, m || null]; };
const query = (placeId, month) => new URLSearchParams([...(placeId ? [['place_id', placeId]] : []), ...(month ? [['month', month]] : [])]);

/** A month as the picker offers it: 本月（实时）, or its name and whether (and when) it was closed. */
function label(m) {
  if (m.state === 'live') return t('month_live');
  return `${fmtMonth(m.month)} · ${m.state === 'closed' ? t('month_closed_on', { date: fmtDay(m.closed_at) }) : t('month_open')}`;
}

/** The month picker of a place, filled from /api/months; choosing a month goes to `to(month)`. */
async function picker(placeId, month, to) {
  let months = [];
  try { months = (await cached(`months:${placeId || 'mine'}`, `/api/months?${query(placeId)}`)).data.months; } catch (e) { /* offline, none kept */ }
  if (!months.length) return null;
  const select = h('select', { id: 'month-pick' }, months.map((m) => h('option', { value: m.month, selected: m.month === month }, label(m))));
  select.addEventListener('change', () => App.go(to(select.value)));
  return [h('label', { for: 'month-pick' }, t('month')), select];
}

/** What a month's figures are: the close's record, the rollup of a few minutes ago, or counted now. */
function stateText(d) {
  const key = { closed: 'state_closed', rollup: 'state_rollup', open: 'month_open' }[d.state]
    || (d.month === monthFrom() ? 'state_live' : 'state_open');
  return t(key, { date: fmtDay(d.closed_at), time: d.as_of ? fmtClock(d.as_of) : '' });
}

/** The state as a line, with a closed month's amendments under the place one tap away. */
function stateLine(d, placeId) {
  return h('p', { class: 'row', id: 'month-state' },
    h('span', { class: `tag ${d.state === 'closed' ? 'green' : 'amber'}` }, stateText(d)),
    d.state === 'closed' && d.amendments
      ? h('a', { class: 'button', id: 'amendments-link', href: `#/amendments/${d.month}_${placeId}` }, t('amended_n', { n: d.amendments }))
      : null);
}

function rateBar(rate) {
  const bar = h('span', {});
  bar.style.width = `${rate}%`; // CSSOM, not a style attribute (CSP)
  return h('div', { class: 'progress', role: 'progressbar', 'aria-valuenow': rate, 'aria-valuemin': 0, 'aria-valuemax': 100,
    'aria-label': t('visit_rate') }, bar);
}

/** The two measures of a place, never mixed: persons visited (月探访率), agreements met (履约). */
function counts(c) {
  return [h('span', { class: 'muted visited-count' }, t('cov_visited', c)),
    h('div', { class: 'muted fulfil-count' }, t('cov_fulfil', c), c.excused ? t('cov_excused', c) : '')];
}

/** 月探访率 and 履约 in words, with the quotas in force that month (set by district admins). */
async function explanation(month) {
  let quotas = [];
  try { quotas = (await cached(`quotas:${month}`, `/api/quotas?month=${month}`)).data; } catch (e) { /* offline with nothing kept */ }
  const per = quotas.map((q) => `${t(`level_${q.self_care_level}`)}：${q.text}`).join(t('list_sep'));
  return h('details', { class: 'explain', id: 'coverage-explain', open: true },
    h('summary', {}, t('coverage_explain_title')),
    h('p', {}, t('visit_rate_means')),
    h('p', {}, t('quota_met_means', { quotas: per || '—' })));
}

/** Bars with a value above and the month below, a closed month marked ✓ (the coverage trend,
 *  the dashboard's year): points {month, value, closed}, `top` the value of a full bar. */
function barChart(points, { label, top = 1, color = '#00695c', monthText = (p) => `${Number(p.month.slice(5))}`,
  valueText = (p) => `${p.value}` }) {
  const w = 360, hgt = 140, bar = w / points.length;
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${w} ${hgt + 24}`);
  svg.setAttribute('class', 'chart');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  points.forEach((p, i) => {
    const frac = p.value / top;
    const rect = document.createElementNS(ns, 'rect');
    rect.setAttribute('x', i * bar + 3); rect.setAttribute('width', bar - 6);
    rect.setAttribute('y', hgt - frac * hgt); rect.setAttribute('height', Math.max(1, frac * hgt));
    rect.setAttribute('fill', color);
    const text = (y, content, weight) => {
      const el = document.createElementNS(ns, 'text');
      el.setAttribute('x', i * bar + bar / 2); el.setAttribute('y', y);
      el.setAttribute('text-anchor', 'middle'); el.setAttribute('font-size', '12');
      if (weight) el.setAttribute('font-weight', weight);
      el.textContent = content;
      return el;
    };
    svg.append(rect, text(hgt + 18, `${monthText(p)}${p.closed ? '✓' : ''}`),
      text(Math.max(12, hgt - frac * hgt - 3), valueText(p), '700'));
  });
  return svg;
}

function trendChart(trend) {
  const points = trend.map((m) => ({ month: m.month, value: m.active ? m.visited / m.active : 0, closed: m.state === 'closed' }));
  return [barChart(points, { label: t('trend'), valueText: (p) => `${Math.round(p.value * 100)}%`,
    monthText: (p) => `${Number(p.month.slice(5))}${I18N.lang === 'en' ? '' : '月'}` }),
  h('p', { class: 'muted' }, t('closed_mark'))];
}

/** One place's row: its rate, the counts behind it, and the way down (in the same month). */
function placeRow(c, month) {
  const rate = pct(c.visited, c.active);
  return h('a', { class: 'card', href: `#/coverage/${c.place_id}${month ? `_${month}` : ''}`, 'data-place': c.place_id },
    h('span', { class: 'row spread' }, h('strong', {}, c.name), h('strong', { class: 'rate' }, `${rate}%`)),
    rateBar(rate), counts(c));
}

const WHO = ['caregiver', 'cadre', 'other', 'volunteer'];
const FULFIL = { met: 'green', not_met: 'amber', excused: '' };

/** A person's month: visited or not and by whom (月探访率), apart from their caregiver's 履约. */
function personRow(p) {
  const who = WHO.filter((w) => p[`by_${w}`]).map((w) => t(`who_${w}`, { n: p[`by_${w}`] })).join(t('list_sep'));
  return h('div', { class: `card${p.visited ? '' : ' overdue'}`, 'data-person': p.person_id, 'data-visited': String(p.visited) },
    h('strong', {}, p.name), ' ', h('span', { class: 'muted' }, `${p.village} · ${t(`level_${p.self_care_level}`)}`),
    p.amended_at ? [' ', h('span', { class: 'tag amber', 'data-amended': p.amended_at }, t('amended_on', { date: fmtDay(p.amended_at) }))] : null,
    h('div', { class: 'visited' }, p.visited
      ? h('span', { class: 'tag green' }, t('visited_by', { who }))
      : [h('span', { class: 'tag red' }, t('not_visited')), who ? h('span', { class: 'muted' }, ` ${t('not_counted', { who })}`) : null]),
    h('div', { class: 'fulfilment' }, p.fulfilment
      ? [t('ful_line', { n: p.quota_visits, quota: p.quota }), ' ', h('span', { class: `tag ${FULFIL[p.fulfilment]}` }, t(`ful_${p.fulfilment}`))]
      : h('span', { class: 'muted' }, t('no_agreement'))),
    p.days_away ? h('div', { class: 'muted' }, t('away_days', { n: p.days_away })) : null,
    h('div', { class: 'caregiver' }, `${t('caregiver')}：${p.caregiver_name || t('no_caregiver')}`),
    h('p', { class: 'row' },
      p.caregiver_name ? callButton(p.caregiver_phone, t('call_caregiver'), { 'data-call': 'caregiver' }) : null,
      callButton(p.phone, t('call_person'), { 'data-call': 'person' })));
}

async function personsList(placeId, month, all) {
  const q = query(placeId, month);
  q.set('unvisited_only', all ? 'false' : 'true');
  return (await cached(`coverage-persons:${placeId || 'mine'}:${month}:${all}`, `/api/coverage/persons?${q}`)).data;
}

async function coverageScreen(arg) {
  const [placeId, month] = split(arg);
  const { data } = await cached(`coverage:${arg || 'mine'}`, `/api/coverage?${query(placeId, month)}`);
  const tot = data.total;
  const rate = pct(tot.visited, tot.active);
  // a village has no places with persons under it: its persons are the next level down
  const leaf = !data.children.some((c) => c.active);
  const unvisited = tot.active - tot.visited;
  const head = [
    h('p', { class: 'muted' }, t('coverage_of', { place: data.name, month: fmtMonth(data.month) })),
    await picker(data.place_id, data.month, (m) => `#/coverage/${data.place_id}_${m}`),
    stateLine(data, data.place_id),
    h('div', { class: 'card summary', id: 'coverage-total' },
      h('span', { class: 'row spread' }, h('strong', {}, t('visit_rate')), h('strong', { class: 'rate big' }, `${rate}%`)),
      rateBar(rate), counts(tot)),
    data.policy ? h('p', { class: 'muted', id: 'coverage-policy' }, data.policy.text) : null,
  ];
  if (leaf) {
    const persons = await personsList(data.place_id, data.month, true);
    show(t('coverage'), head, h('h2', {}, t('persons_here')),
      persons.persons.length ? persons.persons.map(personRow) : h('p', {}, t('no_persons_here')),
      await explanation(data.month));
    return;
  }
  show(t('coverage'), head,
    unvisited > 0 ? h('p', {}, h('a', { class: 'button', id: 'unvisited-link', href: `#/unvisited/${data.place_id}_${data.month}` },
      t('unvisited_list', { n: unvisited }))) : null,
    h('h2', {}, t('by_place')),
    data.children.map((c) => placeRow(c, data.month)),
    await explanation(data.month),
    h('h2', {}, t('trend')), trendChart(data.trend));
}

async function unvisitedScreen(arg) {
  const data = await personsList(...split(arg), false);
  show(t('unvisited_title'),
    h('p', { class: 'muted' }, t('coverage_of', { place: data.name, month: fmtMonth(data.month) })),
    stateLine(data, data.place_id),
    data.persons.length ? data.persons.map(personRow) : h('p', {}, t('all_visited')));
}

// A closed month's persons short of the quota (the month close's verdict, prorated where they
// were away): what a township's quota_missed alert opens. arg: "<place id>_<YYYY-MM>".
function missedRow(p) {
  return h('div', { class: 'card overdue', 'data-person': p.person_id },
    h('strong', {}, p.name), ' ', h('span', { class: 'muted' }, `${p.village} · ${t(`level_${p.self_care_level}`)}`),
    h('div', {}, h('span', { class: `tag ${p.quota_visits ? 'amber' : 'red'}` }, t('missed_tag', { n: p.quota_visits, quota: p.quota })),
      p.amended_at ? [' ', h('span', { class: 'tag amber', 'data-amended': p.amended_at }, t('amended_on', { date: fmtDay(p.amended_at) }))] : null),
    h('div', { class: 'caregiver' }, `${t('caregiver')}：${p.caregiver_name || t('no_caregiver')}`),
    h('p', { class: 'row' },
      p.caregiver_name ? callButton(p.caregiver_phone, t('call_caregiver'), { 'data-call': 'caregiver' }) : null,
      callButton(p.phone, t('call_person'), { 'data-call': 'person' })));
}

async function missedScreen(arg) {
  const { data } = await cached(`coverage-missed:${arg || 'mine'}`, `/api/coverage/missed?${query(...split(arg))}`);
  show(t('missed_title'),
    h('p', { class: 'muted', id: 'missed-of' }, t('missed_of', { place: data.name, month: data.month, n: data.persons.length })),
    stateLine(data, data.place_id),
    data.persons.length ? data.persons.map(missedRow) : h('p', {}, t('none_missed')));
}

// ---- a closed month's amendments (更正): whose month changed, when, by whom, why, and how -------

function changes(before, after) {
  const out = [];
  const step = (what, a, b) => { if (a !== b) out.push(`${what}：${a} → ${b}`); };
  const was = (before && before.person) || {};
  const now = (after && after.person) || {};
  const seen = (p) => t(p.visited ? 'visited_word' : 'unvisited_word');
  const n = (p) => (p.by_caregiver || 0) + (p.by_cadre || 0) + (p.by_other || 0);
  step(t('visit_rate'), seen(was), seen(now));
  step(t('amend_visits'), n(was), n(now));
  step(t('amend_days_away'), was.days_away || 0, now.days_away || 0);
  const a1 = (before && before.agreements) || {};
  const a2 = (after && after.agreements) || {};
  for (const id of new Set([...Object.keys(a1), ...Object.keys(a2)])) {
    const x = a1[id] || {};
    const y = a2[id] || {};
    const verdict = (a) => (a.fulfilment ? t(`ful_${a.fulfilment}`) : '—');
    step(t('fulfil'), verdict(x), verdict(y));
    step(t('amend_counted'), `${x.counted || 0}/${x.quota || 0}`, `${y.counted || 0}/${y.quota || 0}`);
  }
  return out;
}

async function amendmentsScreen(arg) {
  const [month, placeId] = (arg || '').split('_');
  const data = await API.get(`/api/months/${encodeURIComponent(month)}/amendments?${query(placeId)}`);
  show(t('amendments'),
    h('p', { class: 'muted', id: 'amendments-of' }, `${data.name} · ${fmtMonth(data.month)}`,
      data.closed_at ? ` · ${t('state_closed', { date: fmtDay(data.closed_at) })}` : ''),
    data.amendments.length ? data.amendments.map((a) => h('div', { class: 'card', 'data-amendment': a.id, 'data-person': a.person_id },
      h('strong', {}, a.name), ' ', h('span', { class: 'muted' }, a.village),
      h('div', {}, h('span', { class: 'tag amber' }, t(`amend_${a.reason}`))),
      h('div', { class: 'muted' }, `${fmtDay(a.at)} ${fmtClock(a.at)} · ${a.by || t('amend_by_system')}`),
      h('ul', { class: 'changes' }, changes(a.before, a.after).map((c) => h('li', {}, c))))) : h('p', {}, t('no_amendments')),
    h('p', {}, h('a', { class: 'button', id: 'amendments-back', href: `#/coverage/${data.place_id}_${data.month}` }, t('back_to_coverage'))));
}

/** A tel: link that looks like a button; nothing when there is no number. */
export function callButton(phone, label, attrs = {}) {
  if (!phone) return null;
  return h('a', { class: 'button call', href: `tel:${phone}`, ...attrs }, label);
}

export const Coverage = { pct, rateBar, placeRow, counts, stateText, barChart };
export const Months = { split, query, label, picker, stateText, stateLine };
App.screen('coverage', coverageScreen, { back: true });
App.screen('unvisited', unvisitedScreen, { back: true });
App.screen('missed', missedScreen, { back: true });
App.screen('amendments', amendmentsScreen, { back: true });
