/* 照应 — campaigns with a frequency: the quarterly home clean-up (seed 000 item 11: 积分制 and
 * 清单制, a checklist per home and points per person) and the yearly free health check for people
 * of 65 and over (seed 000 item 4, with the family doctor signed or not). Staff and volunteers see
 * who is due and who is done, by village, and record a person done; district admins set the
 * checklist, its points and when staff are reminded; the frequency is theirs too (本地标准). */
import { App } from './app.js';
import { API } from './api.js';
import { t } from './i18n.js';

const { h, show, say, go, guard, currentUser, route } = App;
const KINDS = ['cleanup', 'health_check'];
// Persons listed at once; beyond it, one village at a time: a district's 2,704 persons, each with
// a form, drew 41,247 nodes (issue 28 problem 6).
const AT_ONCE = 100;
const chosen = {}; // kind -> the village chosen ('' for all), kept across the redraw after a record

/** 2026-Q4 → 2026年第四季度; 2027-H1 → 2027年上半年; 2027-02 → 2027年2月; 2026 → 2026年 (the
 * frequency is the district's, from a year on: server/campaigns/service.py). */
function periodLabel(p) {
  const m = /^(\d{4})-Q([1-4])$/.exec(p);
  if (m) return t('cmp_quarter', { y: m[1], q: t(`cmp_q${m[2]}`) });
  const half = /^(\d{4})-H([12])$/.exec(p);
  if (half) return t(`cmp_h${half[2]}`, { y: half[1] });
  if (/^\d{4}-\d\d$/.test(p)) return App.fmtMonth(p);
  return /^\d{4}$/.test(p) ? t('cmp_year', { y: p }) : p;
}
const summary = (c) => t('cmp_summary', { period: periodLabel(c.period), done: c.total.done, due: c.total.due, end: c.ends_on });

function progressRow(attrs, name, done, due) {
  const pct = due ? Math.round((100 * done) / due) : 0;
  return h('div', { class: 'card', ...attrs }, h('strong', {}, name),
    h('div', { class: 'progress', role: 'progressbar', 'aria-valuenow': pct }, h('span', { style: `width:${pct}%` })),
    h('div', { class: 'muted' }, t('cmp_village_row', { done, due })));
}

async function campaignsHome() {
  const user = await currentUser();
  const kinds = user.role === 'volunteer' ? ['cleanup'] : KINDS;
  const all = await Promise.all(kinds.map((k) => API.get(`/api/campaigns/${k}`)));
  show(t('cmp_title'), all.map((c) => {
    const pct = c.total.due ? Math.round((100 * c.total.done) / c.total.due) : 0;
    return h('a', { class: 'card', href: `#/campaign/${c.kind}`, 'data-campaign': c.kind },
      h('h3', {}, t(`cmp_${c.kind}`)),
      h('div', { class: 'progress', role: 'progressbar', 'aria-valuenow': pct }, h('span', { style: `width:${pct}%` })),
      h('div', { class: 'muted' }, summary(c)));
  }));
}

/** A person due: a line until opened, then the form to record them done (built on opening). */
function personLine(c, p, villageName) {
  const line = h('details', { class: 'plan', 'data-person': p.person_id },
    h('summary', {}, `${p.name} · ${villageName}${p.age ? ` · ${t('cmp_age', { n: p.age })}` : ''}`));
  line.addEventListener('toggle', () => {
    if (line.open && line.childElementCount === 1) line.append(...recordForm(c, p));
  });
  return line;
}

function recordForm(c, p) {
  const day = h('input', { type: 'date', value: App.today(), 'aria-label': t('cmp_date') });
  let body;
  let fields;
  if (c.kind === 'cleanup') {
    const boxes = c.checklist.map((item) => h('input', { type: 'checkbox', value: item.code, id: `chk-${p.person_id}-${item.code}` }));
    fields = h('div', { class: 'checks' }, c.checklist.map((item, i) => h('label', { for: boxes[i].id }, boxes[i],
      t('cmp_item', { label: item.label, points: item.points }))));
    body = () => ({ items: boxes.filter((b) => b.checked).map((b) => b.value) });
  } else {
    let signed = null;
    const choices = [true, false].map((v) => h('button', {
      type: 'button', 'aria-pressed': 'false', 'data-signed': String(v),
      onclick: () => { signed = v; for (const b of choices) b.setAttribute('aria-pressed', String(b.dataset.signed === String(v))); },
    }, t(v ? 'cmp_doctor_yes' : 'cmp_doctor_no')));
    fields = h('div', {}, h('label', {}, t('cmp_doctor')), h('div', { class: 'choices' }, choices));
    body = () => {
      if (signed === null) throw new API.ApiError(0, { message: t('cmp_doctor_choose') });
      return { family_doctor_signed: signed };
    };
  }
  const save = () => guard(async () => {
    await API.post(`/api/campaigns/${c.kind}/records`, { person_id: p.person_id, done_on: day.value, ...body() });
    await route();
    say(t('cmp_saved', { name: p.name }));
  });
  return [fields, h('label', {}, t('cmp_date')), day,
    h('p', {}, h('button', { class: 'primary', onclick: save }, t('cmp_record')))];
}

