/* 照应 — reports from the field (主动发现, 投诉举报): anyone in the app reports someone in need, a
 * major change in a person's life, or a complaint. The report goes to the outbox at once, so it
 * works in a dead zone, and becomes a task for the township; "my reports" shows how each ended. */
import { App } from './app.js';
import { ZY } from './outbox.js';
import { t } from './i18n.js';

const { h, show, say, fmtTime, cached, enqueue } = App;

const SUBJECTS = {
  needs_help: ['needs_help'],
  major_change: ['death', 'hospital', 'moved', 'family'],
  complaint: ['rights_infringed', 'subsidy_not_controlled', 'caregiver_not_caring'],
};

function pressGroup(codes, labelOf, onPick, attr) {
  const buttons = codes.map((code) => h('button', {
    type: 'button', 'aria-pressed': 'false', [`data-${attr}`]: code,
    onclick: (e) => { for (const b of buttons) b.setAttribute('aria-pressed', String(b === e.currentTarget)); onPick(code); },
  }, labelOf(code)));
  return h('div', { class: 'choices' }, buttons);
}

async function reportScreen() {
  // the persons this user may see, kept for a dead zone; their villages for someone not on the roster
  const { data: persons } = await cached('report-persons', '/api/persons?page_size=200');
  const villages = [...new Map(persons.map((p) => [p.village_id, p.village_name])).entries()];
  const state = { category: null, subject: null };
  const subjectBox = h('div', { id: 'report-subjects' });
  const personSelect = h('select', { id: 'report-person' },
    h('option', { value: '' }, t('report_choose_person')),
    persons.map((p) => h('option', { value: p.id }, `${p.name} · ${p.village_name}`)),
    h('option', { value: 'new' }, t('report_new_person')));
  const newName = h('input', { type: 'text', id: 'report-new-name', maxlength: 50 });
  const newVillage = h('select', { id: 'report-new-village' }, villages.map(([id, name]) => h('option', { value: id }, name)));
  const newBox = h('div', { id: 'report-new', hidden: true },
    h('label', { for: 'report-new-name' }, t('report_new_name')), newName,
    h('label', { for: 'report-new-village' }, t('village')), newVillage);
  personSelect.addEventListener('change', () => { newBox.hidden = personSelect.value !== 'new'; });
  const description = h('textarea', { id: 'report-description', rows: 4, maxlength: 1000 });

  const categories = pressGroup(Object.keys(SUBJECTS), (c) => t(`report_cat_${c}`), (c) => {
    state.category = c;
    state.subject = SUBJECTS[c].length === 1 ? SUBJECTS[c][0] : null;
    subjectBox.replaceChildren(SUBJECTS[c].length === 1 ? ''
      : pressGroup(SUBJECTS[c], (s) => t(`report_subj_${s}`), (s) => { state.subject = s; }, 'subject'));
    // only someone in need may be named before they are on the roster
    personSelect.querySelector('option[value="new"]').hidden = c !== 'needs_help';
    if (c !== 'needs_help' && personSelect.value === 'new') { personSelect.value = ''; newBox.hidden = true; }
  }, 'category');

  async function submit() {
    if (!state.category || !state.subject) { say(t('report_need_kind'), true); return; }
    const body = { client_id: crypto.randomUUID(), category: state.category, subject: state.subject,
      description: description.value.trim() };
    let who;
    if (personSelect.value === 'new') {
      if (!newName.value.trim()) { say(t('report_need_person'), true); return; }
      Object.assign(body, { person_name: newName.value.trim(), village_id: Number(newVillage.value) });
      who = body.person_name;
    } else if (personSelect.value) {
      body.person_id = Number(personSelect.value);
      who = personSelect.selectedOptions[0].textContent;
    } else { say(t('report_need_person'), true); return; }
    if (!body.description) { say(t('report_need_description'), true); return; }
    await enqueue({
      url: '/api/field-reports', method: 'POST', contentType: 'application/json', body, clientId: body.client_id,
      label: `${t('report')} · ${t(`report_subj_${state.subject}`)} · ${who}`,
    }, '#/my-reports');
  }

  show(t('report'),
    h('p', { class: 'muted' }, t('report_intro')),
    h('label', {}, t('fr_kind')), categories, subjectBox,
    h('label', { for: 'report-person' }, t('report_who')), personSelect, newBox,
    h('label', { for: 'report-description' }, t('report_description')), description,
    h('p', {}, h('button', { class: 'primary', id: 'report-submit', type: 'button', onclick: submit }, t('submit'))));
}

async function myReportsScreen() {
  const { data, stale } = await cached('my-reports', '/api/field-reports/mine');
  const waiting = (await ZY.outbox.all()).filter((e) => e.url === '/api/field-reports');
  show(t('my_reports'),
    stale ? h('p', { class: 'muted' }, t('offline')) : null,
    h('p', {}, h('a', { class: 'button primary', href: '#/report', id: 'new-report' }, t('report'))),
    waiting.map((e) => h('div', { class: 'card', 'data-waiting': e.clientId },
      h('strong', {}, e.label), h('div', { class: 'muted' }, t('waiting_network')))),
    data.length || waiting.length ? data.map((r) => h('div', { class: 'card', 'data-report': r.id },
      h('strong', {}, r.title),
      h('div', { class: 'muted' }, `${fmtTime(r.created_at)} · ${r.description}`),
      h('div', { class: 'row' },
        h('span', { class: `tag ${r.status === 'resolved' ? 'green' : 'amber'}`, 'data-status': r.status },
          t(r.status === 'resolved' ? 'report_done' : 'report_in_hand')),
        r.outcome ? h('span', { class: 'report-outcome' }, `${t('outcome')}：${t(`outcome_${r.outcome}`)}`) : null)))
      : h('p', {}, t('no_reports')));
}

App.screen('report', reportScreen, { back: true });
App.screen('my-reports', myReportsScreen, { back: true, refreshOnFlush: true });
