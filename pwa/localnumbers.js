/* 照应 — every local number in the district's hands, on one screen (issue 29 part 8): each with its
 * value, the default it started from and the passage of the seed it comes from (or that no seed
 * gives one), who changed it last and when. District admins edit them; township staff read them.
 * Each number lives in its room's policy and saves through that room's API:
 *   住院照料护理补贴, 敬老院补助 (seed 000 item 7)  → /api/care-homes/subsidies (server/care/topup.py)
 *   the care-home top-up's monthly report       → /api/reports/care-topup (XLSX, CSV)
 *   敬老院入住率目标 (seed 001 二(二)4)            → /api/care-homes/policy
 *   "321" ranges, the festival list (seed 003)  → /api/festivals/policy
 *   review months, health check age, late days, volunteer activities → /api/quotas/schedule
 *   campaign frequencies and reminders          → /api/campaigns/<kind>/policy */
import { App } from './app.js';
import { API } from './api.js';
import { I18N, t } from './i18n.js';

await I18N.more('localnumbers');

const { h, show, say, guard, fmtDay, fmtMonth, monthFrom, showErrors, clearErrors, currentUser, saveBlob } = App;
const RANKS = ['district_leader', 'division_leader', 'other'];
// server/campaigns/models.py DEFAULT_REMIND_DAYS: no seed gives one, a local default
const REMIND_DEFAULT = 15;
// server/campaigns/models.py FREQUENCIES
const FREQUENCIES = ['month', 'quarter', 'half_year', 'year'];
const SCHEDULE_KEEP = ['volunteer_activities_per_month', 'health_check_min_age', 'review_month', 'late_submission_days',
  'volunteer_visits_count', 'reminder_days_left'];

function numberInput(id, value, { min = 0, max = 100000 } = {}) {
  return h('input', { type: 'number', id, min, max, inputmode: 'numeric', class: 'number',
    value: value === null || value === undefined ? '' : String(value) });
}

/** Who changed a number last and when; the default's words when nobody has. */
function changedLine(by, at) {
  if (!at) return h('p', { class: 'tag green changed' }, t('ln_untouched'));
  return h('p', { class: 'tag amber changed' }, by ? t('ln_changed_by', { by, date: fmtDay(at) }) : t('ln_changed', { date: fmtDay(at) }));
}

/** One number: its label and field, its default, and the passage it comes from. */
function numberField({ key, id, label, input, defaultText, source }) {
  return h('div', { class: 'local-number', 'data-number': key },
    h('label', { for: id }, label), input,
    h('p', { class: 'muted default' }, t('ln_default', { value: defaultText })),
    h('blockquote', { class: 'source' }, source));
}

/** The house's 4xx message beside the fields it names (fields: API name → input); anything else
 * (a login gone, a 403, no network) as the shell says it. */
function saving(fields, fn) {
  clearErrors();
  return guard(async () => {
    try {
      await fn();
    } catch (err) {
      const errors = (err.body && err.body.errors) || {};
      // the message in the user's language, beside each field the 422 names
      const found = Object.keys(errors).filter((k) => fields[k]).map((k) => [fields[k], err.message]);
      if (err.status === 422 && showErrors(found)) return;
      throw err;
    }
  });
}

/** Checks on the phone before a round trip: a whole number within its range. */
function wholeIn(input, min, max) {
  const n = Number(input.value);
  return input.value.trim() !== '' && Number.isInteger(n) && n >= min && n <= max ? null : [input, t('ln_range', { min, max })];
}

function saveButton(id, onclick) {
  return h('p', {}, h('button', { class: 'primary', type: 'button', id, onclick }, t('ln_save')));
}

// ---- seed 000 item 7: the care subsidies -----------------------------------------------------

