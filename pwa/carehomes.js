/* 照应 — care homes as data (seed 001 annex 2, 二(二)4) and the move into one (seed 004 item 2:
 * 有集中供养意愿的特困人员集中供养率达到100%). District admins add and edit the homes (名称, 乡镇, 床位,
 * 工作人员, 负责人, 电话) and set the occupancy target (default 60%, seed 001, 随上级政策变化适时调整);
 * a home's township staff keep its numbers; staff move a person in: a home with a bed free, the
 * day, a note — the person is then centrally supported there and counted in annex 2. */
import { App } from './app.js';
import { API } from './api.js';
import { I18N, t } from './i18n.js';

await I18N.more('carehomes');

const { h, show, say, go, guard, currentUser, levelLabel, fmtDay, showErrors, clearErrors } = App;
const today = App.today; // Shanghai's day

function numberInput(id, value, { min = 0, max = 5000 } = {}) {
  return h('input', { type: 'number', id, min, max, inputmode: 'numeric', class: 'number', value: value === null || value === undefined ? '' : String(value) });
}

/** The form's errors from a 422, each beside its field (fields: name → input). */
function fieldErrors(err, fields) {
  const errors = (err.body && err.body.errors) || {};
  const found = Object.entries(errors).filter(([k]) => fields[k]).map(([k, v]) => [fields[k], [].concat(v).join('；')]);
  if (!showErrors(found)) say(err.message, true);
}

/** The occupancy target (and the 失能 share aimed at) with its default and where it comes from;
 * district admins change it here. */
function policyCard(p, admin) {
  const pct = numberInput('ch-target', p.occupancy_target_percent, { min: 1, max: 100 });
  const disabled = numberInput('ch-disabled-target', p.disabled_centralised_percent, { min: 1, max: 100 });
  pct.disabled = !admin;
  disabled.disabled = !admin;
  async function save() {
    clearErrors();
    try {
      const saved = await API.put('/api/care-homes/policy', {
        occupancy_target_percent: Number(pct.value), disabled_centralised_percent: Number(disabled.value),
      });
      await App.route();
      say(t('ch_policy_saved', { pct: saved.occupancy_target_percent }));
    } catch (err) {
      if (err.status === 401) throw err;
      fieldErrors(err, { occupancy_target_percent: pct, disabled_centralised_percent: disabled });
    }
  }
  return h('section', { class: 'card', id: 'ch-policy' },
    h('h3', {}, t('ch_policy')),
    h('label', { for: 'ch-target' }, t('ch_target_percent')), pct,
    h('p', { class: 'muted', id: 'ch-target-source' }, p.source),
    h('label', { for: 'ch-disabled-target' }, t('ch_disabled_percent')), disabled,
    h('p', { class: 'muted', id: 'ch-disabled-source' }, p.disabled_source),
    h('p', { class: 'muted' }, p.is_default ? t('ch_policy_default') : t('ch_policy_local', { date: fmtDay(p.updated_at) })),
    admin ? h('p', {}, h('button', { class: 'primary', id: 'ch-policy-save', type: 'button', onclick: () => guard(save) }, t('save'))) : null);
}

/** A home's fields as a form: district admins edit all, a township's staff the numbers only. */
function homeForm(home, townships, { admin, onSaved, id }) {
  const f = {
    name: h('input', { type: 'text', id: `${id}-name`, maxlength: 60, value: home.name || '' }),
    place_id: h('select', { id: `${id}-place` }, townships.map((p) => h('option', { value: p.id, selected: p.id === home.place_id }, p.name))),
    beds: numberInput(`${id}-beds`, home.beds, { min: 1 }),
    staff: numberInput(`${id}-staff`, home.staff, { max: 1000 }),
    other_residents: numberInput(`${id}-other`, home.other_residents ?? 0),
    head_name: h('input', { type: 'text', id: `${id}-head`, maxlength: 50, value: home.head_name || '' }),
    phone: h('input', { type: 'tel', id: `${id}-phone`, maxlength: 20, inputmode: 'tel', value: home.phone || '' }),
  };
  for (const k of ['name', 'place_id', 'beds']) f[k].disabled = !admin;
  const row = (k) => [h('label', { for: f[k].id }, t(`ch_field_${k}`)), f[k]];
  async function save() {
    clearErrors();
    const body = {
      staff: f.staff.value === '' ? null : Number(f.staff.value), other_residents: Number(f.other_residents.value || 0),
      head_name: f.head_name.value.trim() || null, phone: f.phone.value.trim() || null,
      ...(admin ? { name: f.name.value.trim(), place_id: Number(f.place_id.value), beds: f.beds.value === '' ? null : Number(f.beds.value) } : {}),
    };
    try {
      await onSaved(body);
    } catch (err) {
      if (err.status === 401) throw err;
      fieldErrors(err, f);
    }
  }
  return [...['name', 'place_id', 'beds', 'staff', 'other_residents', 'head_name', 'phone'].flatMap(row),
    h('p', { class: 'muted' }, t('ch_other_hint')),
    h('p', {}, h('button', { class: 'primary', id: `${id}-save`, type: 'button', onclick: () => guard(save) }, t('save')))];
}