async function campaignScreen(kind) {
  if (!KINDS.includes(kind)) { go('#/campaigns'); return; }
  const c = await API.get(`/api/campaigns/${kind}`);
  const user = await currentUser();
  const villages = Object.fromEntries(c.villages.map((v) => [v.place_id, v]));
  const townships = [...new Set(c.villages.map((v) => v.township))];
  // a village's name, with its township where the list spans several (北沟村 is in two of them)
  const where = (v) => (townships.length > 1 ? `${v.township} ${v.name}` : v.name);
  const all = c.persons.length <= AT_ONCE;
  if (!(chosen[kind] in villages) && !(all && chosen[kind] === '')) {
    const first = c.villages.find((v) => v.done < v.due) || c.villages[0];
    chosen[kind] = all || !first ? '' : first.place_id;
  }
  const pick = h('select', { id: 'cmp-village' },
    all ? h('option', { value: '' }, t('cmp_all_villages', { done: c.total.done, due: c.total.due })) : null,
    townships.map((name) => {
      const options = c.villages.filter((v) => v.township === name)
        .map((v) => h('option', { value: String(v.place_id) }, t('cmp_village_option', { name: v.name, done: v.done, due: v.due })));
      return townships.length > 1 ? h('optgroup', { label: name }, options) : options;
    }));
  pick.value = String(chosen[kind]);
  const lists = h('div', { id: 'cmp-lists' });
  const doneLine = (p) => (kind === 'cleanup' ? t('cmp_points', { n: p.points })
    : t(p.family_doctor_signed ? 'cmp_doctor_yes' : 'cmp_doctor_no'));
  function drawLists() {
    const here = c.persons.filter((p) => chosen[kind] === '' || p.village_id === Number(chosen[kind]));
    const todo = here.filter((p) => !p.done);
    const done = here.filter((p) => p.done);
    const name = (p) => where(villages[p.village_id]);
    lists.replaceChildren(
      h('h3', {}, t('cmp_todo', { n: todo.length })),
      ...(todo.length ? todo.map((p) => personLine(c, p, name(p))) : [h('p', {}, t('cmp_all_done'))]),
      h('h3', {}, t('cmp_done', { n: done.length })),
      h('table', { id: 'cmp-done' }, h('tbody', {}, done.map((p) => h('tr', { 'data-person': p.person_id },
        h('td', {}, p.name), h('td', {}, name(p)), h('td', {}, doneLine(p)))))));
  }
  pick.addEventListener('change', () => { chosen[kind] = pick.value === '' ? '' : Number(pick.value); drawLists(); });
  drawLists();
  // coverage by township where the list spans several, else by village
  const rows = townships.length > 1
    ? townships.map((name) => {
      const vs = c.villages.filter((v) => v.township === name);
      return progressRow({ 'data-township': name }, name, vs.reduce((n, v) => n + v.done, 0), vs.reduce((n, v) => n + v.due, 0));
    })
    : c.villages.map((v) => progressRow({ 'data-village': v.place_id }, v.name, v.done, v.due));
  show(`${c.name} · ${t(`cmp_${kind}`)}`,
    h('p', {}, h('strong', { id: 'cmp-total' }, summary(c))),
    kind === 'cleanup' ? h('p', { class: 'muted' }, t('cmp_points_total', { n: c.total.points }))
      : h('p', { class: 'muted' }, t('cmp_doctor_total', { n: c.total.doctor_signed })),
    h('h3', {}, t(townships.length > 1 ? 'cmp_by_township' : 'cmp_by_village')), rows,
    h('label', { for: 'cmp-village' }, t('cmp_village')), pick,
    lists,
    user.role === 'district_admin' ? h('p', {}, h('a', { class: 'button', href: `#/campaign-policy/${kind}` }, t('cmp_policy'))) : null);
}

async function policyScreen(kind) {
  if (!KINDS.includes(kind)) { go('#/campaigns'); return; }
  const p = await API.get(`/api/campaigns/${kind}/policy`);
  const remind = h('input', { type: 'text', inputmode: 'numeric', id: 'cmp-remind', value: String(p.remind_days_before) });
  const rows = p.checklist.map((item) => ({ code: item.code, label: h('input', { type: 'text', value: item.label, 'aria-label': t('cmp_item_label') }),
    points: h('input', { type: 'text', inputmode: 'numeric', value: String(item.points), 'aria-label': t('cmp_item_points') }) }));
  const list = h('div', {});
  const draw = () => list.replaceChildren(...rows.map((r) => h('div', { class: 'card' }, h('div', { class: 'row' }, r.label, r.points))));
  draw();
  const add = () => {
    rows.push({ code: `item_${Date.now() % 100000}`, label: h('input', { type: 'text', 'aria-label': t('cmp_item_label') }),
      points: h('input', { type: 'text', inputmode: 'numeric', value: '1', 'aria-label': t('cmp_item_points') }) });
    draw();
  };
  const save = () => guard(async () => {
    const body = { remind_days_before: Number(remind.value) };
    if (kind === 'cleanup') {
      body.checklist = rows.filter((r) => r.label.value.trim())
        .map((r) => ({ code: r.code, label: r.label.value.trim(), points: Number(r.points.value) }));
    }
    await API.put(`/api/campaigns/${kind}/policy`, body);
    say(t('svc_done'));
  });
  show(`${t(`cmp_${kind}`)} · ${t('cmp_policy')}`,
    h('label', { for: 'cmp-remind' }, t('cmp_remind_days')), remind,
    kind === 'cleanup' ? [h('h3', {}, t('cmp_checklist')), list, h('p', {}, h('button', { onclick: add }, t('cmp_add_item')))] : null,
    h('p', {}, h('button', { class: 'primary', id: 'cmp-policy-save', onclick: save }, t('svc_save'))));
}

App.screen('campaigns', campaignsHome, { back: true });
App.screen('campaign', campaignScreen, { back: true });
App.screen('campaign-policy', policyScreen, { back: true });
