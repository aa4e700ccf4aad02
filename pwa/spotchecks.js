/* 照应 — 重点抽查、随机暗访 (seed 003 三(四)) for staff: the verified visits of a month drawn at random
 * for a call-back, each with whom to call (the person, the caregiver) and what was recorded; staff
 * record 属实, or 不属实 with what the call found — the visit is then rejected, the caregiver told,
 * and the 疑似虚报 rule counts it. The district sees each township's counts and opens one at a time. */
import { App } from './app.js';
import { API } from './api.js';
import { ZY } from './db.js';
import { t } from './i18n.js';

const { h, show, say, fmtTime, fmtMonth, monthFrom, guard, loadCatalogue, showErrors, clearErrors } = App;

const tel = (phone, key, id) => (phone ? h('a', { class: 'button', href: `tel:${phone}`, id }, t(key, { phone })) : null);

function outcomeTag(c) {
  return c.outcome === 'true' ? h('span', { class: 'tag green sc-outcome' }, t('sc_true'))
    : c.outcome === 'false' ? h('span', { class: 'tag red sc-outcome' }, t('sc_false'))
      : h('span', { class: 'tag amber sc-outcome' }, t('sc_pending'));
}

/** One drawn visit: whom to call, what the visit says was done, and the call-back's result (or its form). */
function checkCard(c, cat, onSaved) {
  const label = (code) => ((cat.services || []).find((s) => s.code === code) || {}).label || code;
  const reasons = (cat.review_reasons || []).filter((r) => ['not_at_home', 'service_not_done'].includes(r.code));
  const head = [
    h('div', { class: 'row' }, h('strong', {}, `${c.person_name} · ${c.village}`), outcomeTag(c)),
    h('div', { class: 'muted' }, `${fmtTime(c.started_at)} · ${t(`mode_${c.mode}`)} · ${t('sc_caregiver', { name: c.caregiver_name || '' })}`),
    c.services.length ? h('div', {}, `${t('sc_services')}：${c.services.map(label).join('、')}`) : null,
  ];
  if (c.outcome) {
    const why = c.reason ? (reasons.find((r) => r.code === c.reason) || {}).label : null;
    return h('div', { class: 'card', 'data-check': c.id }, head,
      why ? h('div', {}, why) : null, c.note ? h('div', { class: 'muted' }, `${t('sc_note')}：${c.note}`) : null);
  }
  const state = { outcome: null, reason: null };
  const pick = (buttons, key, value) => {
    state[key] = value;
    for (const b of buttons) b.setAttribute('aria-pressed', String(b.dataset.value === value));
    clearErrors();
    untrueBox.hidden = state.outcome !== 'false';
  };
  const outcomes = ['true', 'false'].map((o) => h('button', {
    type: 'button', 'aria-pressed': 'false', 'data-value': o, class: 'sc-choice',
    onclick: () => pick(outcomes, 'outcome', o),
  }, t(`sc_${o}`)));
  const reasonButtons = reasons.map((r) => h('button', {
    type: 'button', 'aria-pressed': 'false', 'data-value': r.code, class: 'sc-reason',
    onclick: () => pick(reasonButtons, 'reason', r.code),
  }, r.label));
  const note = h('textarea', { rows: 2, maxlength: 500, class: 'sc-note', placeholder: t('sc_note_hint'), 'aria-label': t('sc_note') });
  const outcomeRow = h('div', { class: 'choices' }, outcomes);
  const reasonRow = h('div', { class: 'choices' }, reasonButtons);
  const untrueBox = h('div', { hidden: true }, h('label', {}, t('sc_reason')), reasonRow,
    h('p', { class: 'warn' }, t('sc_false_next')));
  const save = h('button', { class: 'primary sc-save', type: 'button' }, t('sc_save'));
  const card = h('div', { class: 'card', 'data-check': c.id }, head,
    h('p', { class: 'row' }, tel(c.person_phone, 'sc_call_person'), tel(c.caregiver_phone, 'sc_call_caregiver')),
    h('label', {}, t('sc_found')), outcomeRow, untrueBox, h('label', {}, t('sc_note')), note, h('p', {}, save));
  save.onclick = () => guard(async () => {
    const errors = [];
    if (!state.outcome) errors.push([outcomeRow, t('sc_need_outcome')]);
    if (state.outcome === 'false' && !state.reason) errors.push([reasonRow, t('sc_need_reason')]);
    if (state.outcome === 'false' && !note.value.trim()) errors.push([note, t('sc_need_note')]);
    if (showErrors(errors)) return;
    const saved = await API.post(`/api/spot-checks/${c.id}`, {
      outcome: state.outcome, reason: state.outcome === 'false' ? state.reason : null, note: note.value.trim() || null,
    });
    card.replaceWith(checkCard(saved, cat, onSaved));
    say(t('sc_saved'));
    onSaved();
  });
  return card;
}

async function spotChecksScreen() {
  const cat = await loadCatalogue();
  const admin = ((await ZY.kv.get('user')) || {}).role === 'district_admin';
  const month = h('input', { type: 'month', id: 'sc-month', value: monthFrom(-1), max: monthFrom(-1) });
  const township = h('select', { id: 'sc-township' });
  const intro = h('p', { class: 'muted', id: 'sc-intro' });
  const summary = h('div', { class: 'scroll', id: 'sc-summary' });
  const list = h('div', { id: 'sc-list' });

  async function load() {
    await guard(async () => {
      const q = new URLSearchParams({ month: month.value });
      if (township.value) q.set('place_id', township.value);
      // the district opens one township at a time: the month's counts first
      const r = await API.get(`/api/spot-checks?${q}`);
      // the share the month was drawn at (a record), not today's setting
      intro.textContent = r.percent === null ? t('sc_none', { month: fmtMonth(r.month) })
        : t('sc_intro', { percent: r.percent, month: fmtMonth(r.month) });
      if (admin && !township.value) {  // each township with how many wait for a call-back
        township.replaceChildren(h('option', { value: '' }, t('sc_choose_township')),
          ...r.townships.map((x) => h('option', { value: x.place_id }, t('sc_option', { name: x.name, n: x.drawn - x.checked }))));
      }
      summary.replaceChildren(r.townships.length ? h('table', {},
        h('thead', {}, h('tr', {}, ['sc_col_township', 'sc_col_drawn', 'sc_col_checked', 'sc_col_untrue'].map((k) => h('th', {}, t(k))))),
        h('tbody', {}, r.townships.map((x) => h('tr', { 'data-township': x.place_id },
          h('td', {}, x.name), h('td', {}, String(x.drawn)), h('td', {}, String(x.checked)), h('td', {}, String(x.untrue))))))
        : null);
      const shown = admin && !township.value ? [] : r.checks;
      list.replaceChildren(...shown.map((c) => checkCard(c, cat, load)));
    });
  }
  month.addEventListener('change', () => { township.value = ''; load(); });
  township.addEventListener('change', load);
  show(t('sc_title'), intro,
    h('label', { for: 'sc-month' }, t('month')), month,
    admin ? [h('label', { for: 'sc-township' }, t('sc_township')), township] : null,
    summary, list);
  await load();
}

App.screen('spot-checks', spotChecksScreen, { back: true });
