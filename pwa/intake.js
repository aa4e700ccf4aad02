/* 照应 — intake (seed 001 二(一)3; seed 004 item 20): how someone comes onto the roster. Township
 * staff open an application (at the office, or from a report from the field of someone in need),
 * record the 入户调查 with annex 3's assessment, decide (approved or refused, dated, with the reason),
 * the approved are posted for 张榜公示 for the district's number of days (an objection stops the
 * listing until staff decide it), then placed: at home — the care agreement is signed next — or in
 * a care home. No seed gives the 公示 period: until the district sets it here, nothing is approved. */
import { App } from './app.js';
import { API } from './api.js';
import { I18N, t } from './i18n.js';
import { CHOICES, YES_NO } from './evaluation.js';

await I18N.more('intake');

const { h, show, say, go, guard, currentUser, levelLabel, fmtDay, showErrors, clearErrors } = App;
const today = App.today; // Shanghai's day
const STEPS = ['investigating', 'deciding', 'publicising', 'objected', 'placing', 'enrolled', 'refused'];
// annex 3's form (seed 001 附件3), as the door-to-door evaluation asks it; the wish is asked apart
const ASKED = YES_NO.filter((f) => f !== 'wishes_centralised');

function choiceLabel(field, code) {
  if (field === 'self_care_level') return levelLabel(code);
  if (field === 'quality_of_life' || field === 'care_quality') return t(`eval_quality_${code}`);
  if (typeof code === 'boolean') return t(code ? 'eval_yes' : 'eval_no');
  return t(`eval_${field}_${code}`);
}

/** A row of buttons, one pressed: `state[field]` holds the choice. */
function pressGroup(field, codes, state, label = (c) => choiceLabel(field, c)) {
  const buttons = codes.map((code) => h('button', {
    type: 'button', 'aria-pressed': String(state[field] === code), 'data-field': field, 'data-code': String(code),
    onclick: (e) => { state[field] = code; for (const b of buttons) b.setAttribute('aria-pressed', String(b === e.currentTarget)); },
  }, label(code)));
  return h('div', { class: 'choices', id: `in-${field}` }, buttons);
}

/** A 422's errors beside their fields (fields: API name → input); anything else on the status line;
 * a login run out, to the login screen (guard's way). */
function fieldErrors(err, fields) {
  if (err.status === 401) { guard(() => { throw err; }); return; }
  const errors = (err.body && err.body.errors) || {};
  const found = Object.entries(errors).filter(([k]) => fields[k]).map(([k, v]) => [fields[k], [].concat(v).join('；')]);
  if (!showErrors(found)) say(err.message, true);
}

/** POST `body` to the application's `path`, then show it again (or the errors beside `fields`). */
async function act(id, path, body, fields, done) {
  clearErrors();
  try {
    await API.post(`/api/intake/applications/${id}/${path}`, body);
    await App.route();
    say(done);
  } catch (err) { fieldErrors(err, fields); }
}

const dateInput = (id, value = today()) => h('input', { type: 'date', id, class: 'date', value, max: today() });

// ---- the list ----------------------------------------------------------------------------------

/** The district's 公示 period: shown to everyone with where it comes from; district admins set it. */
function policyCard(policy, admin) {
  const unset = policy.publicity_days === null || policy.publicity_days === undefined;
  const days = h('input', { type: 'number', id: 'in-days', min: 1, max: 90, inputmode: 'numeric', class: 'number',
    value: unset ? '' : String(policy.publicity_days) });
  return h('div', { class: `card${unset ? ' overdue' : ''}`, id: 'in-policy' },
    h('strong', {}, unset ? t('in_days_unset') : t('in_days_set', { n: policy.publicity_days })),
    h('p', { class: 'muted' }, t('in_days_source')),
    admin ? [h('label', { for: 'in-days' }, t('in_days_label')), days,
      h('p', {}, h('button', {
        class: 'primary', id: 'in-days-save', type: 'button',
        onclick: async () => {
          clearErrors();
          try {
            const saved = await API.put('/api/intake/policy', { publicity_days: Number(days.value) });
            await App.route();
            say(t('in_days_saved', { n: saved.publicity_days }));
          } catch (err) { fieldErrors(err, { publicity_days: days }); }
        },
      }, t('save')))] : h('p', { class: 'muted' }, t('in_days_district')));
}

