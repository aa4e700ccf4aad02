/* 照应 — the case around the visits: staff record a person's exit from the roster (进退有序,
 * seed 004) — a care-home resident's too, which ends the stay in the home — and stays away from
 * home (住院, seed 000 item 7) and read the hospital reports; a caregiver reports a stay away and
 * sees who has left their care. */
import { App } from './app.js';
import { API } from './api.js';
import { ZY } from './db.js';
import { t } from './i18n.js';

const { h, show, say, sayAfterNavigation, guard, route, saveBlob, leaveFor } = App;
const REASONS = ['deceased', 'moved_away', 'care_home', 'not_eligible'];
const KINDS = ['hospital', 'family'];
const RESIDENTS_SHOWN = 50; // more are found by the search
const today = App.today; // Shanghai's day
const isStaff = (u) => u && (u.role === 'township_staff' || u.role === 'district_admin');

function field(id, label, input) {
  input.id = id;
  return [h('label', { for: id }, label), input];
}

/** Staff: find a person to record an exit or a stay away; the care homes' residents of the area,
 * each with their home; recent exits; the hospital reports. */
async function rosterScreen() {
  const q = h('input', { type: 'text', name: 'q', autocomplete: 'off' });
  const found = h('div', { id: 'lc-found' });
  const [residents, homeList] = await Promise.all([API.get(`/api/persons?status=centralised&page_size=${RESIDENTS_SHOWN}`),
    API.get('/api/care-homes')]);
  const homes = new Map(homeList.map((c) => [c.id, c.name]));
  const card = (p) => personCard(p, homes);
  async function search() {
    await guard(async () => {
      const rows = await API.get(`/api/persons?page_size=20&q=${encodeURIComponent(q.value.trim())}`);
      found.replaceChildren(...(rows.length ? rows.map(card) : [h('p', {}, t('lc_none_found'))]));
    });
  }
  const exits = await API.get('/api/exits?page_size=20');
  const year = h('input', { type: 'text', inputmode: 'numeric', value: today().slice(0, 4), maxlength: 4 });
  const budget = h('div', { id: 'lc-budget' });
  async function showBudget() {
    await guard(async () => {
      const r = await API.get(`/api/absences/report/hospital-budget?year=${encodeURIComponent(year.value)}`);
      budget.replaceChildren(...r.rows.map((row) => h('div', { class: 'card', 'data-township': row[0] },
        h('strong', {}, row[0]),
        h('div', {}, t('lc_budget_row', { persons: row[1], budget: row[2], days: row[3], used: row[4], left: row[5] })))));
    });
  }
  const download = (name) => guard(async () => {
    const { blob, name: file } = await API.file(`/api/absences/report/${name}?format=xlsx&year=${encodeURIComponent(year.value)}`);
    saveBlob(blob, file || `${name}.xlsx`);
  });
  show(t('lc_title'),
    h('form', { onsubmit: (e) => { e.preventDefault(); search(); } },
      field('lc-q', t('lc_search'), q),
      h('p', {}, h('button', { type: 'submit', class: 'primary', id: 'lc-search' }, t('lc_search_button')))),
    found,
    h('h3', {}, t('lc_residents')),
    h('div', { id: 'lc-residents' }, residents.length ? residents.map(card) : h('p', { class: 'muted' }, t('lc_none_found')),
      residents.length === RESIDENTS_SHOWN ? h('p', { class: 'muted' }, t('lc_residents_more')) : null),
    h('h3', {}, t('lc_recent_exits')),
    exits.length ? exits.map((e) => h('div', { class: 'card', 'data-exit': e.person_id },
      h('strong', {}, e.person_name),
      h('div', {}, t('lc_exited_on', { date: e.exited_on, reason: t(`lc_reason_${e.reason}`) })),
      e.note ? h('div', { class: 'muted' }, e.note) : null,
      undoExit(e.person_id, e.person_name))) : h('p', { class: 'muted' }, t('lc_no_exits')),
    h('h3', {}, t('lc_hospital_report')),
    field('lc-year', t('lc_year'), year),
    h('p', {}, h('button', { type: 'button', id: 'lc-budget-show', onclick: showBudget }, t('lc_budget_show'))),
    budget,
    h('p', { class: 'row' },
      h('button', { type: 'button', onclick: () => download('hospital-days') }, t('lc_download_days')),
      h('button', { type: 'button', onclick: () => download('hospital-budget') }, t('lc_download_budget'))));
  showBudget();
}