/** The homes under the district (or under the staff's township, theirs first) with annex 2's columns. */
function homeCard(x) {
  const pct = x.occupancy === null ? 0 : Math.round(x.occupancy * 100);
  return h('a', { class: 'card', href: `#/care-home/${x.id}`, 'data-home': x.id },
    h('strong', {}, x.name),
    h('div', { class: 'muted' }, x.place_name || ''),
    h('div', { class: 'progress', role: 'progressbar', 'aria-valuenow': pct }, h('span', { style: `width:${Math.min(pct, 100)}%` })),
    h('div', { class: 'ch-counts' }, t('ch_counts', {
      residents: x.residents, beds: x.beds, pct, roster: x.roster_residents, other: x.other_residents,
    })),
    h('div', { class: x.still_needed > 0 ? 'muted' : 'muted ok' },
      x.still_needed > 0 ? t('ch_still_needed', { n: x.still_needed, target: x.target, pct: x.target_percent })
        : t('ch_target_met', { target: x.target, pct: x.target_percent })));
}

async function townshipsOf(me) {
  const district = await API.get(`/api/places/${me.place_id}`);
  const children = await API.get(`/api/places?parent_id=${me.place_id}`).catch(() => []);
  return [district, ...children.filter((p) => p.level === 'township')];
}

async function homesScreen() {
  const me = await currentUser();
  const admin = me.role === 'district_admin';
  const [homes, policy] = await Promise.all([API.get('/api/care-homes'), API.get('/api/care-homes/policy')]);
  const totals = homes.reduce((s, x) => ({ beds: s.beds + x.beds, residents: s.residents + x.residents }), { beds: 0, residents: 0 });
  let adding = null;
  if (admin) {
    const places = await townshipsOf(me);
    adding = h('details', { class: 'card', id: 'ch-add' }, h('summary', {}, t('ch_add')),
      ...homeForm({ place_id: places[0] && places[0].id }, places, {
        admin,
        id: 'ch-new',
        onSaved: async (body) => {
          const made = await API.post('/api/care-homes', body);
          say(t('ch_added', { name: made.name }));
          go(`#/care-home/${made.id}`);
        },
      }));
  }
  show(t('ch_title'),
    h('p', { class: 'muted', id: 'ch-totals' }, t('ch_totals', { n: homes.length, beds: totals.beds, residents: totals.residents })),
    policyCard(policy, admin),
    h('h3', {}, t('ch_homes')),
    homes.length ? homes.map(homeCard) : h('p', {}, t('ch_none')),
    adding,
    h('p', {}, h('a', { class: 'button', href: '#/reports', id: 'ch-report-link' }, t('ch_report'))));
}

async function homeScreen(id) {
  const me = await currentUser();
  const admin = me.role === 'district_admin';
  const home = await API.get(`/api/care-homes/${id}`);
  const places = admin ? await townshipsOf(me) : [{ id: home.place_id, name: home.place_name }];
  // the home's township staff keep its numbers; the server says no to others
  const mine = admin || me.place_id === home.place_id;
  show(home.name,
    homeCard(home),
    h('h3', {}, t('ch_residents', { n: home.persons.length })),
    home.persons.length
      ? h('ul', { id: 'ch-residents' }, home.persons.map((p) => h('li', { 'data-person': p.person_id },
        `${p.name} · ${levelLabel(p.self_care_level)} · ${t('ch_since', { date: fmtDay(p.since) })} `,
        // a death or a departure is recorded on the exit screen; the stay ends that day
        h('a', { href: `#/exit/${p.person_id}`, 'data-action': 'exit' }, t('ch_exit')))))
      : h('p', { class: 'muted' }, t('ch_no_residents')),
    mine ? h('details', { class: 'card', id: 'ch-edit' }, h('summary', {}, t('ch_edit')),
      ...homeForm(home, places, {
        admin,
        id: 'ch-home',
        onSaved: async (body) => {
          await API.patch(`/api/care-homes/${id}`, body);
          await App.route();
          say(t('ch_saved'));
        },
      })) : null);
}

