/* 照应 — subsidised home services (seed 002 附件2 items 5–7: 助浴、助洁、助乐): township staff record a
 * service for the provider from its service sheet, see the month's records and the statement of
 * what each provider is owed, and register providers and mutual-aid points; district admins set
 * the rates, caps and who is eligible, each with its source. */
import { App } from './app.js';
import { API } from './api.js';
import { t } from './i18n.js';

const { h, show, say, sayAfterNavigation, go, guard, photoPicker, saveBlob, currentUser } = App;
const SERVICES = ['bath', 'cleaning', 'recreation'];
const yuan = (n) => t('svc_yuan', { n });
const thisMonth = () => new Date().toLocaleDateString('sv-SE').slice(0, 7);
const isAdmin = async () => ((await currentUser()) || {}).role === 'district_admin';

async function servicesHome() {
  const month = thisMonth();
  const records = await API.get(`/api/home-services/records?month=${month}`);
  show(t('svc_title'),
    h('p', {}, h('a', { class: 'button primary', href: '#/service-record', id: 'svc-record-link' }, t('svc_record'))),
    h('div', { class: 'row' },
      h('a', { class: 'button', href: '#/statement', id: 'svc-statement-link' }, t('svc_statement')),
      h('a', { class: 'button', href: '#/providers', id: 'svc-providers-link' }, t('svc_providers')),
      h('a', { class: 'button', href: '#/service-policy', id: 'svc-policy-link' }, t('svc_policy'))),
    h('h3', {}, t('svc_records_month', { month })),
    records.length ? records.map((r) => h('div', { class: 'card', 'data-record': r.id },
      h('strong', {}, `${t(`svc_${r.service}`)} · ${r.person_name || r.point_name}`),
      h('div', { class: 'muted' }, `${r.served_on} · ${r.provider_name} · ${yuan(r.amount)}`)))
      : h('p', {}, t('svc_none')));
}