/** 撤销退出登记: an exit recorded in error (the wrong person, a death that was not) is undone,
 * with why — the person is back on the roster, the agreement in force, the 丧葬 task withdrawn. */
function undoExit(personId, name) {
  const why = h('textarea', { rows: 2, maxlength: 500, id: `lc-undo-why-${personId}`, required: true });
  const box = h('div', { class: 'undo-exit', hidden: true },
    h('p', { class: 'warning' }, t('lc_undo_explain', { name })),
    h('label', { for: why.id }, t('lc_undo_why')), why,
    h('p', { class: 'row' },
      h('button', { type: 'button', class: 'danger', 'data-action': 'undo-confirm', onclick: confirm }, t('lc_undo_confirm')),
      h('button', { type: 'button', onclick: () => { box.hidden = true; open.hidden = false; open.focus(); } }, t('lc_undo_cancel'))));
  const open = h('button', { type: 'button', 'data-action': 'undo-exit',
    onclick: () => { box.hidden = false; open.hidden = true; why.focus(); } }, t('lc_undo'));
  async function confirm() {
    App.clearErrors();
    if (!why.value.trim()) { App.showErrors([[why, t('lc_undo_why_missing')]]); return; }
    await guard(async () => {
      try {
        await API.post(`/api/persons/${personId}/exit/undo`, { note: why.value.trim() });
      } catch (err) {
        if (err.status !== 422) throw err;
        App.showErrors([[why, err.message]]);
        return;
      }
      sayAfterNavigation(t('lc_undo_done', { name }));
      leaveFor('#/roster');
    });
  }
  return [open, box];
}

/** 纳入日期: the day a person came under support, from which a month's roster counts them; staff
 * correct it here (never later than today, nor than an exit: the server says which). */
function enrolment(p) {
  const day = h('input', { type: 'date', max: today(), value: p.enrolled_on || '', required: true });
  const save = () => guard(async () => {
    App.clearErrors();
    try {
      await API.patch(`/api/persons/${p.id}`, { enrolled_on: day.value });
    } catch (err) {
      if (err.status !== 422) throw err;
      App.showErrors([[day, err.message]]);
      return;
    }
    say(t('lc_enrolled_saved', { name: p.name, date: day.value }));
  });
  return [...field(`lc-enrolled-${p.id}`, t('lc_enrolled_on'), day),
    h('p', {}, h('button', { type: 'button', 'data-action': 'enrolled', onclick: save }, t('lc_enrolled_save')))];
}

/** A person found or listed: a care-home resident is marked with their home, and leaves (dies,
 * moves away) by the same exit; a stay away from home is home care's. */
function personCard(p, homes) {
  const active = p.status === 'active';
  const resident = p.status === 'centralised';
  return h('div', { class: 'card', 'data-person': p.id },
    h('h3', {}, p.name),
    h('div', { class: 'row' }, h('span', {}, p.village_name || ''),
      h('span', { class: `tag ${active || resident ? 'green' : 'red'}` }, t(`lc_status_${p.status}`)),
      resident && homes.has(p.care_home_id) ? h('span', { class: 'tag', 'data-home': p.care_home_id }, homes.get(p.care_home_id)) : null),
    enrolment(p),
    active || resident ? h('p', { class: 'row' },
      h('a', { class: 'button', href: `#/exit/${p.id}`, 'data-action': 'exit' }, t('lc_record_exit')),
      active ? h('a', { class: 'button', href: `#/absence/${p.id}`, 'data-action': 'absence' }, t('lc_record_absence')) : null,
      active ? h('a', { class: 'button', href: `#/agreement/${p.caregiver ? p.caregiver.agreement_id : `new-${p.id}`}`, 'data-action': 'agreement' }, t('agreements_link')) : null)
      : ['deceased', 'exited'].includes(p.status) ? undoExit(p.id, p.name) : null);
}