const PAGE = '/api/intake/applications?page_size=100';

async function intakeScreen() {
  const [first, reports, policy, me] = await Promise.all([
    API.page(PAGE), API.get('/api/intake/reports'), API.get('/api/intake/policy'), currentUser()]);
  const apps = [...first.data];
  let cursor = first.next;
  // the open ones come first, then those enrolled or refused, a page at a time; each step's count is
  // of those loaded until the last page is in
  const steps = h('div', { id: 'in-steps' });
  const more = h('button', { type: 'button', id: 'in-more', hidden: !cursor }, t('load_more'));
  const draw = () => {
    steps.replaceChildren(...STEPS.map((step) => {
      const list = apps.filter((a) => a.step === step);
      if (!list.length) return null;
      return h('section', { 'data-step': step },
        h('h3', {}, t('in_step_count', { step: t(`in_step_${step}`), n: `${list.length}${cursor ? '+' : ''}` })),
        list.map((a) => h('a', { class: 'card', href: `#/application/${a.id}`, 'data-application': a.id },
          h('strong', {}, `${a.name} · ${a.village_name}`),
          h('div', { class: 'muted' }, `${a.id_number_masked} · ${t('in_opened_on', { date: fmtDay(a.opened_on) })}`),
          a.publicity_until && step === 'publicising' ? h('div', {}, t('in_until', { date: fmtDay(a.publicity_until) })) : null)));
    }).filter(Boolean), apps.length ? '' : h('p', {}, t('in_none')));
    more.hidden = !cursor;
  };
  more.addEventListener('click', () => guard(async () => {
    more.disabled = true;
    try {
      const next = await API.page(`${PAGE}&after=${encodeURIComponent(cursor)}`);
      apps.push(...next.data);
      cursor = next.next;
      draw();
    } finally { more.disabled = false; }
  }));
  draw();
  show(t('in_title'),
    policyCard(policy, me && me.role === 'district_admin'),
    h('p', { class: 'row' }, h('a', { class: 'button primary', href: '#/application/new', id: 'in-new' }, t('in_new'))),
    h('h3', {}, t('in_from_reports', { n: reports.length })),
    reports.length ? reports.map((r) => h('div', { class: 'card', 'data-report': r.id },
      h('strong', {}, `${r.person_name} · ${r.village_name}`),
      h('div', { class: 'muted' }, `${fmtDay(r.created_at)}：${r.description}`),
      h('p', {}, h('a', { class: 'button', href: `#/application/report-${r.id}`, 'data-open-report': r.id }, t('in_open_from_report')))))
      : h('p', { class: 'muted' }, t('in_no_reports')),
    steps, h('p', {}, more));
}

// ---- opening an application ------------------------------------------------------------------

/** The villages the user may open an application in: their township's, or (the district) a
 * township's chosen first. */
async function villagePicker(me, preset) {
  const village = h('select', { id: 'in-village' });
  const fill = async (townshipId) => {
    const villages = await API.get(`/api/places?parent_id=${townshipId}`);
    village.replaceChildren(...villages.map((v) => h('option', { value: v.id, selected: v.id === preset }, v.name)));
  };
  const home = await API.get(`/api/places/${me.place_id}`);
  if (preset) {
    const v = await API.get(`/api/places/${preset}`);
    await fill(v.parent_id);
    return { nodes: [h('label', { for: 'in-village' }, t('village')), village], village };
  }
  if (home.level === 'township') {
    await fill(home.id);
    return { nodes: [h('label', { for: 'in-village' }, t('village')), village], village };
  }
  const townships = await API.get(`/api/places?parent_id=${home.id}`);
  const township = h('select', { id: 'in-township' }, townships.map((x) => h('option', { value: x.id }, x.name)));
  township.addEventListener('change', () => guard(() => fill(township.value)));
  if (townships.length) await fill(townships[0].id);
  return { nodes: [h('label', { for: 'in-township' }, t('in_township')), township,
    h('label', { for: 'in-village' }, t('village')), village], village };
}

