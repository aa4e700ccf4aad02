/* 照应 — 结对帮扶 (seed 003) for district admins and township staff: units (区级部门) paired with
 * townships, their cadres (a login each), cadres paired with persons with the "321" rule's warning,
 * the report of cadres outside their range and persons without a pair, and the annex table. */
import { App } from './app.js';
import { API } from './api.js';
import { ZY } from './db.js';
import { t } from './i18n.js';

const { h, show, say, guard, commonLinks } = App;

const rankLabel = (rank) => t(`rank_${rank}`);
const ruleTag = (c) => (c.rule ? h('span', { class: 'tag red', 'data-rule': c.rule }, t(`rule_${c.rule}`, { range: c.range[0] === c.range[1] ? c.range[0] : `${c.range[0]}–${c.range[1]}` }))
  : h('span', { class: 'tag green' }, t('rule_ok')));

function field(id, label, attrs = {}) {
  const input = h('input', { id, type: 'text', ...attrs });
  return [h('label', { for: id }, label), input];
}

function select(id, label, options) {
  const el = h('select', { id }, options.map(([value, text]) => h('option', { value }, text)));
  return [h('label', { for: id }, label), el];
}

async function adminPart(me) {
  const units = await API.get('/api/pairing/units');
  const townships = await API.get(`/api/places?parent_id=${me.place_id}`);
  const [nameL, name] = field('unit-name', t('unit_name'), { maxlength: 200 });
  const [leaderL, leader] = field('unit-leader', t('unit_leader'), { maxlength: 50 });
  const [phoneL, phone] = field('unit-phone', t('unit_leader_phone'), { inputmode: 'tel', maxlength: 20 });
  const [townL, town] = select('unit-township', t('township'), townships.filter((p) => p.level === 'township').map((p) => [p.id, p.name]));
  const addUnit = h('button', { class: 'primary', id: 'add-unit', type: 'button', onclick: () => guard(async () => {
    await API.post('/api/pairing/units', { name: name.value.trim(), leader_name: leader.value.trim() || null,
      leader_phone: phone.value.trim() || null, township_ids: town.value ? [Number(town.value)] : [] });
    await App.route();
    say(t('saved'));
  }) }, t('add_unit'));
  const [cUnitL, cUnit] = select('cadre-unit', t('unit'), units.map((u) => [u.id, u.name]));
  const [cNameL, cName] = field('cadre-name', t('cadre_name'), { maxlength: 50 });
  const [cPhoneL, cPhone] = field('cadre-phone', t('cadre_phone'), { inputmode: 'tel', maxlength: 11 });
  const [cRankL, cRank] = select('cadre-rank', t('rank'), ['district_leader', 'division_leader', 'other'].map((r) => [r, rankLabel(r)]));
  const made = h('div', { id: 'cadre-made' });
  const addCadre = h('button', { class: 'primary', id: 'add-cadre', type: 'button', onclick: () => guard(async () => {
    const c = await API.post('/api/pairing/cadres', { unit_id: Number(cUnit.value), display_name: cName.value.trim(),
      phone: cPhone.value.trim(), rank: cRank.value });
    made.replaceChildren(h('div', { class: 'card' }, h('strong', {}, `${c.display_name} · ${c.username}`),
      h('p', {}, t('one_time_password_once')), h('p', { class: 'otp' }, c.one_time_password)));
  }) }, t('add_cadre'));
  return [
    h('h3', {}, t('units')),
    units.map((u) => h('div', { class: 'card', 'data-unit': u.id },
      h('h3', {}, u.name),
      h('div', {}, `${t('unit_leader')}：${u.leader_name || '—'} ${u.leader_phone || ''}`),
      h('div', {}, `${t('township')}：${u.townships.map((x) => x.name).join('、') || '—'} · ${t('cadre_count', { n: u.cadres })}`))),
    h('details', { class: 'form' }, h('summary', {}, t('add_unit')), nameL, name, leaderL, leader, phoneL, phone, townL, town, h('p', {}, addUnit)),
    units.length ? h('details', { class: 'form' }, h('summary', {}, t('add_cadre')), cUnitL, cUnit, cNameL, cName, cPhoneL, cPhone, cRankL, cRank,
      h('p', {}, addCadre), made) : null,
  ];
}