/** Staff: 登记退出 — the day, why (nothing chosen for them), a note; then what it will do, said
 * plainly, to confirm. A death opens the 丧葬 task for the township. A care-home resident's exit
 * ends their stay in the home (they cannot "move into a care home"). */
async function exitScreen(id) {
  const p = await API.get(`/api/persons/${id}`);
  const resident = p.status === 'centralised';
  const day = h('input', { type: 'date', max: today(), value: today(), required: true });
  const reason = h('select', { required: true },
    h('option', { value: '', disabled: true, selected: true }, t('lc_choose_reason')),
    REASONS.filter((r) => !(resident && r === 'care_home')).map((r) => h('option', { value: r }, t(`lc_reason_${r}`))));
  // a move into one of the district's care homes is the move screen's (the person stays on the
  // register, centrally supported, and the 集中供养意愿 report counts it); this reason is for others
  const moveHint = h('p', { class: 'warning', id: 'lc-exit-move-hint', hidden: true }, t('lc_care_home_hint'), ' ',
    h('a', { class: 'button', href: `#/move/${id}` }, t('lc_move_link')));
  reason.addEventListener('change', () => { moveHint.hidden = reason.value !== 'care_home'; });
  const note = h('textarea', { rows: 3, maxlength: 500 });
  const save = h('button', { type: 'submit', class: 'primary', id: 'lc-exit-save' }, t('lc_record_exit'));
  const confirmBox = h('div', { id: 'lc-exit-confirm', class: 'confirm', hidden: true });
  const back = () => { confirmBox.hidden = true; save.hidden = false; reason.disabled = false; day.disabled = false; };
  async function store() {
    await guard(async () => {
      await API.post(`/api/persons/${id}/exit`, { exited_on: day.value, reason: reason.value, note: note.value.trim() || null });
      sayAfterNavigation(t(reason.value === 'deceased' ? 'lc_exit_saved_death' : 'lc_exit_saved', { name: p.name }));
      leaveFor('#/roster');
    });
  }
  const form = h('form', {
    novalidate: true, // the choices missing are said beside them, in words
    onsubmit: (e) => {
      e.preventDefault();
      App.clearErrors();
      const errors = [];
      if (!reason.value) errors.push([reason, t('lc_choose_reason')]);
      if (!day.value) errors.push([day, t('lc_need_date')]);
      if (App.showErrors(errors)) return;
      confirmBox.replaceChildren(
        h('p', { class: 'warning', id: 'lc-exit-confirm-text', tabindex: -1 }, t(`lc_exit_confirm_${resident ? 'resident_' : ''}${reason.value === 'deceased' ? 'death' : 'other'}`, {
          name: p.name, date: day.value, reason: t(`lc_reason_${reason.value}`) })),
        h('p', { class: 'row' },
          h('button', { type: 'button', class: 'danger', id: 'lc-exit-confirm-yes', onclick: store }, t('lc_exit_confirm_yes')),
          h('button', { type: 'button', id: 'lc-exit-confirm-no', onclick: back }, t('lc_exit_confirm_no'))));
      confirmBox.hidden = false;
      save.hidden = true;
      reason.disabled = true;
      day.disabled = true;
      confirmBox.firstChild.focus();
    },
  },
  h('p', { class: 'muted' }, t(resident ? 'lc_exit_explain_resident' : 'lc_exit_explain')),
  field('lc-exit-on', t('lc_exit_on'), day), field('lc-exit-reason', t('lc_exit_reason'), reason),
  moveHint,
  field('lc-exit-note', t('note'), note),
  h('p', {}, save), confirmBox);
  show(`${t('lc_record_exit')} · ${p.name}`, form);
}