async function newApplication(reportId) {
  const me = await currentUser();
  let report = null;
  if (reportId) {
    report = (await API.get('/api/intake/reports')).find((r) => r.id === reportId);
    if (!report) { say(t('in_report_gone'), true); go('#/intake'); return; }
  }
  const picker = await villagePicker(me, report && report.village_id);
  const name = h('input', { type: 'text', id: 'in-name', maxlength: 50, value: report ? report.person_name : '' });
  const idNumber = h('input', { type: 'text', id: 'in-id-number', maxlength: 18, autocomplete: 'off', inputmode: 'text' });
  const address = h('input', { type: 'text', id: 'in-address', maxlength: 200 });
  const phone = h('input', { type: 'tel', id: 'in-phone', maxlength: 20 });
  const opened = dateInput('in-opened-on');
  const note = h('textarea', { id: 'in-note', rows: 2, maxlength: 500, value: report ? report.description : '' });
  if (report) note.value = report.description;
  const fields = { name, id_number: idNumber, village_id: picker.village, address, phone, opened_on: opened, note };
  async function submit() {
    clearErrors();
    const body = {
      name: name.value.trim(), id_number: idNumber.value.trim().toUpperCase(), village_id: Number(picker.village.value),
      address: address.value.trim() || null, phone: phone.value.trim() || null, opened_on: opened.value,
      note: note.value.trim() || null, field_report_id: report ? report.id : null,
    };
    try {
      const app = await API.post('/api/intake/applications', body);
      App.sayAfterNavigation(t('in_opened'));
      App.leaveFor(`#/application/${app.id}`);
    } catch (err) { fieldErrors(err, fields); }
  }
  show(t('in_new'),
    report ? h('div', { class: 'card', id: 'in-report' }, h('strong', {}, t('in_from_report')),
      h('div', {}, `${report.person_name} · ${report.village_name}`), h('div', { class: 'muted' }, report.description)) : null,
    h('label', { for: 'in-name' }, t('in_name')), name,
    h('label', { for: 'in-id-number' }, t('in_id_number')), idNumber,
    h('p', { class: 'muted' }, t('in_id_hint')),
    picker.nodes,
    h('label', { for: 'in-address' }, t('in_address')), address,
    h('label', { for: 'in-phone' }, t('in_phone')), phone,
    h('label', { for: 'in-opened-on' }, t('in_opened_on_label')), opened,
    h('label', { for: 'in-note' }, t('note')), note,
    h('p', {}, h('button', { class: 'primary', id: 'in-open', type: 'button', onclick: submit }, t('in_open'))));
}

// ---- one application ---------------------------------------------------------------------------