function subsidiesCard(s, admin) {
  const fields = {
    hospital_care_per_year: numberInput('ln-hospital', s.hospital_care_per_year),
    topup_fully_disabled: numberInput('ln-topup-full', s.topup_fully_disabled),
    topup_partly_disabled: numberInput('ln-topup-partly', s.topup_partly_disabled),
  };
  const from = h('select', { id: 'ln-subsidy-from' }, Array.from({ length: 13 }, (_, k) => monthFrom(k))
    .map((m, k) => h('option', { value: m }, k ? fmtMonth(m) : t('ln_this_month', { month: fmtMonth(m) }))));
  for (const input of Object.values(fields)) input.disabled = !admin;
  const save = () => {
    const bad = Object.values(fields).map((i) => wholeIn(i, 0, 100000)).filter(Boolean);
    if (showErrors(bad)) return;
    saving({ ...fields, effective_month: from }, async () => {
      const body = Object.fromEntries(Object.entries(fields).map(([k, i]) => [k, Number(i.value)]));
      const saved = await API.put('/api/care-homes/subsidies', { ...body, effective_month: from.value });
      await App.route();
      say(t('ln_saved_from', { month: fmtMonth(saved.effective_month) }));
    });
  };
  const history = (s.history || []).slice().reverse();
  return h('section', { class: 'card policy', id: 'ln-subsidies' },
    h('h3', {}, t('ln_subsidies')),
    numberField({ key: 'hospital_care_per_year', id: 'ln-hospital', label: t('ln_hospital'), input: fields.hospital_care_per_year,
      defaultText: t('ln_yuan_year', { n: s.defaults.hospital_care_per_year }), source: t('ln_src_hospital') }),
    numberField({ key: 'topup_fully_disabled', id: 'ln-topup-full', label: t('ln_topup_full'), input: fields.topup_fully_disabled,
      defaultText: t('ln_yuan_month', { n: s.defaults.topup_fully_disabled }), source: t('ln_src_topup') }),
    numberField({ key: 'topup_partly_disabled', id: 'ln-topup-partly', label: t('ln_topup_partly'), input: fields.topup_partly_disabled,
      defaultText: t('ln_yuan_month', { n: s.defaults.topup_partly_disabled }), source: t('ln_src_topup') }),
    s.effective_month ? h('p', { class: 'muted' }, t('ln_in_force_from', { month: fmtMonth(s.effective_month) })) : null,
    changedLine(s.updated_by, s.updated_at),
    admin ? [h('label', { for: from.id }, t('ln_from')), from, saveButton('ln-subsidies-save', save)] : null,
    history.length ? h('ul', { class: 'policy-history', id: 'ln-subsidy-history' }, history.map((v) => h('li', {},
      t('ln_subsidy_version', { month: fmtMonth(v.effective_month), hospital: v.hospital_care_per_year,
        full: v.topup_fully_disabled, partly: v.topup_partly_disabled, by: v.updated_by || '', date: fmtDay(v.updated_at) }))))
      : null);
}

/** 敬老院失能、半失能特困人员补助 of a month: the table on the screen, and the file to download. */
function topupReportCard(me) {
  const month = h('select', { id: 'ln-topup-month' }, Array.from({ length: 13 }, (_, k) => monthFrom(-k))
    .map((m) => h('option', { value: m }, fmtMonth(m))));
  const out = h('div', { id: 'ln-topup-report', 'aria-live': 'polite' });
  const query = (format) => new URLSearchParams({ month: month.value, place_id: me.place_id, ...(format ? { format } : {}) });
  const view = () => saving({}, async () => {
    const r = await API.get(`/api/reports/care-topup?${query()}`);
    out.replaceChildren(h('h4', {}, r.title),
      h('div', { class: 'rates-wrap' }, h('table', { class: 'rates', id: 'ln-topup-table' },
        h('thead', {}, h('tr', {}, r.headers.map((c) => h('th', {}, c)))),
        h('tbody', {}, r.rows.map((row) => h('tr', {}, row.map((c) => h('td', {}, String(c)))))))),
      r.notes.map((n) => h('p', { class: 'muted' }, n)));
  });
  const download = (format) => saving({}, async () => {
    say(t('ln_preparing'));
    const { blob, name } = await API.file(`/api/reports/care-topup?${query(format)}`);
    saveBlob(blob, name || `care-topup.${format}`);
    say(t('ln_downloaded', { name: name || `care-topup.${format}` }));
  });
  month.addEventListener('change', view);
  view();
  return h('section', { class: 'card', id: 'ln-topup' },
    h('h3', {}, t('ln_topup_report')),
    h('p', { class: 'muted' }, t('ln_topup_report_help')),
    h('label', { for: month.id }, t('ln_month')), month,
    h('div', { class: 'row actions' },
      h('button', { class: 'primary', type: 'button', id: 'ln-topup-xlsx', onclick: () => download('xlsx') }, t('ln_xlsx')),
      h('button', { class: 'primary', type: 'button', id: 'ln-topup-csv', onclick: () => download('csv') }, t('ln_csv'))),
    out);
}