async function recordScreen() {
  const [providers, persons, points] = await Promise.all([
    API.get('/api/home-services/providers'), API.get('/api/persons?page_size=200&status=active'),
    API.get('/api/home-services/points')]);
  if (!providers.length) {
    show(t('svc_record'), h('p', {}, t('svc_no_provider')),
      h('p', {}, h('a', { class: 'button primary', href: '#/providers' }, t('svc_providers'))));
    return;
  }
  let service = null;
  const provider = h('select', { id: 'svc-provider' });
  const person = h('select', { id: 'svc-person' },
    persons.map((p) => h('option', { value: p.id }, `${p.name} · ${p.village_name || ''}`)));
  const point = h('select', { id: 'svc-point' }, points.map((p) => h('option', { value: p.id }, p.name)));
  // a township may hold more people than one list: the name narrows it, as the server searches
  const search = h('input', { type: 'text', id: 'svc-search', 'aria-label': t('svc_search'), placeholder: t('svc_search'),
    onchange: () => guard(async () => {
      const q = encodeURIComponent(search.value.trim());
      const found = await API.get(`/api/persons?page_size=200&status=active${q ? `&q=${q}` : ''}`);
      person.replaceChildren(...found.map((p) => h('option', { value: p.id }, `${p.name} · ${p.village_name || ''}`)));
    }) });
  const personBox = h('div', {}, h('label', { for: 'svc-person' }, t('svc_person')), search, person);
  const pointBox = h('div', { hidden: true }, h('label', { for: 'svc-point' }, t('svc_point')),
    points.length ? point : h('p', { class: 'warn' }, t('svc_no_point')));
  const day = h('input', { type: 'date', id: 'svc-date', class: 'date', value: new Date().toLocaleDateString('sv-SE') });
  const note = h('textarea', { id: 'svc-note', rows: 2, maxlength: 500 });
  const { photos, input: fileInput, preview } = photoPicker('svc-photo', 'svc-photos');
  // the server's reason (past the cap, not eligible) beside the button that got it
  const error = h('p', { class: 'error-box', id: 'svc-error', role: 'alert', hidden: true });
  const refuse = (text) => { error.textContent = text; error.hidden = false; error.scrollIntoView({ block: 'center' }); };
  const buttons = SERVICES.map((s) => h('button', {
    type: 'button', 'aria-pressed': 'false', 'data-service': s,
    onclick: () => {
      service = s;
      for (const b of buttons) b.setAttribute('aria-pressed', String(b.dataset.service === s));
      provider.replaceChildren(...providers.filter((p) => p.services.includes(s)).map((p) => h('option', { value: p.id }, p.name)));
      personBox.hidden = s === 'recreation';
      pointBox.hidden = s !== 'recreation';
    },
  }, t(`svc_${s}`)));
  async function submit() {
    error.hidden = true;
    if (!service) { refuse(t('svc_choose')); return; }
    if (!provider.value) { refuse(t('svc_no_provider_for')); return; }
    const fd = new FormData();
    fd.append('client_id', crypto.randomUUID());
    fd.append('service', service);
    fd.append('provider_id', provider.value);
    if (service === 'recreation') fd.append('point_id', point.value); else fd.append('person_id', person.value);
    fd.append('served_on', day.value);
    if (note.value.trim()) fd.append('note', note.value.trim());
    photos.forEach((blob, i) => fd.append('photos', blob, `service-${i + 1}.jpg`));
    await guard(async () => {
      try {
        const r = await API.upload('/api/home-services/records', fd, () => {});
        sayAfterNavigation(t('svc_saved', { amount: yuan(r.amount) }));
        go('#/services');
      } catch (err) {
        if (err.status === 401 || (err.body && err.body.reason === 'password_change_required')) throw err;
        refuse(err.message);
      }
    });
  }
  show(t('svc_record'),
    h('label', {}, t('svc_service')), h('div', { class: 'choices' }, buttons),
    h('label', { for: 'svc-provider' }, t('svc_provider')), provider,
    personBox, pointBox,
    h('label', { for: 'svc-date' }, t('svc_date')), day,
    h('label', { for: 'svc-photo', class: 'button', id: 'svc-take-photo' }, t('take_photo')), fileInput, preview,
    h('label', { for: 'svc-note' }, t('note')), note,
    error,
    h('p', {}, h('button', { class: 'primary', id: 'svc-submit', type: 'button', onclick: submit }, t('submit'))));
}

async function statementScreen(arg) {
  const month = arg || thisMonth();
  const report = await API.get(`/api/home-services/statement?month=${month}`);
  const picker = h('input', { type: 'month', id: 'svc-month', value: month, class: 'date',
    onchange: () => picker.value && go(`#/statement/${picker.value}`) });
  const download = (fmt) => guard(async () => {
    const { blob, name } = await API.file(`/api/home-services/statement?month=${month}&format=${fmt}`);
    saveBlob(blob, name || `${report.title}.${fmt}`);
  });
  const total = report.rows[report.rows.length - 1];
  show(t('svc_statement'),
    h('label', { for: 'svc-month' }, t('svc_month')), picker,
    h('p', {}, h('strong', { id: 'svc-total' }, t('svc_total', { n: total[5], amount: yuan(total[6]) }))),
    h('div', { class: 'table-wrap' }, h('table', { id: 'svc-statement' },
      h('thead', {}, h('tr', {}, [1, 2, 3, 5, 6].map((i) => h('th', {}, report.headers[i])))),
      h('tbody', {}, report.rows.slice(0, -1).map((r) => h('tr', {}, [1, 2, 3, 5, 6].map((i) => h('td', {}, String(r[i])))))))),
    h('div', { class: 'row' },
      h('button', { id: 'svc-csv', onclick: () => download('csv') }, t('svc_csv')),
      h('button', { id: 'svc-xlsx', onclick: () => download('xlsx') }, t('svc_xlsx'))));
}