/** 入户调查: annex 3's form; `prior` fills it again when the investigation is redone. */
function investigationForm(app) {
  const prior = app.assessment || {};
  const state = Object.fromEntries([...Object.keys(CHOICES), ...ASKED, 'wishes_centralised']
    .filter((f) => prior[f] !== undefined && prior[f] !== null).map((f) => [f, prior[f]]));
  const day = dateInput('in-assessed-on', prior.assessed_on || today());
  const guardian = h('input', { type: 'text', id: 'in-guardian-name', maxlength: 50, value: prior.guardian_name || '' });
  const guardianAge = h('input', { type: 'number', id: 'in-guardian-age', min: 10, max: 110, inputmode: 'numeric', value: prior.guardian_age || '' });
  const relation = h('input', { type: 'text', id: 'in-guardian-relation', maxlength: 30, value: prior.guardian_relation || '' });
  const remarks = h('textarea', { id: 'in-remarks', rows: 2, maxlength: 500 });
  remarks.value = prior.remarks || '';
  const group = (f, codes) => [h('label', {}, t(`eval_${f}`)), pressGroup(f, codes, state)];
  async function submit() {
    const missing = [...Object.keys(CHOICES), ...ASKED].filter((f) => state[f] === undefined);
    if (missing.length) { say(t('eval_missing', { fields: missing.map((f) => t(`eval_${f}`)).join('、') }), true); return; }
    await act(app.id, 'investigation', {
      assessed_on: day.value, guardian_name: guardian.value.trim() || null,
      guardian_age: guardianAge.value ? Number(guardianAge.value) : null, guardian_relation: relation.value.trim() || null,
      remarks: remarks.value.trim() || null, wishes_centralised: state.wishes_centralised === undefined ? null : state.wishes_centralised,
      ...Object.fromEntries([...Object.keys(CHOICES), ...ASKED].map((f) => [f, state[f]])),
    }, { assessed_on: day, guardian_age: guardianAge }, t('in_investigated'));
  }
  return h('div', { class: 'card', id: 'in-investigation' },
    h('h3', {}, t('in_investigation')), h('p', { class: 'muted' }, t('in_investigation_why')),
    h('label', { for: 'in-assessed-on' }, t('in_investigated_on')), day,
    h('label', { for: 'in-guardian-name' }, t('eval_guardian_name')), guardian,
    h('label', { for: 'in-guardian-age' }, t('eval_guardian_age')), guardianAge,
    h('label', { for: 'in-guardian-relation' }, t('eval_guardian_relation')), relation,
    group('self_care_level', CHOICES.self_care_level), group('housing', CHOICES.housing),
    group('living_environment', CHOICES.living_environment), group('quality_of_life', CHOICES.quality_of_life),
    group('care_quality', CHOICES.care_quality),
    ASKED.flatMap((f) => group(f, [true, false])),
    group('overall', CHOICES.overall), group('wishes_centralised', [true, false]),
    h('label', { for: 'in-remarks' }, t('eval_remarks')), remarks,
    h('p', {}, h('button', { class: 'primary', id: 'in-investigate', type: 'button', onclick: submit }, t('in_save_investigation'))));
}

/** The 入户调查's finding in annex 3's words, a line a column (its questions are long for two columns). */
function finding(a) {
  const f = a.assessment;
  return h('ul', { class: 'observations', id: 'in-finding' },
    [...Object.keys(CHOICES), ...ASKED].map((k) => h('li', { 'data-field': k }, `${t(`eval_${k}`)}：${choiceLabel(k, f[k])}`)),
    f.remarks ? h('li', {}, `${t('eval_remarks')}：${f.remarks}`) : null);
}

function decisionForm(app, policy) {
  const state = {};
  const day = dateInput('in-decided-on');
  const reason = h('textarea', { id: 'in-reason', rows: 2, maxlength: 500 });
  const posted = dateInput('in-publicity-from');
  const postedBox = h('div', { hidden: true }, h('label', { for: 'in-publicity-from' }, t('in_publicity_from')), posted);
  const unset = policy.publicity_days === null || policy.publicity_days === undefined;
  const choice = pressGroup('decision', ['approved', 'refused'], state, (c) => t(`in_decision_${c}`));
  choice.addEventListener('click', () => { postedBox.hidden = state.decision !== 'approved'; });
  async function submit() {
    if (!state.decision) { say(t('in_choose_decision'), true); return; }
    if (!reason.value.trim()) { showErrors([[reason, t('in_reason_needed')]]); return; }
    await act(app.id, 'decision', {
      decision: state.decision, decided_on: day.value, reason: reason.value.trim(),
      publicity_from: state.decision === 'approved' ? posted.value : null,
    }, { decided_on: day, reason, publicity_from: posted }, t(`in_decided_${state.decision}`));
  }
  return h('div', { class: 'card', id: 'in-decide-card' },
    h('h3', {}, t('in_decision')),
    unset ? h('p', { class: 'field-error', id: 'in-days-missing' }, t('in_days_unset_decide')) : h('p', { class: 'muted' }, t('in_decision_why', { n: policy.publicity_days })),
    app.assessment.overall === 'bad' ? h('p', { class: 'tag red', id: 'in-bad' }, t('in_bad_care_home')) : null,
    choice,
    h('label', { for: 'in-decided-on' }, t('in_decided_on')), day,
    h('label', { for: 'in-reason' }, t('in_reason')), reason,
    postedBox,
    h('p', {}, h('button', { class: 'primary', id: 'in-decide', type: 'button', onclick: submit }, t('in_save_decision'))));
}