// ---- seed 001 二(二)4: the occupancy target (the care homes' policy) --------------------------

function occupancyCard(p, admin) {
  if (!p) return h('section', { class: 'card', id: 'ln-occupancy' }, h('h3', {}, t('ln_occupancy')), h('p', { class: 'muted' }, t('ln_unavailable')));
  const pct = numberInput('ln-occupancy-pct', p.occupancy_target_percent, { min: 1, max: 100 });
  pct.disabled = !admin;
  const save = () => {
    if (showErrors([wholeIn(pct, 1, 100)].filter(Boolean))) return;
    saving({ occupancy_target_percent: pct }, async () => {
      const saved = await API.put('/api/care-homes/policy', { occupancy_target_percent: Number(pct.value),
        disabled_centralised_percent: p.disabled_centralised_percent });
      await App.route();
      say(t('ln_saved_value', { value: `${saved.occupancy_target_percent}%` }));
    });
  };
  return h('section', { class: 'card policy', id: 'ln-occupancy' },
    h('h3', {}, t('ln_occupancy')),
    numberField({ key: 'occupancy_target_percent', id: pct.id, label: t('ln_occupancy_pct'), input: pct,
      defaultText: `${p.default_percent}%`, source: p.source || t('ln_src_occupancy') }),
    changedLine(p.updated_by, p.updated_at),
    admin ? saveButton('ln-occupancy-save', save) : null);
}

// ---- seed 003: the "321" ranges and the festival list (the pairing room's policy) -------------

function rule321Card(p, admin) {
  const inputs = Object.fromEntries(RANKS.map((r) => [r, [
    numberInput(`ln-321-${r}-low`, p.rule_321[r][0], { min: 1, max: 20 }),
    numberInput(`ln-321-${r}-high`, p.rule_321[r][1], { min: 1, max: 20 })]]));
  for (const pair of Object.values(inputs)) for (const i of pair) i.disabled = !admin;
  const put = (extra) => saving({ rule_321: inputs[RANKS[0]][0] }, async () => {
    const saved = await API.put('/api/festivals/policy', { visitors: p.visitors, ...extra });
    await App.route();
    say(t('ln_saved_value', { value: RANKS.map((r) => `${t(`ln_rank_${r}`)} ${saved.rule_321[r].join('–')}`).join('，') }));
  });
  const save = () => {
    const bad = RANKS.flatMap((r) => inputs[r].map((i) => wholeIn(i, 1, 20))).filter(Boolean);
    for (const r of RANKS) {
      if (!bad.length && Number(inputs[r][0].value) > Number(inputs[r][1].value)) bad.push([inputs[r][1], t('ln_321_order')]);
    }
    if (showErrors(bad)) return;
    put({ rule_321: Object.fromEntries(RANKS.map((r) => [r, inputs[r].map((i) => Number(i.value))])) });
  };
  const same = RANKS.every((r) => p.rule_321[r].join() === p.rule_321_default[r].join());
  return h('section', { class: 'card policy', id: 'ln-321' },
    h('h3', {}, t('ln_321')),
    RANKS.map((r) => h('div', { class: 'local-number', 'data-number': `rule_321.${r}` },
      h('label', { for: inputs[r][0].id }, t(`ln_rank_${r}`)),
      h('div', { class: 'row' }, inputs[r][0], h('span', {}, ' – '), inputs[r][1], h('span', {}, t('ln_persons'))),
      h('p', { class: 'muted default' }, t('ln_default', { value: p.rule_321_default[r].join('–') })))),
    h('blockquote', { class: 'source' }, t('ln_src_321')),
    same ? h('p', { class: 'tag green changed' }, t('ln_untouched')) : changedLine(p.updated_by, p.updated_at),
    admin ? h('div', { class: 'row' },
      h('button', { class: 'primary', type: 'button', id: 'ln-321-save', onclick: save }, t('ln_save')),
      same ? null : h('button', { type: 'button', id: 'ln-321-reset', onclick: () => put({ rule_321_reset: true }) }, t('ln_reset')))
      : null);
}

