/* 照应 — what counts toward the month: the visit policy per self-care level and per mode
 * (上门入户 / 电话视频 / 远程监测), from a month on, which district admins edit and township staff read;
 * the settings beside it (volunteer visits, reminders); the
 * 月探访率 of the groups seed 002 item 3 names (独居、空巢、留守、失能、重残、计划生育特殊家庭; 60 and over),
 * district → township → village; and a person's 特殊困难情形, which staff set. */
import { App } from './app.js';
import { API } from './api.js';
import { ZY } from './db.js';
import { I18N, t } from './i18n.js';
import { Months } from './coverage.js';

await I18N.more('categories');

const { h, show, say, guard, route, levelLabel, fmtDay, fmtMonth, monthFrom } = App;
const GROUPS = ['home', 'phone_video', 'remote'];
// 特殊困难情形 (server/people/models.py RISK_FLAGS), in its order
const FLAGS = ['lives_alone', 'empty_nest', 'left_behind', 'mental_illness', 'severe_disability', 'lost_only_child',
  'family_planning_special'];
const ELDERLY_AGE = 60; // 特殊困难老年人 (seed 002 item 3): the groups' rates count 60 and over

function numberInput(id, value, { min = 0, max = 62, blank = false } = {}) {
  return h('input', {
    type: 'number', id, min, max, inputmode: 'numeric', class: 'number',
    value: value === null || value === undefined ? (blank ? '' : '0') : String(value),
  });
}

/** A level's rule: this month's in words, the fields to change it from a month chosen (this one
 * or one of the next twelve, never a past or closed one), and every saved version, the one in
 * force this month first. */
function levelCard(q, editable, onSaved, history) {
  const lv = q.self_care_level;
  const visits = numberInput(`visits-${lv}`, q.visits_per_month, { min: 1 });
  const gap = numberInput(`gap-${lv}`, q.max_gap_days, { min: 1, blank: true });
  const modes = GROUPS.map((g) => ({
    g,
    counts: h('input', { type: 'checkbox', id: `count-${lv}-${g}`, checked: q[`count_${g}`] }),
    min: numberInput(`min-${lv}-${g}`, q[`min_${g}`]),
  }));
  const source = q.default ? t('pol_default') : t('pol_local', { date: fmtDay(q.updated_at) });
  const rule = h('p', { class: 'policy-text', 'data-level-text': lv }, q.text);
  for (const input of [visits, gap, ...modes.flatMap((m) => [m.counts, m.min])]) input.disabled = !editable;
  const from = h('select', { id: `from-${lv}` }, Array.from({ length: 13 }, (_, k) => monthFrom(k))
    .map((m, k) => h('option', { value: m }, k ? fmtMonth(m) : t('pol_this_month', { month: fmtMonth(m) }))));
  const resetBtn = h('button', { type: 'button', id: `reset-${lv}`, onclick: reset, hidden: q.default }, t('pol_reset'));

  /** The fields as the version in force in the month chosen has them. */
  function fill(v) {
    visits.value = v.visits_per_month;
    gap.value = v.max_gap_days === null ? '' : v.max_gap_days;
    for (const m of modes) { m.counts.checked = v[`count_${m.g}`]; m.min.value = v[`min_${m.g}`]; }
    resetBtn.hidden = v.default;
  }
  from.addEventListener('change', () => guard(async () => {
    fill((await API.get(`/api/quotas?month=${from.value}`)).find((v) => v.self_care_level === lv));
  }));

  async function save() {
    const body = {
      visits_per_month: Number(visits.value),
      max_gap_days: gap.value.trim() === '' ? null : Number(gap.value),
      effective_month: from.value,
    };
    for (const m of modes) {
      body[`count_${m.g}`] = m.counts.checked;
      body[`min_${m.g}`] = Number(m.min.value || 0);
    }
    await guard(async () => {
      const saved = await API.put(`/api/quotas/${lv}`, body);
      say(t('pol_saved', { text: t('pol_from', { month: fmtMonth(saved.effective_month), text: saved.text }) }));
      onSaved();
    });
  }

  async function reset() {
    await guard(async () => {
      const saved = await API.del(`/api/quotas/${lv}?effective_month=${from.value}`);
      say(t('pol_saved', { text: t('pol_from', { month: fmtMonth(saved.effective_month), text: saved.text }) }));
      onSaved();
    });
  }

  const mine = history.filter((v) => v.self_care_level === lv);
  const versions = [...mine.filter((v) => v.version_id === q.version_id), ...mine.filter((v) => v.version_id !== q.version_id).reverse()];
  return h('div', { class: 'card policy', 'data-level': lv },
    h('h3', {}, levelLabel(lv)),
    rule,
    h('p', { class: `tag ${q.default ? 'green' : 'amber'}` }, source),
    editable ? [h('label', { for: from.id }, t('pol_effective')), from] : null,
    h('label', { for: visits.id }, t('pol_visits')), visits,
    h('table', { class: 'policy-modes' },
      h('thead', {}, h('tr', {}, h('th', {}, t('mode')), h('th', {}, t('pol_counts')), h('th', {}, t('pol_min')))),
      h('tbody', {}, modes.map((m) => h('tr', { 'data-mode': m.g },
        h('th', {}, h('label', { for: m.counts.id }, t(`mode_${m.g}`))), h('td', {}, m.counts), h('td', {}, m.min))))),
    h('label', { for: gap.id }, t('pol_gap')), gap,
    editable ? h('div', { class: 'row' },
      h('button', { class: 'primary', type: 'button', id: `save-${lv}`, onclick: save }, t('pol_save')), resetBtn)
      : null,
    versions.length ? [h('h4', {}, t('pol_history')), h('ul', { class: 'policy-history', 'data-history': lv },
      versions.map((v) => h('li', { 'data-month': v.effective_month },
        v.version_id === q.version_id ? [h('span', { class: 'tag green' }, t('pol_in_force')), ' '] : null,
        // the seeds' default nobody saved applies from always: it has no month nor author
        v.updated_by ? t('pol_version', { month: fmtMonth(v.effective_month), text: v.text, by: v.updated_by, date: fmtDay(v.updated_at) })
          : `${t('pol_default')}：${v.text}`)))]
      : null);
}