function objectionForm(app) {
  const day = dateInput('in-raised-on');
  const who = h('input', { type: 'text', id: 'in-objector', maxlength: 50 });
  const content = h('textarea', { id: 'in-objection', rows: 2, maxlength: 1000 });
  return h('div', { class: 'card', id: 'in-object' },
    h('h3', {}, t('in_objection_new')), h('p', { class: 'muted' }, t('in_objection_why')),
    h('label', { for: 'in-raised-on' }, t('in_raised_on')), day,
    h('label', { for: 'in-objector' }, t('in_objector')), who,
    h('label', { for: 'in-objection' }, t('in_objection_content')), content,
    h('p', {}, h('button', {
      class: 'danger', id: 'in-record-objection', type: 'button',
      onclick: () => {
        if (!content.value.trim()) { showErrors([[content, t('in_objection_needed')]]); return; }
        act(app.id, 'objections', { raised_on: day.value, objector: who.value.trim() || null, content: content.value.trim() },
          { raised_on: day, content }, t('in_objection_recorded'));
      },
    }, t('in_record_objection'))));
}

function objectionDecisionForm(app) {
  const state = {};
  const day = dateInput('in-objection-decided-on');
  const note = h('textarea', { id: 'in-finding-note', rows: 2, maxlength: 500 });
  return h('div', { class: 'card', id: 'in-objection-decision' },
    h('h3', {}, t('in_objection_decide')),
    pressGroup('outcome', ['dismissed', 'upheld'], state, (c) => t(`in_outcome_${c}`)),
    h('label', { for: 'in-objection-decided-on' }, t('in_decided_on')), day,
    h('label', { for: 'in-finding-note' }, t('in_finding')), note,
    h('p', {}, h('button', {
      class: 'primary', id: 'in-decide-objection', type: 'button',
      onclick: () => {
        if (!state.outcome) { say(t('in_choose_outcome'), true); return; }
        if (!note.value.trim()) { showErrors([[note, t('in_finding_needed')]]); return; }
        act(app.id, 'objection-decision', { decided_on: day.value, outcome: state.outcome, finding: note.value.trim() },
          { decided_on: day, finding: note }, t(`in_outcome_done_${state.outcome}`));
      },
    }, t('save'))));
}

async function placementForm(app) {
  const homes = await API.get('/api/care-homes');
  const bad = app.assessment.overall === 'bad';
  const state = bad ? { placement: 'care_home' } : {};
  const home = h('select', { id: 'in-care-home' }, homes.map((x) => h('option', { value: x.id },
    `${x.name}${x.beds - x.residents > 0 ? '' : ` · ${t('in_home_full')}`}`)));
  const homeBox = h('div', { hidden: state.placement !== 'care_home' }, h('label', { for: 'in-care-home' }, t('in_care_home')), home);
  const choice = pressGroup('placement', bad ? ['care_home'] : ['home', 'care_home'], state, (c) => t(`in_placement_${c}`));
  choice.addEventListener('click', () => { homeBox.hidden = state.placement !== 'care_home'; });
  const day = dateInput('in-placed-on');
  return h('div', { class: 'card', id: 'in-place-card' },
    h('h3', {}, t('in_placement')),
    h('p', { class: 'muted' }, t('in_placement_why', { date: fmtDay(app.decided_on) })),
    bad ? h('p', { class: 'tag red' }, t('in_bad_care_home')) : null,
    choice, homeBox,
    h('label', { for: 'in-placed-on' }, t('in_placed_on')), day,
    h('p', {}, h('button', {
      class: 'primary', id: 'in-place', type: 'button',
      onclick: () => {
        if (!state.placement) { say(t('in_choose_placement'), true); return; }
        act(app.id, 'placement', { placement: state.placement, placed_on: day.value,
          care_home_id: state.placement === 'care_home' ? Number(home.value) : null },
        { placed_on: day, care_home_id: home }, t('in_placed'));
      },
    }, t('in_put_on_roster'))));
}