function festivalsCard(p, admin) {
  const added = [...p.festivals];
  const list = h('ul', { id: 'ln-festival-list' });
  const name = h('input', { type: 'text', id: 'ln-festival-name', maxlength: 10, placeholder: t('ln_festival_example') });
  const put = (festivals) => saving({ festivals: name }, async () => {
    const saved = await API.put('/api/festivals/policy', { visitors: p.visitors, festivals });
    await App.route();
    say(t('ln_saved_value', { value: saved.festival_list.map((f) => f.label).join('、') }));
  });
  const draw = () => list.replaceChildren(
    ...p.festival_list.filter((f) => f.seed).map((f) => h('li', { 'data-festival': f.code }, f.label, ' ', h('span', { class: 'tag green' }, t('ln_festival_seed')))),
    ...added.map((f) => h('li', { 'data-festival': f }, f, ' ', admin
      ? h('button', { type: 'button', class: 'link', 'data-remove': f, onclick: () => put(added.filter((x) => x !== f)) }, t('ln_remove')) : null)));
  draw();
  const add = () => {
    const v = name.value.trim();
    if (showErrors(v && v.length <= 10 ? [] : [[name, t('ln_festival_name')]])) return;
    put([...added, v]);
  };
  return h('section', { class: 'card policy', id: 'ln-festivals' },
    h('h3', {}, t('ln_festivals')),
    list,
    h('p', { class: 'muted default' }, t('ln_default', { value: p.festival_list.filter((f) => f.seed).map((f) => f.label).join('、') })),
    h('blockquote', { class: 'source' }, t('ln_src_festivals')),
    p.festivals.length ? changedLine(p.updated_by, p.updated_at) : h('p', { class: 'tag green changed' }, t('ln_untouched')),
    admin ? [h('label', { for: name.id }, t('ln_festival_add')), name,
      h('p', {}, h('button', { class: 'primary', type: 'button', id: 'ln-festival-add', onclick: add }, t('ln_add')))] : null);
}

// ---- the schedule policy (server/quotas): review months, health check, late days, volunteers --

