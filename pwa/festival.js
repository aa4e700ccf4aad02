/* 照应 — festival visits (节日慰问: seed 003 元旦春节、端午、中秋; seed 000 item 12): the windows the
 * district sets each year, the live report per township and per unit of who has been visited, and
 * — one tap on a row — the list of who has not. */
import { App } from './app.js';
import { API } from './api.js';
import { ZY } from './db.js';
import { t } from './i18n.js';

const { h, show, say, guard, commonLinks } = App;

const FESTIVALS = ['spring', 'dragon_boat', 'mid_autumn'];

async function festivalsScreen() {
  const me = await ZY.kv.get('user');
  const campaigns = await API.get('/api/festivals');
  let form = null;
  if (me.role === 'district_admin') {
    const year = h('input', { id: 'fest-year', type: 'text', inputmode: 'numeric', value: String(new Date().getFullYear()) });
    const festival = h('select', { id: 'fest-kind' }, FESTIVALS.map((f) => h('option', { value: f }, t(`festival_${f}`))));
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
    h('p', {}, h('a', { class: 'button primary', href: `#/festival-list/${id}`, id: 'festival-all' }, t('not_visited_n', { n: r.not_visited }))),
    h('h3', {}, t('festival_by_township')),
    r.townships.map((x) => row(x, `#/festival-list/${id}-t${x.township_id}`, { 'data-township': x.township_id })),
    h('h3', {}, t('by_unit')),
    r.units.map((x) => row(x, `#/festival-list/${id}-u${x.unit_id || 0}`, { 'data-unit': x.unit_id || 0 })));
}

async function listScreen(arg) {
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