/** The district's other settings that no policy paper gives a number for: whether volunteer
 * visits count toward 月探访率, and how many days before the month's end a caregiver whose month
 * is not met is reminded. Each PUT keeps the others as they are. */
async function scheduleSettings(editable) {
  const schedule = await API.get('/api/quotas/schedule');
  const KEEP = ['volunteer_activities_per_month', 'health_check_min_age', 'review_month', 'late_submission_days',
    'volunteer_visits_count', 'reminder_days_left'];
  const put = (changes, what) => guard(async () => {
    Object.assign(schedule, await API.put('/api/quotas/schedule', { ...Object.fromEntries(KEEP.map((k) => [k, schedule[k]])), ...changes }));
    say(t('pol_saved', { text: what }));
  });
  const box = h('input', { type: 'checkbox', id: 'volunteer-visits-count', checked: schedule.volunteer_visits_count });
  box.disabled = !editable;
  box.addEventListener('change', () => put({ volunteer_visits_count: box.checked }, t('pol_volunteer')));
  const days = numberInput('reminder-days-left', schedule.reminder_days_left, { min: 1, max: 27 });
  days.disabled = !editable;
  return [
    h('div', { class: 'card policy' },
      h('div', { class: 'checks' }, h('label', { for: box.id }, box, t('pol_volunteer'))),
      h('p', { class: 'muted' }, t('pol_volunteer_help'))),
    h('div', { class: 'card policy', id: 'reminder-setting' },
      h('label', { for: days.id }, t('pol_reminder')), days,
      h('p', { class: 'muted' }, t('pol_reminder_help')),
      editable ? h('p', {}, h('button', { type: 'button', class: 'primary', id: 'save-reminder', onclick: () => {
        const n = Number(days.value);
        if (App.showErrors(Number.isInteger(n) && n >= 1 && n <= 27 ? [] : [[days, t('pol_reminder_range')]])) return;
        put({ reminder_days_left: n }, t('pol_reminder_saved', { n }));
      } }, t('pol_save'))) : null),
  ];
}

async function policyScreen() {
  const user = await ZY.kv.get('user');
  const editable = !!user && user.role === 'district_admin';
  const [levels, history] = await Promise.all([API.get('/api/quotas'), API.get('/api/quotas/history').catch(() => [])]);
  show(t('pol_title'),
    h('p', { class: 'muted' }, t('pol_intro')),
    editable ? null : h('p', { class: 'tag amber' }, t('pol_readonly')),
    levels.map((q) => levelCard(q, editable, route, history)),
    await scheduleSettings(editable),
    h('p', {}, h('a', { class: 'button', href: '#/visit-rates', id: 'rates-link' }, t('pol_rates_link'))));
}

function rateCell(c) {
  return h('td', { 'data-total': c.total, 'data-visited': c.visited },
    h('strong', {}, c.rate === null ? '–' : `${c.rate}%`), h('br'), h('span', { class: 'muted' }, t('rates_cell', c)));
}

/** 月探访率 by group, for a place (default: the user's own) and a month (default: this one), by
 * its child places; a township or district row opens the level below in the same month. */
