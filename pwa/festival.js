/* 照应 — festival visits (节日慰问: seed 003 元旦春节、端午、中秋; seed 000 item 12): the windows the
 * district sets each year, whose visits count (paired cadres, volunteer teams: 发动社会力量), the live
 * report per township and per unit of who has been visited and by whom, and — one tap on a row —
 * the list of who has not. */
import { App } from './app.js';
import { API } from './api.js';
import { ZY } from './db.js';
import { t } from './i18n.js';

const { h, show, say, guard, commonLinks } = App;

/** Whose visits count (seed 000 item 12): paired cadres' and volunteer teams', with the default and
 * its source; district admins change it, everyone else reads it. */
function visitorsSetting(p, editable) {
  const boxes = p.choices.map((c) => h('input', { type: 'checkbox', id: `fest-visitor-${c.code}`, value: c.code,
    checked: p.visitors.includes(c.code), disabled: !editable }));
  const current = h('p', { id: 'fest-visitors-text' }, p.text);
  const save = () => {
    const visitors = boxes.filter((b) => b.checked).map((b) => b.value);
    if (App.showErrors(visitors.length ? [] : [[boxes[0], t('fest_visitors_none')]])) return;
    guard(async () => {
      const saved = await API.put('/api/festivals/policy', { visitors });
      current.textContent = saved.text;
      say(t('saved'));
    });
  };
  return h('div', { class: 'card policy', id: 'festival-visitors' },
    h('h3', {}, t('fest_visitors')),
    h('div', { class: 'checks' }, p.choices.map((c, i) => h('label', { for: boxes[i].id }, boxes[i], c.label))),
    current,
    h('p', { class: 'muted', id: 'fest-visitors-source' }, p.source),
    editable ? h('p', {}, h('button', { class: 'primary', id: 'fest-visitors-save', type: 'button', onclick: save }, t('save')))
      : null);
}

async function festivalsScreen() {
  const me = await ZY.kv.get('user');
  const [campaigns, policy] = await Promise.all([API.get('/api/festivals'), API.get('/api/festivals/policy')]);
  let form = null;
  if (me.role === 'district_admin') {
    const year = h('input', { id: 'fest-year', type: 'text', inputmode: 'numeric', value: String(new Date().getFullYear()) });
    // seed 003's three and the ones the district added (本地标准, #/local-numbers)
    const { festival_list: festivals } = policy;
    const festival = h('select', { id: 'fest-kind' }, festivals.map((f) => h('option', { value: f.code }, f.label)));
    const starts = h('input', { id: 'fest-start', type: 'date', class: 'date' });
    const ends = h('input', { id: 'fest-end', type: 'date', class: 'date' });
    form = h('details', { class: 'form' }, h('summary', {}, t('festival_new')),
      h('label', { for: 'fest-year' }, t('year')), year,
      h('label', { for: 'fest-kind' }, t('festival')), festival,
      h('label', { for: 'fest-start' }, t('starts_on')), starts,
      h('label', { for: 'fest-end' }, t('ends_on')), ends,
      h('p', {}, h('button', { class: 'primary', id: 'fest-save', type: 'button', onclick: () => guard(async () => {
        await API.post('/api/festivals', { year: Number(year.value), festival: festival.value, starts_on: starts.value, ends_on: ends.value });
        await App.route();
        say(t('saved'));
      }) }, t('save'))));
  }
  show(t('festivals'),
    h('p', { class: 'muted' }, t('festival_intro')),
    campaigns.length ? campaigns.map((c) => h('a', { class: 'card row-link', href: `#/festival/${c.id}`, 'data-festival': c.id },
      h('strong', {}, `${c.year} ${c.label}`), h('span', { class: 'muted' }, `${c.starts_on} – ${c.ends_on}`)))
      : h('p', {}, t('no_festivals')),
    form,
    visitorsSetting(policy, me.role === 'district_admin'),
    commonLinks());
}

