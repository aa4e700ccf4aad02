/* 照应 — the care agreement as the seed's document: 《监管监护协议书》 signed by the township, the
 * 居（村）委会 and the caregiver (the "三方", seed 001 二(一)1), stating the care content from the
 * catalogue, its signed paper photographed, and filed with the district (已备案, seed 001 三(二)3).
 * An organisation (供养服务机构、社会组织, seed 002 item 5) may hold an agreement; its staff logins are
 * made here and check in as caregivers do. Screens: #/agreements (by place and status, 未备案),
 * #/agreement/new-<person_id> and #/agreement/<id>, #/organisations. */
import { App } from './app.js';
import { API } from './api.js';
import { I18N, t } from './i18n.js';

await I18N.more('agreements');

const { h, show, say, go, guard, currentUser, levelLabel, fmtDay, showErrors, clearErrors, loadCatalogue, pager } = App;
const today = App.today; // Shanghai's day
const RELATIONS = ['relative', 'neighbour', 'dibao_member'];

/** A 422's errors beside their fields (fields: name → element); anything else said plainly. */
function fieldErrors(err, fields) {
  if (err.status === 401) throw err;
  const errors = (err.body && err.body.errors) || {};
  const found = Object.entries(errors).filter(([k]) => fields[k]).map(([k, v]) => [fields[k], [].concat(v).join('；')]);
  if (!showErrors(found)) say(err.message, true);
}

const row = (id, label, input) => [h('label', { for: id }, label), input];
const holderName = (a) => (a.organisation_id ? `${a.organisation_name} · ${a.caregiver_name}` : a.caregiver_name);

/** The places a staff member picks from: a township's villages, or the district's townships. */
async function placesOf(me) {
  const children = await API.get(`/api/places?parent_id=${me.place_id}`).catch(() => []);
  return children.filter((p) => ['village', 'township'].includes(p.level));
}

function agreementCard(a) {
  return h('a', { class: 'card', href: `#/agreement/${a.id}`, 'data-agreement': a.id },
    h('strong', {}, a.person_name || ''),
    h('div', { class: 'muted' }, `${holderName(a)} · ${t('ag_signed_on', { date: fmtDay(a.signed_on) })}`),
    h('div', { class: 'row' },
      h('span', { class: `tag ${a.status === 'active' ? 'green' : 'red'}` }, t(`ag_status_${a.status}`)),
      h('span', { class: `tag ${a.filed_on ? 'green' : ''}`, 'data-filed': a.filed_on ? '1' : '0' },
        a.filed_on ? t('ag_filed_on', { date: fmtDay(a.filed_on) }) : t('ag_unfiled'))));
}

async function listScreen() {
  const me = await currentUser();
  const places = await placesOf(me);
  const place = h('select', { id: 'ag-place' }, h('option', { value: '' }, t('ag_all_places')),
    places.map((p) => h('option', { value: p.id }, p.name)));
  const status = h('select', { id: 'ag-status' },
    ['active', 'ended', ''].map((s) => h('option', { value: s }, s ? t(`ag_status_${s}`) : t('ag_all_statuses'))));
  const unfiled = h('input', { type: 'checkbox', id: 'ag-unfiled' });
  const list = h('div', { id: 'ag-list' });
  const holder = h('div');
  async function load() {
    const q = new URLSearchParams();
    if (place.value) q.set('place_id', place.value);
    if (status.value) q.set('status', status.value);
    if (unfiled.checked) q.set('filed', 'false');
    const path = (cursor) => `/api/agreements?${q}${cursor ? `&after=${encodeURIComponent(cursor)}` : ''}`;
    const first = await API.page(path(null));
    list.replaceChildren();
    const p = pager({ list, draw: agreementCard, load: (cursor) => API.page(path(cursor)), id: 'ag-more', first: first.data, after: first.next });
    holder.replaceChildren(first.data.length ? p.button : h('p', { class: 'muted', id: 'ag-none' }, t('ag_none')));
  }
  for (const el of [place, status, unfiled]) el.addEventListener('change', () => guard(load));
  show(t('ag_title'),
    h('p', { class: 'muted' }, t('ag_intro')),
    h('section', { class: 'card' },
      ...row('ag-place', t('ag_place'), place), ...row('ag-status', t('ag_status'), status),
      h('label', { class: 'check' }, unfiled, ` ${t('ag_only_unfiled')}`)),
    list, holder,
    h('p', {}, h('a', { class: 'button', href: '#/organisations', id: 'ag-organisations-link' }, t('ag_organisations'))));
  await load();
}