/** Staff and the caregiver: a stay away from home, first to last day; staff add what was paid. */
async function absenceScreen(id) {
  const me = await ZY.kv.get('user');
  const p = await API.get(`/api/persons/${id}`);
  const list = await API.get(`/api/persons/${id}/absences`);
  const kind = h('select', {}, KINDS.map((k) => h('option', { value: k }, t(`lc_kind_${k}`))));
  const start = h('input', { type: 'date', max: today(), value: today(), required: true });
  const end = h('input', { type: 'date', value: today(), required: true });
  const paid = h('input', { type: 'text', inputmode: 'numeric', maxlength: 6 });
  const note = h('textarea', { rows: 2, maxlength: 500 });
  const form = h('form', {
    onsubmit: async (e) => {
      e.preventDefault();
      const body = { kind: kind.value, start_on: start.value, end_on: end.value, note: note.value.trim() || null };
      if (isStaff(me) && paid.value.trim()) {
        if (!/^\d+$/.test(paid.value.trim())) { say(t('lc_paid_number'), true); return; }
        body.care_subsidy_yuan = Number(paid.value.trim());
      }
      await guard(async () => {
        const saved = await API.post(`/api/persons/${id}/absences`, body);
        await route();
        // said where the eye is: at the top (the screen starts there again), and on the stay itself
        say(t('lc_absence_saved', { name: p.name }));
        const card = document.querySelector(`[data-absence='${saved.id}']`);
        if (card) { card.classList.add('just-saved'); card.setAttribute('tabindex', '-1'); }
      });
    },
  },
  h('p', { class: 'muted' }, t('lc_absence_explain')),
  field('lc-kind', t('lc_kind'), kind), field('lc-start', t('lc_start'), start), field('lc-end', t('lc_end'), end),
  isStaff(me) ? field('lc-paid', t('lc_paid'), paid) : null,
  field('lc-note', t('note'), note),
  h('p', {}, h('button', { type: 'submit', class: 'primary', id: 'lc-absence-save' }, t('lc_record_absence'))));
  show(`${t('lc_record_absence')} · ${p.name}`, form,
    h('h3', {}, t('lc_absences')),
    list.length ? list.map((a) => h('div', { class: 'card', 'data-absence': a.id },
      h('strong', {}, t(`lc_kind_${a.kind}`)), h('div', {}, `${a.start_on} – ${a.end_on}`),
      a.care_subsidy_yuan !== null ? h('div', {}, t('lc_paid_was', { yuan: a.care_subsidy_yuan })) : null,
      a.note ? h('div', { class: 'muted' }, a.note) : null)) : h('p', { class: 'muted' }, t('lc_no_absences')));
}

/** The caregiver: who left their care lately, and why — they no longer appear on the home screen. */
async function leftCareScreen() {
  const rows = await API.get('/api/me/left-care');
  show(t('lc_left_care'),
    rows.length ? rows.map((r) => h('div', { class: 'card', 'data-left': r.person_id },
      h('strong', {}, r.name), h('div', {}, t('lc_exited_on', { date: r.exited_on, reason: t(`lc_reason_${r.reason}`) })),
      h('div', { class: 'muted' }, t('lc_no_more_visits'))))
      : h('p', {}, t('lc_none_left')));
}

App.screen('roster', rosterScreen, { back: true });
App.screen('exit', (arg) => exitScreen(Number(arg)), { back: true });
App.screen('absence', (arg) => absenceScreen(Number(arg)), { back: true });
App.screen('left-care', leftCareScreen, { back: true });