async function pairingScreen() {
  const me = await ZY.kv.get('user');
  const admin = me.role === 'district_admin' ? await adminPart(me) : [];
  const cadres = await API.get('/api/pairing/cadres');
  const pairs = await API.get('/api/pairing/pairs');
  const persons = await API.get('/api/persons?page_size=50&status=active');
  const [pcL, pc] = select('pair-cadre', t('cadre'), cadres.map((c) => [c.id, `${c.display_name}（${rankLabel(c.rank)} · ${c.unit_name}）`]));
  const [ppL, pp] = select('pair-person', t('person'), persons.map((p) => [p.id, `${p.name} · ${p.village_name}`]));
  // a street may have well over a thousand people: find them by name
  let searching = 0;
  const search = h('input', { id: 'pair-search', type: 'search', placeholder: t('search_name'), oninput: async () => {
    const mine = ++searching;
    const q = search.value.trim();
    const found = await API.get(`/api/persons?page_size=50&status=active${q ? `&q=${encodeURIComponent(q)}` : ''}`).catch(() => null);
    if (!found || mine !== searching) return;
    pp.replaceChildren(...found.map((p) => h('option', { value: p.id }, `${p.name} · ${p.village_name}`)));
  } });
  const warning = h('div', { id: 'pair-warning', role: 'alert' });
  const add = h('button', { class: 'primary', id: 'add-pair', type: 'button', onclick: () => guard(async () => {
    const made = await API.post('/api/pairing/pairs', { cadre_id: Number(pc.value), person_id: Number(pp.value) });
    await App.route();
    // made all the same: the rule is the district's to enforce, the app says where it is broken
    const box = document.getElementById('pair-warning');
    if (made.warnings.length && box) box.append(h('p', { class: 'warning' }, `${t('rule_warning')}${made.warnings.join(' ')}`));
    say(made.warnings.length ? made.warnings.join(' ') : t('paired_ok', { name: made.person_name }), made.warnings.length > 0);
  }) }, t('add_pair'));
  show(t('pairing'),
    h('p', { class: 'row' },
      h('a', { class: 'button', href: '#/pairing-rule', id: 'rule-link' }, t('rule_report')),
      h('a', { class: 'button', href: '#/pairing-annex', id: 'annex-link' }, t('annex_report'))),
    admin,
    h('h3', {}, t('cadres')),
    cadres.length ? cadres.map((c) => h('div', { class: 'card', 'data-cadre': c.id },
      h('strong', {}, `${c.display_name} · ${rankLabel(c.rank)}`),
      h('div', { class: 'row' }, h('span', { class: 'muted' }, `${c.unit_name} · ${t('paired_n', { n: c.paired })}`), ruleTag(c))))
      : h('p', {}, t('no_cadres')),
    cadres.length ? [h('h3', {}, t('add_pair')), warning, pcL, pc, ppL, search, pp, h('p', {}, add)] : null,
    h('h3', {}, t('pairs')),
    pairs.length ? h('table', {}, h('tbody', {}, pairs.map((p) => h('tr', { 'data-pair': p.id },
      h('td', {}, p.person_name), h('td', {}, p.village_name), h('td', {}, p.cadre_name),
      h('td', {}, h('button', { class: 'small danger', onclick: () => guard(async () => {
        await API.post(`/api/pairing/pairs/${p.id}/end`);
        App.route();
      }) }, t('end_pair')))))))
      : h('p', {}, t('no_pairs_yet')),
    commonLinks());
}

async function ruleScreen() {
  const r = await API.get('/api/pairing/rule');
  show(t('rule_report'),
    h('p', { class: 'muted' }, t('rule_explained')),
    h('h3', {}, t('cadres_outside', { n: r.cadres_outside.length })),
    r.cadres_outside.map((c) => h('div', { class: 'card', 'data-outside': c.id }, h('strong', {}, c.display_name), ' ', ruleTag(c),
      h('div', { class: 'muted' }, c.message))),
    h('h3', {}, t('unpaired', { n: r.unpaired_total, total: r.persons_total })),
    h('table', { id: 'unpaired' }, h('tbody', {}, r.unpaired.map((p) => h('tr', {},
      h('td', {}, p.name), h('td', {}, p.village_name), h('td', {}, t(`category_${p.assistance_category}`)))))));
}

async function download(path) {
  await guard(async () => {
    const { blob, name } = await API.file(path);
    const url = URL.createObjectURL(blob);
    const a = h('a', { href: url, download: name, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  });
}

async function annexScreen() {
  const r = await API.get('/api/pairing/annex');
  show(t('annex_report'),
    h('p', { class: 'muted' }, r.title),
    h('p', { class: 'row' },
      h('button', { id: 'annex-csv', onclick: () => download('/api/pairing/annex?format=csv') }, 'CSV'),
      h('button', { id: 'annex-xlsx', onclick: () => download('/api/pairing/annex?format=xlsx') }, 'Excel')),
    h('div', { class: 'scroll' }, h('table', { id: 'annex' },
      h('thead', {}, h('tr', {}, r.headers.map((x) => h('th', {}, x)))),
      h('tbody', {}, r.rows.map((row) => h('tr', {}, row.map((v) => h('td', {}, String(v)))))))));
}

App.screen('pairing', pairingScreen, { back: true });
App.screen('pairing-rule', ruleScreen, { back: true });
App.screen('pairing-annex', annexScreen, { back: true });