/** The care content as checkboxes: the catalogue's care for the person's level, ticked as given. */
async function contentPicker(level, chosen) {
  const cat = await loadCatalogue();
  const services = cat.services.filter((s) => s.levels.includes(level));
  const boxes = services.map((s) => h('input', { type: 'checkbox', value: s.code, 'data-care': s.code, checked: !chosen || chosen.includes(s.code) }));
  const box = h('fieldset', { id: 'ag-content' }, h('legend', {}, t('ag_care_content', { level: levelLabel(level) })),
    services.map((s, i) => h('label', { class: 'check' }, boxes[i], ` ${s.label}`)));
  return { box, value: () => boxes.filter((b) => b.checked).map((b) => b.value) };
}

async function newScreen(personId) {
  const [person, organisations, users] = await Promise.all([
    API.get(`/api/persons/${personId}`),
    API.get('/api/organisations').catch(() => []),
    API.get('/api/users?role=caregiver&page_size=200'),
  ]);
  const title = t('ag_new_title', { name: person.name });
  if (person.caregiver) {
    show(title, h('p', { id: 'ag-has-one' }, t('ag_has_one', { name: person.caregiver.display_name })),
      h('p', {}, h('a', { class: 'button primary', href: `#/agreement/${person.caregiver.agreement_id}` }, t('ag_open'))));
    return;
  }
  if (person.status !== 'active' || person.support_mode === 'centralised') {
    show(title, h('p', { id: 'ag-not-active' }, t('ag_not_active')));
    return;
  }
  const active = organisations.filter((o) => o.is_active);
  const kind = h('select', { id: 'ag-holder' }, h('option', { value: 'caregiver' }, t('ag_holder_caregiver')),
    active.length ? h('option', { value: 'organisation' }, t('ag_holder_organisation')) : null);
  const caregiver = h('select', { id: 'ag-caregiver' }, h('option', { value: '' }, t('ag_choose')),
    users.filter((u) => u.is_active).map((u) => h('option', { value: u.id }, `${u.display_name}（${u.username}）`)));
  const relation = h('select', { id: 'ag-relation' }, RELATIONS.map((r) => h('option', { value: r }, t(`ag_relation_${r}`))));
  const org = h('select', { id: 'ag-org' }, h('option', { value: '' }, t('ag_choose')), active.map((o) => h('option', { value: o.id }, o.name)));
  const orgStaff = h('select', { id: 'ag-org-staff' }, h('option', { value: '' }, t('ag_choose')));
  const committee = h('input', { type: 'text', id: 'ag-committee', maxlength: 50, placeholder: t('ag_committee_hint') });
  const signed = h('input', { type: 'date', id: 'ag-signed', class: 'date', value: today(), max: today() });
  const start = h('input', { type: 'date', id: 'ag-start', class: 'date', value: today() });
  const content = await contentPicker(person.self_care_level, null);
  const byPerson = h('div', {}, ...row('ag-caregiver', t('ag_caregiver'), caregiver), ...row('ag-relation', t('ag_relation'), relation));
  const byOrg = h('div', { hidden: true }, ...row('ag-org', t('ag_organisation'), org), ...row('ag-org-staff', t('ag_org_staff'), orgStaff));
  kind.addEventListener('change', () => { byPerson.hidden = kind.value !== 'caregiver'; byOrg.hidden = kind.value === 'caregiver'; });
  org.addEventListener('change', () => guard(async () => {
    const staff = org.value ? await API.get(`/api/organisations/${org.value}/staff`) : [];
    orgStaff.replaceChildren(h('option', { value: '' }, t('ag_choose')),
      ...staff.filter((u) => u.is_active).map((u) => h('option', { value: u.id }, u.display_name)));
  }));
  async function save() {
    clearErrors();
    const byOrganisation = kind.value === 'organisation';
    const who = byOrganisation ? orgStaff : caregiver;
    if (!who.value) { showErrors([[who, t('ag_choose')]]); return; }
    const body = {
      person_id: Number(personId), caregiver_id: Number(who.value),
      relation: byOrganisation ? 'organisation' : relation.value,
      organisation_id: byOrganisation ? Number(org.value) : null,
      committee_signatory: committee.value.trim() || null, signed_on: signed.value, start_on: start.value,
      care_content: content.value(),
    };
    let made;
    try {
      made = await API.post('/api/agreements', body);
    } catch (err) {
      fieldErrors(err, { caregiver_id: who, relation, organisation_id: org, committee_signatory: committee, signed_on: signed, start_on: start, care_content: content.box });
      return;
    }
    say(t('ag_signed', { name: person.name }));
    go(`#/agreement/${made.id}`);
  }
  show(title,
    h('p', { class: 'muted' }, `${person.village_name || ''} · ${levelLabel(person.self_care_level)}`),
    h('p', { class: 'muted' }, t('ag_three_parties')),
    ...row('ag-holder', t('ag_holder'), kind), byPerson, byOrg,
    ...row('ag-committee', t('ag_committee'), committee),
    ...row('ag-signed', t('ag_signed_day'), signed), ...row('ag-start', t('ag_start_day'), start),
    content.box,
    h('p', {}, h('button', { class: 'primary', id: 'ag-save', type: 'button', onclick: () => guard(save) }, t('ag_sign'))));
}