/** #/move/<person_id>: choose a home with a bed free, the day, a note; the person moves in. */
async function moveScreen(personId) {
  const [person, homes] = await Promise.all([API.get(`/api/persons/${personId}`), API.get('/api/care-homes')]);
  const moving = person.status === 'active' && person.support_mode !== 'centralised';
  if (!moving) {
    const home = homes.find((x) => x.id === person.care_home_id);
    show(t('ch_move_title', { name: person.name }),
      h('p', { id: 'ch-move-done' }, home ? t('ch_lives_in', { name: person.name, home: home.name }) : t('ch_not_movable')),
      home ? h('p', {}, h('a', { class: 'button', href: `#/care-home/${home.id}` }, home.name)) : null);
    return;
  }
  const free = (x) => x.beds - x.residents;
  const choice = h('select', { id: 'ch-move-home' },
    h('option', { value: '' }, t('ch_choose_home')),
    homes.map((x) => h('option', { value: x.id, disabled: free(x) <= 0 },
      `${x.name} · ${free(x) > 0 ? t('ch_free', { n: free(x) }) : t('ch_full')}`)));
  const day = h('input', { type: 'date', id: 'ch-move-day', class: 'date', value: today(), max: today() });
  const note = h('textarea', { id: 'ch-move-note', rows: 2, maxlength: 500 });
  const wish = h('input', { type: 'checkbox', id: 'ch-wish', checked: person.wishes_centralised === true });
  async function move() {
    clearErrors();
    if (!choice.value) { showErrors([[choice, t('ch_choose_home')]]); return; }
    try {
      await API.post(`/api/persons/${personId}/centralise`, {
        care_home_id: Number(choice.value), decided_on: day.value || null, note: note.value.trim() || null,
      });
    } catch (err) {
      if (err.status === 401) throw err;
      fieldErrors(err, { care_home_id: choice, decided_on: day, note });
      return;
    }
    say(t('ch_moved', { name: person.name, home: choice.selectedOptions[0].textContent.split(' · ')[0] }));
    go(`#/care-home/${choice.value}`);
  }
  async function saveWish() {
    const r = await API.put(`/api/persons/${personId}/centralisation-wish`, { wishes_centralised: wish.checked, on: today() });
    say(t(r.wishes_centralised ? 'ch_wish_saved' : 'ch_wish_withdrawn', { name: person.name }));
  }
  show(t('ch_move_title', { name: person.name }),
    h('p', { class: 'muted' }, `${levelLabel(person.self_care_level)}${person.wishes_centralised ? ` · ${t('ch_wishes')}` : ''}`),
    h('p', { class: 'muted' }, t('ch_move_intro')),
    h('label', { for: 'ch-move-home' }, t('ch_home')), choice,
    h('label', { for: 'ch-move-day' }, t('ch_move_day')), day,
    h('label', { for: 'ch-move-note' }, t('ch_move_note')), note,
    h('p', {}, h('button', { class: 'primary', id: 'ch-move-save', type: 'button', onclick: () => guard(move) }, t('ch_move_save'))),
    h('section', { class: 'card', id: 'ch-wish-box' },
      h('label', { class: 'check' }, wish, ` ${t('ch_wish_label')}`),
      h('p', { class: 'muted' }, t('ch_wish_hint')),
      h('p', {}, h('button', { id: 'ch-wish-save', type: 'button', onclick: () => guard(saveWish) }, t('save')))));
}

App.screen('care-homes', homesScreen, { back: true });
App.screen('care-home', (arg) => homeScreen(Number(arg)), { back: true });
App.screen('move', (arg) => moveScreen(Number(arg)), { back: true });