function scheduleCards(s, admin) {
  const put = (changes, fields, what) => saving(fields, async () => {
    const keep = Object.fromEntries(SCHEDULE_KEEP.map((k) => [k, s[k]]));
    Object.assign(s, await API.put('/api/quotas/schedule', { ...keep, ...changes }));
    await App.route();
    say(t('ln_saved_value', { value: what() }));
  });
  const monthSelect = (id, value) => {
    const sel = h('select', { id }, Array.from({ length: 12 }, (_, k) => h('option', { value: k + 1 }, t('ln_month_n', { n: k + 1 }))));
    sel.value = String(value);
    sel.disabled = !admin;
    return sel;
  };
  const first = monthSelect('ln-review-month', s.review_month);
  const second = monthSelect('ln-review-second', s.review_second_month);
  const age = numberInput('ln-health-age', s.health_check_min_age, { min: 50, max: 100 });
  const late = numberInput('ln-late-days', s.late_submission_days, { min: 1, max: 62 });
  const vol = numberInput('ln-volunteer', s.volunteer_activities_per_month, { min: 1, max: 31 });
  for (const i of [age, late, vol]) i.disabled = !admin;
  const d = s.defaults;
  const changed = changedLine(s.updated_by, s.updated_at);
  const card = (id, title, body, onSave) => h('section', { class: 'card policy', id },
    h('h3', {}, title), body, changed.cloneNode(true), admin ? saveButton(`${id}-save`, onSave) : null);
  return [
    card('ln-reviews', t('ln_reviews'), [
      numberField({ key: 'review_month', id: first.id, label: t('ln_review_first'), input: first,
        defaultText: t('ln_month_n', { n: d.review_month }), source: t('ln_src_review_first') }),
      numberField({ key: 'review_second_month', id: second.id, label: t('ln_review_second'), input: second,
        defaultText: t('ln_month_n', { n: d.review_second_month }), source: t('ln_src_review_second') })],
    () => {
      if (showErrors(first.value === second.value ? [[second, t('ln_review_same')]] : [])) return;
      put({ review_month: Number(first.value), review_second_month: Number(second.value) },
        { review_month: first, review_second_month: second },
        () => `${t('ln_month_n', { n: s.review_month })}、${t('ln_month_n', { n: s.review_second_month })}`);
    }),
    card('ln-health', t('ln_health'), numberField({ key: 'health_check_min_age', id: age.id, label: t('ln_health_age'), input: age,
      defaultText: t('ln_age', { n: d.health_check_min_age }), source: t('ln_src_health') }), () => {
      if (showErrors([wholeIn(age, 50, 100)].filter(Boolean))) return;
      put({ health_check_min_age: Number(age.value) }, { health_check_min_age: age }, () => t('ln_age', { n: s.health_check_min_age }));
    }),
    card('ln-late', t('ln_late'), numberField({ key: 'late_submission_days', id: late.id, label: t('ln_late_days'), input: late,
      defaultText: t('ln_days', { n: d.late_submission_days }), source: t('ln_src_late') }), () => {
      if (showErrors([wholeIn(late, 1, 62)].filter(Boolean))) return;
      put({ late_submission_days: Number(late.value) }, { late_submission_days: late }, () => t('ln_days', { n: s.late_submission_days }));
    }),
    card('ln-volunteer-card', t('ln_volunteer'), numberField({ key: 'volunteer_activities_per_month', id: vol.id,
      label: t('ln_volunteer_n'), input: vol, defaultText: t('ln_times_month', { n: d.volunteer_activities_per_month }),
      source: t('ln_src_volunteer') }), () => {
      if (showErrors([wholeIn(vol, 1, 31)].filter(Boolean))) return;
      put({ volunteer_activities_per_month: Number(vol.value) }, { volunteer_activities_per_month: vol },
        () => t('ln_times_month', { n: s.volunteer_activities_per_month }));
    }),
  ];
}

// ---- campaigns (server/campaigns): their frequency and the reminder before a period ends -----