async function agreementScreen(id) {
  const me = await currentUser();
  const a = await API.get(`/api/agreements/${id}`);
  const person = await API.get(`/api/persons/${a.person_id}`);
  const open = a.status === 'active';
  const cat = await loadCatalogue();
  const label = (code) => (cat.services.find((s) => s.code === code) || { label: code }).label;
  const photos = h('div', { class: 'thumbs', id: 'ag-photos' });
  for (const doc of a.documents) {
    const img = h('img', { alt: t('ag_paper'), 'data-document': doc });
    photos.append(img);
    API.imageUrl(`/api/agreements/photos/${doc}`).then((src) => { img.src = src; }).catch(() => {});
  }
  const facts = h('dl', { id: 'ag-facts' },
    h('dt', {}, t('ag_holder')), h('dd', { id: 'ag-holder-name' }, holderName(a)),
    h('dt', {}, t('ag_relation')), h('dd', {}, t(`ag_relation_${a.relation}`)),
    h('dt', {}, t('ag_committee')), h('dd', { id: 'ag-committee-name' }, a.committee_signatory || '—'),
    h('dt', {}, t('ag_signed_day')), h('dd', {}, fmtDay(a.signed_on)),
    h('dt', {}, t('ag_start_day')), h('dd', {}, fmtDay(a.start_on)),
    a.end_on ? [h('dt', {}, t('ag_end_day')), h('dd', {}, `${fmtDay(a.end_on)} ${a.end_reason || ''}`)] : null,
    h('dt', {}, t('ag_status')), h('dd', { id: 'ag-state' }, t(`ag_status_${a.status}`)),
    h('dt', {}, t('ag_filing')), h('dd', { id: 'ag-filing' },
      a.filed_on ? t('ag_filed_by', { date: fmtDay(a.filed_on), name: a.filed_by_name || '' }) : t('ag_unfiled')),
    h('dt', {}, t('ag_content')), h('dd', { id: 'ag-content-list' }, a.care_content.length ? a.care_content.map(label).join('、') : t('ag_content_none')));

  const sections = [];
  if (open) {
    const committee = h('input', { type: 'text', id: 'ag-edit-committee', maxlength: 50, value: a.committee_signatory || '' });
    const content = await contentPicker(person.self_care_level, a.care_content.length ? a.care_content : null);
    const change = async () => {
      clearErrors();
      try {
        await API.put(`/api/agreements/${id}`, { committee_signatory: committee.value.trim() || null, care_content: content.value() });
      } catch (err) { fieldErrors(err, { committee_signatory: committee, care_content: content.box }); return; }
      await App.route();
      say(t(a.filed_on ? 'ag_changed_refile' : 'ag_changed'));
    };
    sections.push(h('details', { class: 'card', id: 'ag-edit' }, h('summary', {}, t('ag_change')),
      ...row('ag-edit-committee', t('ag_committee'), committee), content.box,
      a.filed_on ? h('p', { class: 'muted' }, t('ag_change_refiles')) : null,
      h('p', {}, h('button', { class: 'primary', id: 'ag-edit-save', type: 'button', onclick: () => guard(change) }, t('save')))));

    const file = h('input', { type: 'file', accept: 'image/*', capture: 'environment', id: 'ag-photo', class: 'file-input' });
    file.addEventListener('change', () => guard(async () => {
      if (!file.files.length) return;
      const { Camera } = await import('./camera.js');
      const form = new FormData();
      form.append('photo', (await Camera.downscale(file.files[0])).blob, 'paper.jpg');
      try { await API.upload(`/api/agreements/${id}/photos`, form, () => {}); } catch (err) { if (err.status === 401) throw err; say(err.message, true); return; }
      await App.route();
      say(t('ag_photo_added'));
    }));
    sections.push(h('section', { class: 'card', id: 'ag-paper' }, h('h3', {}, t('ag_paper')), photos,
      a.documents.length ? null : h('p', { class: 'muted' }, t('ag_no_paper')),
      h('label', { class: 'button', for: 'ag-photo' }, t('ag_photograph')), file));

    if (me.role === 'district_admin' && !a.filed_on) {
      const day = h('input', { type: 'date', id: 'ag-file-day', class: 'date', value: today(), max: today() });
      const fileIt = async () => {
        try { await API.post(`/api/agreements/${id}/filing`, { filed_on: day.value || null }); } catch (err) { fieldErrors(err, { filed_on: day }); return; }
        await App.route();
        say(t('ag_filed_saved', { name: a.person_name }));
      };
      sections.push(h('section', { class: 'card', id: 'ag-file' }, h('h3', {}, t('ag_file')),
        h('p', { class: 'muted' }, t('ag_file_hint')), ...row('ag-file-day', t('ag_file_day'), day),
        h('p', {}, h('button', { class: 'primary', id: 'ag-file-save', type: 'button', onclick: () => guard(fileIt) }, t('ag_file')))));
    }

    const endDay = h('input', { type: 'date', id: 'ag-end-day', class: 'date', value: today(), max: today() });
    const reason = h('input', { type: 'text', id: 'ag-end-reason', maxlength: 200 });
    const end = async () => {
      try { await API.patch(`/api/agreements/${id}`, { status: 'ended', end_on: endDay.value || null, end_reason: reason.value.trim() || null }); } catch (err) { fieldErrors(err, { end_on: endDay, end_reason: reason }); return; }
      await App.route();
      say(t('ag_ended', { name: a.person_name }));
    };
    sections.push(h('details', { class: 'card', id: 'ag-end' }, h('summary', {}, t('ag_end')),
      h('p', { class: 'muted' }, t('ag_end_hint')),
      ...row('ag-end-day', t('ag_end_day'), endDay), ...row('ag-end-reason', t('ag_end_reason'), reason),
      h('p', {}, h('button', { class: 'danger', id: 'ag-end-save', type: 'button', onclick: () => guard(end) }, t('ag_end')))));
  } else {
    sections.push(h('section', { class: 'card', id: 'ag-paper' }, h('h3', {}, t('ag_paper')), photos),
      person.status === 'active' && !person.caregiver
        ? h('p', {}, h('a', { class: 'button primary', href: `#/agreement/new-${a.person_id}`, id: 'ag-renew' }, t('ag_new'))) : null);
  }
  show(t('ag_one_title', { name: a.person_name }), facts, sections);
}