async function ratesScreen(arg) {
  const data = await API.get(`/api/visit-rates?${Months.query(...Months.split(arg))}`);
  const keys = [...data.groups, 'any'];
  const label = (g) => (g === 'any' ? t('rates_all') : g === 'family_planning_special' ? t('cat_flag_family_planning_special')
    : t(`rates_group_${g}`));
  const head = h('tr', {}, h('th', {}, t('rates_place')), keys.map((g) => h('th', { 'data-group': g }, label(g))));
  const rows = data.children.map((c) => h('tr', { 'data-place': c.place_id },
    h('td', {}, c.level === 'village' ? c.name : h('a', { href: `#/visit-rates/${c.place_id}_${data.month}` }, c.name)),
    keys.map((g) => rateCell(c.groups[g]))));
  const total = h('tr', { class: 'total', 'data-place': 'total' }, h('th', {}, t('rates_all')),
    keys.map((g) => rateCell(data.total[g])));
  show(`${data.name} · ${t('rates_title')}`,
    await Months.picker(data.place_id, data.month, (m) => `#/visit-rates/${data.place_id}_${m}`),
    Months.stateLine(data, data.place_id),
    h('div', { class: 'rates-wrap' }, h('table', { class: 'rates', id: 'rates' },
      h('thead', {}, head), h('tbody', {}, rows, total))),
    h('p', { class: 'muted' }, t('rates_note')),
    h('p', { class: 'muted', id: 'rates-elderly' }, t('cat_rates_elderly', { age: ELDERLY_AGE })),
    h('p', { class: 'muted', id: 'rates-policy' }, data.policy.text),
    h('p', { class: 'muted' }, data.policy.volunteer_text),
    h('p', {}, h('a', { class: 'button', href: '#/person-groups', id: 'rates-groups-link' }, t('cat_title'))));
}

/** A person's 特殊困难情形, which staff set (the township's own, the district everyone's): each a
 * group of its own — 计划生育特殊家庭 is not 失独, and only 失独 earns 服务清单 5's 75 元 bath. 失能 is
 * the self-care level, not a flag. Under 60 the person is in no group's 月探访率. */
function groupsCard(p) {
  const boxes = FLAGS.map((f) => h('input', { type: 'checkbox', id: `cat-${p.id}-${f}`, value: f,
    checked: (p.risk_flags || []).includes(f) }));
  const save = () => guard(async () => {
    const saved = await API.patch(`/api/persons/${p.id}`, { risk_flags: boxes.filter((b) => b.checked).map((b) => b.value) });
    say(t('cat_saved', { name: saved.name, flags: FLAGS.filter((f) => saved.risk_flags.includes(f))
      .map((f) => t(`cat_flag_${f}`)).join('、') || t('cat_none') }));
  });
  return h('div', { class: 'card', 'data-person': p.id },
    h('h3', {}, p.name),
    h('div', { class: 'muted' }, `${p.village_name || ''} · ${t('cat_age', { n: p.age })} · ${levelLabel(p.self_care_level)}`),
    p.age < ELDERLY_AGE ? h('p', { class: 'tag amber', 'data-under-age': '' }, t('cat_under_age', { age: ELDERLY_AGE })) : null,
    h('div', { class: 'checks' }, FLAGS.map((f, i) => h('label', { for: boxes[i].id }, boxes[i], t(`cat_flag_${f}`)))),
    h('p', { class: 'muted' }, t('cat_help')),
    h('p', {}, h('button', { type: 'button', class: 'primary', 'data-action': 'save-groups', onclick: save }, t('cat_save'))));
}

async function groupsScreen(arg) {
  const q = h('input', { type: 'text', id: 'cat-q', autocomplete: 'off' });
  const found = h('div', { id: 'cat-found' });
  const list = (rows) => found.replaceChildren(...(rows.length ? rows.map(groupsCard) : [h('p', {}, t('cat_none_found'))]));
  const search = () => guard(async () => {
    list(await API.get(`/api/persons?page_size=20&q=${encodeURIComponent(q.value.trim())}`));
  });
  show(t('cat_title'),
    h('p', { class: 'muted' }, t('cat_intro')),
    h('form', { onsubmit: (e) => { e.preventDefault(); search(); } },
      h('label', { for: q.id }, t('cat_search')), q,
      h('p', {}, h('button', { type: 'submit', class: 'primary', id: 'cat-search' }, t('cat_search_button')))),
    found);
  if (arg) list([await API.get(`/api/persons/${encodeURIComponent(arg)}`)]);
}

App.screen('quota-policy', policyScreen, { back: true });
App.screen('visit-rates', ratesScreen, { back: true });
App.screen('person-groups', groupsScreen, { back: true });