/** The steps so far, each with its day. */
function history(a) {
  const line = (key, date, extra) => h('li', { 'data-history': key }, `${fmtDay(date)} ${t(`in_h_${key}`)}${extra ? `：${extra}` : ''}`);
  return h('ol', { class: 'events', id: 'in-history' },
    line('opened', a.opened_on, a.field_report_id ? t('in_h_from_report') : null),
    a.investigated_on ? line('investigated', a.investigated_on, t(`eval_overall_${a.assessment.overall}`)) : null,
    a.decided_on ? line(`decided_${a.decision}`, a.decided_on, a.decision_reason) : null,
    a.publicity_from ? line('posted', a.publicity_from, t('in_h_posted_until', { n: a.publicity_days, date: fmtDay(a.publicity_until) })) : null,
    a.objections.flatMap((o) => [line('objection', o.raised_on, `${o.objector ? `${o.objector}：` : ''}${o.content}`),
      o.outcome ? line(`objection_${o.outcome}`, o.decided_on, o.finding) : null]),
    a.placed_on ? line(`placed_${a.placement}`, a.placed_on, a.care_home_name) : null);
}

async function applicationScreen(arg) {
  if (arg === 'new') { await newApplication(null); return; }
  if (arg && arg.startsWith('report-')) { await newApplication(Number(arg.slice(7))); return; }
  const [a, policy] = await Promise.all([API.get(`/api/intake/applications/${Number(arg)}`), API.get('/api/intake/policy')]);
  let next = null;
  if (a.step === 'investigating') next = investigationForm(a);
  else if (a.step === 'deciding') {
    next = [h('h3', {}, t('in_investigation')), finding(a), decisionForm(a, policy),
      h('details', {}, h('summary', {}, t('in_redo_investigation')), investigationForm(a))];
  }
  else if (a.step === 'publicising') {
    next = [h('p', { class: 'card', id: 'in-posted' }, t('in_posted_until', { date: fmtDay(a.publicity_until) })), objectionForm(a)];
  } else if (a.step === 'objected') next = [h('p', { class: 'card overdue', id: 'in-stopped' }, t('in_stopped')), objectionDecisionForm(a)];
  else if (a.step === 'placing') next = [await placementForm(a), objectionForm(a)];
  else if (a.step === 'enrolled') {
    next = h('div', { class: 'card', id: 'in-enrolled' },
      h('strong', {}, t('in_enrolled', { date: fmtDay(a.decided_on) })),
      a.placement === 'home'
        ? [h('p', {}, t('in_next_agreement')),
          h('p', {}, h('a', { class: 'button primary', id: 'in-agreement', href: `#/agreement/new-${a.person_id}` }, t('in_sign_agreement')))]
        : h('p', {}, t('in_in_care_home', { name: a.care_home_name || '' })));
  } else if (a.step === 'refused') next = h('p', { class: 'card', id: 'in-refused' }, t('in_refused'));
  show(`${t('in_application')} · ${a.name}`,
    h('div', { class: 'row' }, h('span', { class: 'tag amber', id: 'in-step' }, t(`in_step_${a.step}`))),
    h('dl', { class: 'facts' },
      h('dt', {}, t('in_id_number')), h('dd', {}, a.id_number_masked),
      h('dt', {}, t('in_sex_age')), h('dd', {}, `${t(`in_sex_${a.sex}`)} · ${fmtDay(a.birth_date)}`),
      h('dt', {}, t('village')), h('dd', {}, a.village_name),
      h('dt', {}, t('in_address')), h('dd', {}, a.address || '—'),
      h('dt', {}, t('in_phone')), h('dd', {}, a.phone || '—'),
      a.note ? [h('dt', {}, t('note')), h('dd', {}, a.note)] : null),
    h('h3', {}, t('in_steps')), history(a),
    next);
}

App.screen('intake', intakeScreen, { back: true });
App.screen('application', applicationScreen, { back: true });