/** Random characters for a login's first password: it is replaced at once by a one-time password. */
function throwaway() {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function organisationForm(o, places, { id, onSaved, creating }) {
  const f = {
    name: h('input', { type: 'text', id: `${id}-name`, maxlength: 60, value: o.name || '' }),
    kind: h('select', { id: `${id}-kind` }, ['institution', 'social_org'].map((k) => h('option', { value: k, selected: o.kind === k }, t(`ag_kind_${k}`)))),
    place_id: h('select', { id: `${id}-place` }, places.map((p) => h('option', { value: p.id, selected: p.id === o.place_id }, p.name))),
    contact_name: h('input', { type: 'text', id: `${id}-contact`, maxlength: 50, value: o.contact_name || '' }),
    phone: h('input', { type: 'tel', id: `${id}-phone`, maxlength: 20, inputmode: 'tel', value: o.phone || '' }),
  };
  const active = h('input', { type: 'checkbox', id: `${id}-active`, checked: o.is_active !== false });
  async function save() {
    clearErrors();
    const body = { name: f.name.value.trim(), kind: f.kind.value, contact_name: f.contact_name.value.trim() || null, phone: f.phone.value.trim() || null };
    if (creating) body.place_id = Number(f.place_id.value); else body.is_active = active.checked;
    try { await onSaved(body); } catch (err) { fieldErrors(err, f); }
  }
  return [
    ...row(f.name.id, t('ag_org_name'), f.name), ...row(f.kind.id, t('ag_org_kind'), f.kind),
    creating ? row(f.place_id.id, t('ag_org_place'), f.place_id) : null,
    ...row(f.contact_name.id, t('ag_org_contact'), f.contact_name), ...row(f.phone.id, t('ag_org_phone'), f.phone),
    creating ? null : h('label', { class: 'check' }, active, ` ${t('ag_org_active')}`),
    h('p', {}, h('button', { class: 'primary', id: `${id}-save`, type: 'button', onclick: () => guard(save) }, t('save')))];
}

/** An organisation's staff logins, and a new one: its one-time password is shown once. */
async function staffBox(o, places) {
  const staff = await API.get(`/api/organisations/${o.id}/staff`);
  const homes = places.filter((p) => p.level !== 'district');
  const username = h('input', { type: 'text', id: `ag-staff-${o.id}-username`, maxlength: 40, autocomplete: 'off' });
  const name = h('input', { type: 'text', id: `ag-staff-${o.id}-name`, maxlength: 50 });
  const phone = h('input', { type: 'tel', id: `ag-staff-${o.id}-phone`, maxlength: 20, inputmode: 'tel' });
  const place = h('select', { id: `ag-staff-${o.id}-place` }, homes.map((p) => h('option', { value: p.id, selected: p.id === o.place_id }, p.name)));
  const out = h('div', { class: 'otp', id: `ag-staff-${o.id}-otp` });
  async function add() {
    clearErrors();
    let user;
    try {
      user = await API.post('/api/users', {
        username: username.value.trim(), display_name: name.value.trim(), phone: phone.value.trim() || null,
        role: 'caregiver', place_id: Number(place.value), organisation_id: o.id, password: throwaway(),
      });
    } catch (err) { fieldErrors(err, { username, display_name: name, phone, place_id: place }); return; }
    const r = await API.post(`/api/users/${user.id}/reset-password`);
    out.replaceChildren(h('p', {}, t('ag_staff_added', { name: user.display_name, username: user.username })),
      h('p', { class: 'otp-value' }, h('strong', {}, r.one_time_password)), h('p', { class: 'muted' }, t('ag_otp_once')));
    username.value = ''; name.value = ''; phone.value = '';
  }
  return h('div', { 'data-staff': o.id },
    h('h4', {}, t('ag_staff', { n: staff.length })),
    staff.length ? h('ul', {}, staff.map((u) => h('li', { 'data-user': u.id }, `${u.display_name}（${u.username}）${u.is_active ? '' : ` · ${t('ag_inactive')}`}`)))
      : h('p', { class: 'muted' }, t('ag_no_staff')),
    o.is_active ? [
      ...row(username.id, t('ag_staff_username'), username), ...row(name.id, t('ag_staff_name'), name),
      ...row(phone.id, t('ag_org_phone'), phone), ...row(place.id, t('ag_staff_place'), place),
      h('p', {}, h('button', { type: 'button', id: `ag-staff-${o.id}-add`, onclick: () => guard(add) }, t('ag_staff_add'))), out] : null);
}

async function organisationsScreen() {
  const me = await currentUser();
  const [orgs, here] = await Promise.all([API.get('/api/organisations'), API.get(`/api/places/${me.place_id}`)]);
  const below = me.role === 'district_admin' ? (await placesOf(me)).filter((p) => p.level === 'township') : [];
  const places = [here, ...below];
  const card = (o) => {
    const body = h('div');
    const d = h('details', { class: 'card', 'data-organisation': o.id },
      h('summary', {}, h('strong', {}, o.name), ' ',
        h('span', { class: 'muted' }, `${t(`ag_kind_${o.kind}`)} · ${t('ag_org_counts', { staff: o.staff_count, agreements: o.agreement_count })}`),
        o.is_active ? null : h('span', { class: 'tag red' }, t('ag_inactive'))),
      body);
    d.addEventListener('toggle', () => {
      if (!d.open || body.childElementCount) return;
      guard(async () => {
        body.append(...organisationForm(o, places, {
          id: `ag-org-${o.id}`,
          onSaved: async (changes) => { await API.patch(`/api/organisations/${o.id}`, changes); await App.route(); say(t('ag_org_saved')); },
        }), await staffBox(o, places));
      });
    });
    return d;
  };
  show(t('ag_organisations'),
    h('p', { class: 'muted' }, t('ag_org_intro')),
    orgs.length ? h('div', { id: 'ag-orgs' }, orgs.map(card)) : h('p', { class: 'muted', id: 'ag-no-orgs' }, t('ag_no_orgs')),
    h('details', { class: 'card', id: 'ag-org-add' }, h('summary', {}, t('ag_org_add')),
      ...organisationForm({ place_id: places[0] && places[0].id }, places, {
        id: 'ag-org-new',
        creating: true,
        onSaved: async (body) => { const made = await API.post('/api/organisations', body); await App.route(); say(t('ag_org_added', { name: made.name })); },
      })));
}

App.screen('agreements', listScreen, { back: true });
App.screen('agreement', (arg) => (String(arg).startsWith('new-') ? newScreen(Number(String(arg).slice(4))) : agreementScreen(Number(arg))), { back: true });
App.screen('organisations', organisationsScreen, { back: true });