function row(cells, href, attrs) {
  return h('a', { class: 'card row-link', href, ...attrs },
    h('strong', {}, cells.name || t('no_unit')),
    h('span', {}, h('span', { class: 'tag green' }, t('visited_n', { n: cells.visited })), ' ',
      h('span', { class: `tag ${cells.not_visited ? 'red' : 'green'}` }, t('not_visited_n', { n: cells.not_visited }))));
}

async function reportScreen(id) {
  const r = await API.get(`/api/festivals/${id}/report`);
  const pct = r.persons ? Math.round((100 * r.visited) / r.persons) : 0;
  show(`${r.campaign.year} ${r.campaign.label}`,
    h('p', { class: 'muted' }, `${r.campaign.starts_on} – ${r.campaign.ends_on}`),
    h('p', { id: 'festival-total' }, h('strong', {}, t('festival_total', { visited: r.visited, persons: r.persons, pct }))),
    h('p', { id: 'festival-by-whom' }, t('fest_by_whom', { cadre: r.by_cadre, volunteer: r.by_volunteer })),
    h('p', { class: 'muted', id: 'festival-policy' }, r.policy.text),
    h('p', {}, h('a', { class: 'button primary', href: `#/festival-list/${id}`, id: 'festival-all' }, t('not_visited_n', { n: r.not_visited })),
      ' ', h('a', { class: 'button', href: `#/festival-list/${id}-v`, id: 'festival-visited' }, t('visited_n', { n: r.visited }))),
    h('h3', {}, t('festival_by_township')),
    r.townships.map((x) => row(x, `#/festival-list/${id}-t${x.township_id}`, { 'data-township': x.township_id })),
    h('h3', {}, t('by_unit')),
    r.units.map((x) => row(x, `#/festival-list/${id}-u${x.unit_id || 0}`, { 'data-unit': x.unit_id || 0 })));
}

/** Who has been visited, and by whom: the cadres by name, the volunteer teams by name. */
async function visitedScreen(id) {
  const list = await API.get(`/api/festivals/${id}/visited`);
  const who = (p) => p.visitors.map((v) => `${v.name || ''}（${t(`fest_kind_${v.kind}`)}）`).join('、');
  show(t('fest_visited_list'),
    h('p', { class: 'muted' }, t('visited_n', { n: list.length })),
    h('table', { id: 'visited' }, h('tbody', {}, list.map((p) => h('tr', { 'data-person': p.id },
      h('td', {}, p.name), h('td', {}, p.village_name), h('td', { class: 'visitors' }, who(p)))))));
}

async function listScreen(arg) {
  const visitedOf = /^(\d+)-v$/.exec(arg || '');
  if (visitedOf) { await visitedScreen(visitedOf[1]); return; }
  const [, id, kind, ref] = /^(\d+)(?:-([tu])(\d+))?$/.exec(arg || '') || [];
  if (!id) { say(t('not_found'), true); return; }
  let query = '';
  if (kind === 't') query = `?township_id=${ref}`;
  if (kind === 'u' && ref !== '0') query = `?unit_id=${ref}`;
  let list = await API.get(`/api/festivals/${id}/unvisited${query}`);
  if (kind === 'u' && ref === '0') list = list.filter((p) => !p.units.length);
  show(t('not_visited_list'),
    h('p', { class: 'muted' }, t('not_visited_n', { n: list.length })),
    list.length ? h('table', { id: 'unvisited' }, h('tbody', {}, list.map((p) => h('tr', { 'data-person': p.id },
      h('td', {}, p.name), h('td', {}, p.village_name), h('td', {}, p.cadres.join('、') || t('no_pair'))))))
      : h('p', {}, t('all_visited')));
}

App.screen('festivals', festivalsScreen, { back: true });
App.screen('festival', (arg) => reportScreen(Number(arg)), { back: true });
App.screen('festival-list', listScreen, { back: true });
