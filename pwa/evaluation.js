/* 照应 — the door-to-door evaluation (逐人定期考核评价, seed 001 annex 3) on the staff's phone: who is
 * due, the campaign's progress per village, and annex 3's form with the grading notes beside the
 * grades. The form goes to the outbox, so a panel in a dead zone keeps working; the list of who is
 * due and the notes are kept for it while there is a network. */
import { App } from './app.js';
import { ZY } from './outbox.js';
import { I18N, t } from './i18n.js';

const { h, show, say, fmtDate, levelLabel, go, cached, enqueue } = App;

// annex 3's questions and their answers (seed 001 附件3); the intake's 入户调查 asks the same (intake.js)
export const CHOICES = {
  self_care_level: ['self_care', 'partly_disabled', 'fully_disabled'],
  housing: ['own', 'borrowed', 'group_home'],
  living_environment: ['clean', 'fair', 'dirty'],
  quality_of_life: ['good', 'fair', 'poor'],
  care_quality: ['good', 'fair', 'poor'],
  overall: ['good', 'poor', 'bad'],
};
export const YES_NO = ['treated_promptly', 'subsidy_self_controlled', 'rights_infringed', 'wishes_centralised'];

function label(field, code) {
  if (field === 'self_care_level') return levelLabel(code);
  if (field === 'quality_of_life' || field === 'care_quality') return t(`eval_quality_${code}`);
  return t(`eval_${field}_${code}`);
}

function group(field, codes, state, labelOf, notes) {
  const buttons = codes.map((code) => h('button', {
    type: 'button', 'aria-pressed': String(state[field] === code), 'data-field': field, 'data-code': String(code),
    onclick: (e) => { state[field] = code; for (const b of buttons) b.setAttribute('aria-pressed', String(b === e.currentTarget)); },
  }, labelOf(code)));
  return h('div', { class: 'eval-field', id: `eval-${field}` },
    h('label', {}, t(`eval_${field}`)), h('div', { class: 'choices' }, buttons), notes || null);
}

async function evaluationsScreen() {
  const { data: due, stale } = await cached('eval-due', '/api/evaluations/due');
  let progress = null;
  try { ({ data: progress } = await cached('eval-progress', '/api/reports/evaluations')); } catch (e) { /* offline, never loaded */ }
  cached(`assess-catalogue:${I18N.lang}`, '/api/assessments/catalogue').catch(() => {});
  const waiting = new Set((await ZY.outbox.all()).filter((e) => e.url === '/api/assessments').map((e) => e.personId));
  show(t('evaluations'),
    stale ? h('p', { class: 'muted' }, t('offline')) : null,
    progress ? h('div', { id: 'eval-progress' }, h('h3', {}, progress.title),
      h('table', {}, h('thead', {}, h('tr', {}, ['village', 'persons', 'done', 'rate'].map((k) => h('th', {}, t(`eval_col_${k}`))))),
        h('tbody', {}, progress.rows.map((r) => h('tr', { 'data-village': r[2] }, h('td', {}, r[2]), h('td', {}, String(r[3])),
          h('td', {}, String(r[4])), h('td', {}, r[6])))))) : null,
    h('p', {}, h('a', { class: 'button', href: '#/centralisation', id: 'centralisation-link' }, t('centralisation'))),
    h('h3', {}, t('eval_due', { n: due.length })),
    due.length ? due.map((p) => h('a', { class: 'card', href: `#/evaluate/${p.person_id}`, 'data-due': p.person_id },
      h('strong', {}, p.name),
      h('div', { class: 'row' }, h('span', {}, `${p.village_name} · ${levelLabel(p.self_care_level)}`),
        waiting.has(p.person_id) ? h('span', { class: 'tag amber' }, t('waiting_network')) : null),
      h('div', { class: 'muted' }, p.last_assessed_on ? t('eval_last', { date: fmtDate(p.last_assessed_on) }) : t('eval_never'))))
      : h('p', {}, t('eval_none_due')));
}