async function providersScreen() {
  const user = await currentUser();
  const [providers, points] = await Promise.all([API.get('/api/home-services/providers'), API.get('/api/home-services/points')]);
  const townships = user.role === 'district_admin'
    ? await API.get(`/api/places?parent_id=${user.place_id}`) : [{ id: user.place_id, name: '' }];
  const township = h('select', { id: 'prov-township', hidden: townships.length === 1 },
    townships.map((p) => h('option', { value: p.id }, p.name)));
  const villages = h('select', { id: 'point-village' });
  const loadVillages = async () => villages.replaceChildren(
    ...(await API.get(`/api/places?parent_id=${township.value}`)).map((v) => h('option', { value: v.id }, v.name)));
  township.addEventListener('change', () => guard(loadVillages));
  await loadVillages();
  const name = h('input', { type: 'text', id: 'prov-name', maxlength: 80 });
  const phone = h('input', { type: 'tel', id: 'prov-phone', maxlength: 20 });
  const offers = SERVICES.map((s) => h('input', { type: 'checkbox', value: s, id: `prov-${s}` }));
  const pointName = h('input', { type: 'text', id: 'point-name', maxlength: 80 });
  const addProvider = () => guard(async () => {
    await API.post('/api/home-services/providers', {
      name: name.value.trim(), township_id: Number(township.value), phone: phone.value.trim() || null,
      services: offers.filter((c) => c.checked).map((c) => c.value) });
    sayAfterNavigation(t('svc_done'));
    App.route();
  });
  const addPoint = () => guard(async () => {
    await API.post('/api/home-services/points', { name: pointName.value.trim(), village_id: Number(villages.value) });
    sayAfterNavigation(t('svc_done'));
    App.route();
  });
  show(t('svc_providers'),
    providers.length ? providers.map((p) => h('div', { class: 'card', 'data-provider': p.id },
      h('strong', {}, p.name), h('div', { class: 'muted' }, p.services.map((s) => t(`svc_${s}`)).join('、'), p.phone ? ` · ${p.phone}` : '')))
      : h('p', {}, t('svc_no_provider')),
    h('h3', {}, t('svc_add_provider')),
    townships.length > 1 ? h('label', { for: 'prov-township' }, t('svc_township')) : null, township,
    h('label', { for: 'prov-name' }, t('svc_provider_name')), name,
    h('label', { for: 'prov-phone' }, t('svc_phone')), phone,
    h('div', { class: 'checks' }, SERVICES.map((s, i) => h('label', { for: `prov-${s}` }, offers[i], t(`svc_${s}`)))),
    h('p', {}, h('button', { class: 'primary', id: 'prov-add', onclick: addProvider }, t('svc_add_provider'))),
    h('h3', {}, t('svc_points')),
    points.map((p) => h('div', { class: 'card', 'data-point': p.id }, p.name)),
    h('label', { for: 'point-village' }, t('village')), villages,
    h('label', { for: 'point-name' }, t('svc_point_name')), pointName,
    h('p', {}, h('button', { id: 'point-add', onclick: addPoint }, t('svc_add_point'))));
}