function campaignCard(kind, p, freq, admin) {
  const days = numberInput(`ln-remind-${kind}`, p.remind_days_before, { min: 1, max: 90 });
  days.disabled = !admin;
  const save = () => {
    if (showErrors([wholeIn(days, 1, 90)].filter(Boolean))) return;
    saving({ remind_days_before: days }, async () => {
      const saved = await API.put(`/api/campaigns/${kind}/policy`, { remind_days_before: Number(days.value) });
      await App.route();
      say(t('ln_saved_value', { value: t('ln_days', { n: saved.remind_days_before }) }));
    });
  };
  // the frequency: the one in force this year, and a change from the first of January of a later
  // year (a year begun keeps its periods and the records in them)
  const year = Number(App.today().slice(0, 4));
  const upcoming = freq.versions.filter((v) => v.from_year > year);
  const every = h('select', { id: `ln-frequency-${kind}`, disabled: !admin },
    FREQUENCIES.map((f) => h('option', { value: f, selected: f === freq.frequency }, t(`ln_every_${f}`))));
  const fromYear = h('select', { id: `ln-frequency-${kind}-from`, disabled: !admin },
    [1, 2, 3, 4, 5].map((k) => h('option', { value: year + k }, t('ln_from_year', { y: year + k }))));
  const saveFrequency = () => saving({ frequency: every, from_year: fromYear }, async () => {
    const saved = await API.put(`/api/campaigns/${kind}/frequency`, { frequency: every.value, from_year: Number(fromYear.value) });
    const from = saved.versions.find((v) => v.from_year === Number(fromYear.value));
    await App.route();
    say(t('ln_saved_value', { value: t('ln_from_year', { y: fromYear.value }) + t(`ln_every_${from ? from.frequency : every.value}`) }));
  });
  return h('section', { class: 'card policy', id: `ln-campaign-${kind}` },
    h('h3', {}, t(`ln_campaign_${kind}`)),
    h('div', { class: 'local-number', 'data-number': `${kind}.frequency` },
      h('p', {}, h('strong', {}, t('ln_frequency')), ' ', h('span', { id: `ln-frequency-${kind}-now` },
        t('ln_this_year', { y: year }), t(`ln_every_${freq.frequency}`))),
      upcoming.map((v) => h('p', { class: 'tag amber', 'data-version': v.from_year },
        t('ln_from_year', { y: v.from_year }), t(`ln_every_${v.frequency}`))),
      h('p', { class: 'muted default' }, t('ln_default', { value: t(`ln_every_${freq.default_frequency}`) })),
      h('blockquote', { class: 'source' }, t(`ln_src_frequency_${kind}`)),
      h('p', { class: 'muted' }, t('ln_frequency_later')),
      admin ? h('p', { class: 'row' }, h('label', { for: every.id }, t('ln_frequency_change')), every, fromYear,
        h('button', { type: 'button', id: `ln-frequency-${kind}-save`, onclick: saveFrequency }, t('ln_save'))) : null),
    numberField({ key: `${kind}.remind_days_before`, id: days.id, label: t('ln_remind'), input: days,
      defaultText: t('ln_days', { n: REMIND_DEFAULT }), source: t('ln_src_remind') }),
    changedLine(null, p.updated_by ? p.updated_at : null),
    admin ? saveButton(`ln-campaign-${kind}-save`, save) : null);
}

async function localNumbersScreen() {
  const me = await currentUser();
  const admin = me.role === 'district_admin';
  const orNull = (p) => p.catch((err) => { if (err.status === 401) throw err; return null; });
  const [subsidies, occupancy, pairing, schedule, cleanup, health, cleanupEvery, healthEvery] = await Promise.all([
    API.get('/api/care-homes/subsidies'), orNull(API.get('/api/care-homes/policy')), API.get('/api/festivals/policy'),
    API.get('/api/quotas/schedule'), API.get('/api/campaigns/cleanup/policy'), API.get('/api/campaigns/health_check/policy'),
    API.get('/api/campaigns/cleanup/frequency'), API.get('/api/campaigns/health_check/frequency'),
  ]);
  show(t('ln_title'),
    h('p', { class: 'muted' }, t('ln_intro')),
    admin ? null : h('p', { class: 'tag amber', id: 'ln-readonly' }, t('ln_readonly')),
    subsidiesCard(subsidies, admin),
    topupReportCard(me),
    occupancyCard(occupancy, admin),
    rule321Card(pairing, admin),
    festivalsCard(pairing, admin),
    scheduleCards(schedule, admin),
    campaignCard('cleanup', cleanup, cleanupEvery, admin),
    campaignCard('health_check', health, healthEvery, admin),
    h('p', {}, h('a', { class: 'button', href: '#/quota-policy', id: 'ln-quota-link' }, t('ln_quota_link'))));
}

App.screen('local-numbers', localNumbersScreen, { back: true });