async function evaluateScreen(id) {
  const { data: due } = await cached('eval-due', '/api/evaluations/due');
  const p = due.find((d) => d.person_id === id);
  if (!p) { say(t('eval_not_due'), true); go('#/evaluations'); return; }
  const { data: cat } = await cached(`assess-catalogue:${I18N.lang}`, '/api/assessments/catalogue');
  const state = { self_care_level: p.self_care_level };
  const definitions = Object.fromEntries(cat.care_quality.map((c) => [c.code, c.definition]));
  const careNotes = h('dl', { class: 'eval-notes', id: 'care-quality-notes' },
    CHOICES.care_quality.flatMap((code) => [h('dt', {}, t(`eval_quality_${code}`)), h('dd', {}, definitions[code])]));
  const field = (name, notes) => group(name, CHOICES[name], state, (c) => label(name, c), notes);
  const yesNo = (name) => group(name, [true, false], state, (v) => t(v ? 'eval_yes' : 'eval_no'));
  const day = h('input', { type: 'date', id: 'assessed-on', value: App.today(), class: 'date' });
  const guardian = h('input', { type: 'text', id: 'guardian-name', maxlength: 50, value: p.caregiver_name || '' });
  const guardianAge = h('input', { type: 'number', id: 'guardian-age', min: 10, max: 110, inputmode: 'numeric' });
  const relation = h('input', { type: 'text', id: 'guardian-relation', maxlength: 30,
    value: p.caregiver_relation ? t(`eval_rel_${p.caregiver_relation}`) : '' });
  const remarks = h('textarea', { id: 'remarks', rows: 2, maxlength: 500 });

  async function submit() {
    const missing = [...Object.keys(CHOICES), ...YES_NO.slice(0, 3)].filter((f) => state[f] === undefined);
    if (missing.length) { say(t('eval_missing', { fields: missing.map((f) => t(`eval_${f}`)).join('、') }), true); return; }
    const body = {
      client_id: crypto.randomUUID(), person_id: id, assessed_on: day.value,
      guardian_name: guardian.value.trim() || null, guardian_age: guardianAge.value ? Number(guardianAge.value) : null,
      guardian_relation: relation.value.trim() || null, remarks: remarks.value.trim() || null,
      ...Object.fromEntries([...Object.keys(CHOICES), ...YES_NO].map((f) => [f, state[f] === undefined ? null : state[f]])),
    };
    await enqueue({
      url: '/api/assessments', method: 'POST', contentType: 'application/json', body, clientId: body.client_id,
      personId: id, label: `${t('evaluation')} · ${p.name}`,
    }, '#/evaluations');
  }

  show(`${t('evaluation')} · ${p.name}`,
    h('p', { class: 'muted' }, `${p.village_name} · ${t(`eval_sex_${p.sex}`)}`),
    h('label', { for: 'assessed-on' }, t('eval_assessed_on')), day,
    h('label', { for: 'guardian-name' }, t('eval_guardian_name')), guardian,
    h('label', { for: 'guardian-age' }, t('eval_guardian_age')), guardianAge,
    h('label', { for: 'guardian-relation' }, t('eval_guardian_relation')), relation,
    field('self_care_level'), field('housing'), field('living_environment'),
    field('quality_of_life', h('p', { class: 'muted eval-guide' }, cat.quality_of_life_guide)),
    field('care_quality', careNotes),
    yesNo('treated_promptly'), yesNo('subsidy_self_controlled'), yesNo('rights_infringed'),
    field('overall'), yesNo('wishes_centralised'),
    h('label', { for: 'remarks' }, t('eval_remarks')), remarks,
    h('p', {}, h('button', { class: 'primary', id: 'eval-submit', type: 'button', onclick: submit }, t('submit'))));
}

async function centralisationScreen() {
  const { data } = await cached('centralisation', '/api/reports/centralisation');
  show(t('centralisation'),
    h('h3', {}, data.title),
    h('table', { id: 'centralisation-table' }, h('thead', {}, h('tr', {}, data.headers.slice(1).map((x) => h('th', {}, x)))),
      h('tbody', {}, data.rows.map((r) => h('tr', {}, r.slice(1).map((x) => h('td', {}, String(x))))))),
    // a wish opens the township's task (on the alerts screen), whose button opens the move
    h('p', { class: 'row' }, h('a', { class: 'button', href: '#/alerts', id: 'centralisation-tasks' }, t('alerts')),
      h('a', { class: 'button', href: '#/care-homes', id: 'care-homes-from-centralisation' }, t('care_homes'))));
}

App.screen('evaluations', evaluationsScreen, { back: true, refreshOnFlush: true });
App.screen('evaluate', (arg) => evaluateScreen(Number(arg)), { back: true });
App.screen('centralisation', centralisationScreen, { back: true });