async function policyScreen() {
  const admin = await isAdmin();
  const data = await API.get('/api/home-services/policy');
  const policyCard = (p) => {
    const cap = h('input', { type: 'text', inputmode: 'numeric', value: String(p.cap_count), 'aria-label': t('svc_cap'), disabled: !admin });
    const period = h('select', { 'aria-label': t('svc_cap_period'), disabled: !admin },
      ['month', 'week'].map((x) => h('option', { value: x, selected: x === p.cap_period }, t(`svc_per_${x}`))));
    const age = h('input', { type: 'text', inputmode: 'numeric', value: String(p.min_age), 'aria-label': t('svc_min_age'), disabled: !admin });
    const source = h('textarea', { rows: 2, maxlength: 300, 'aria-label': t('svc_source'), disabled: !admin }, p.source);
    return h('div', { class: 'card', 'data-policy': p.service },
      h('h3', {}, t(`svc_${p.service}`)),
      h('label', {}, t('svc_cap')), h('div', { class: 'row' }, cap, period),
      h('label', {}, t('svc_min_age')), age,
      h('label', {}, t('svc_source')), source,
      admin ? h('p', {}, h('button', { onclick: () => guard(async () => {
        await API.put(`/api/home-services/policy/${p.service}`, {
          cap_count: Number(cap.value), cap_period: period.value, min_age: Number(age.value), source: source.value.trim() });
        say(t('svc_done'));
      }) }, t('svc_save'))) : null);
  };
  const rateCard = (r) => {
    const amount = h('input', { type: 'text', inputmode: 'decimal', value: String(r.amount), 'aria-label': t('svc_rate'), disabled: !admin });
    const eligible = h('input', { type: 'checkbox', checked: r.eligible, id: `rate-${r.service}-${r.group_code}`, disabled: !admin });
    const source = h('textarea', { rows: 2, maxlength: 300, 'aria-label': t('svc_source'), disabled: !admin }, r.source);
    return h('div', { class: 'card', 'data-rate': `${r.service}:${r.group_code}` },
      h('strong', {}, `${t(`svc_${r.service}`)} · ${t(`svc_group_${r.group_code}`)}`),
      h('label', {}, t('svc_rate')), amount,
      h('div', { class: 'checks' }, h('label', { for: eligible.id }, eligible, t('svc_eligible'))),
      h('label', {}, t('svc_source')), source,
      admin ? h('p', {}, h('button', { onclick: () => guard(async () => {
        await API.put(`/api/home-services/rates/${r.service}/${r.group_code}`, {
          amount: Number(amount.value), eligible: eligible.checked, source: source.value.trim() });
        say(t('svc_done'));
      }) }, t('svc_save'))) : null);
  };
  // a person in two groups with different rates (特困 and 一二级残疾: 65 or 75 元): no seed says which
  // applies, the district decides; until it does, the first group listed applies, and the card says so
  const listed = [...new Set(data.rates.map((r) => r.group_code))].filter((g) => g !== 'mutual_aid_point')
    .map((g) => t(`svc_group_${g}`)).join('、');
  const rule = data.group_rule && data.group_rule.rule;
  const choice = h('select', { id: 'svc-group-rule', 'aria-label': t('svc_two_groups'), disabled: !admin },
    rule ? null : h('option', { value: '', selected: true, disabled: true }, t('svc_rule_unset')),
    ['listed', 'higher', 'lower'].map((x) => h('option', { value: x, selected: x === rule }, t(`svc_rule_${x}`, { listed }))));
  const ruleCard = h('div', { class: 'card', id: 'svc-two-groups' },
    h('h3', {}, t('svc_two_groups')),
    h('p', { class: `tag ${rule ? 'green' : 'amber'}`, id: 'svc-rule-state' },
      rule ? t(`svc_rule_${rule}`, { listed }) : `${t('svc_rule_unset')}：${t('svc_rule_listed', { listed })}`),
    choice,
    admin ? h('p', {}, h('button', { id: 'svc-rule-save', onclick: () => guard(async () => {
      if (!choice.value) { say(t('svc_rule_unset'), true); return; }
      await API.put('/api/home-services/group-rule', { rule: choice.value });
      await App.route();
      say(t('svc_done'));
    }) }, t('svc_save'))) : null);
  show(t('svc_policy'),
    admin ? null : h('p', { class: 'muted' }, t('svc_policy_admin_only')),
    data.policies.map(policyCard),
    ruleCard,
    h('h3', {}, t('svc_rates')),
    data.rates.map(rateCard));
}

App.screen('services', servicesHome, { back: true });
App.screen('service-record', recordScreen, { back: true });
App.screen('statement', statementScreen, { back: true });
App.screen('providers', providersScreen, { back: true });
App.screen('service-policy', policyScreen, { back: true });
