/* 照应 — the periodic review (动态管理, seed 004 item 4) for staff: the campaign open now (March for
 * everyone, September again for B and C class 低保) or the last one, who is not reviewed yet —
 * overdue once the month is over — coverage per township, and a review recorded from the list. */
import { App } from './app.js';
import { API } from './api.js';
import { t } from './i18n.js';

const { h, show, say, guard, route } = App;
const METHODS = ['renewal_application', 'platform_check', 'home_survey'];
const RESULTS = ['continue', 'adjust', 'exit'];
const today = App.today; // Shanghai's day

function pendingCard(c, p) {
  const uid = `rv-${p.person_id}`;
  const method = h('select', { id: `${uid}-method` }, METHODS.map((m) => h('option', { value: m }, t(`rv_method_${m}`))));
  const result = h('select', { id: `${uid}-result` }, RESULTS.map((r) => h('option', { value: r }, t(`rv_result_${r}`))));
  const day = h('input', { type: 'date', id: `${uid}-on`, max: today(), value: today(), required: true });
  const note = h('textarea', { id: `${uid}-note`, rows: 2, maxlength: 500 });
  const card = h('form', {
    class: `card${c.overdue ? ' overdue' : ''}`, 'data-person': p.person_id,
    onsubmit: async (e) => {
      e.preventDefault();
      if (result.value === 'exit' && !note.value.trim()) { say(t('rv_exit_needs_note'), true); return; }
      await guard(async () => {
        await API.post('/api/reviews', {
          person_id: p.person_id, campaign: c.campaign, method: method.value, result: result.value,
          reviewed_on: day.value, note: note.value.trim() || null,
        });
        await route();
        say(t('rv_saved', { name: p.name }));
      });
    },
  },
  h('h3', {}, p.name),
  h('div', { class: 'muted' }, `${p.village_name} · ${t(`rv_category_${p.assistance_category}`)}${p.dibao_class ? ` ${p.dibao_class}${t('rv_class')}` : ''}`),
  h('label', { for: method.id }, t('rv_method')), method,
  h('label', { for: result.id }, t('rv_result')), result,
  h('label', { for: day.id }, t('rv_on')), day,
  h('label', { for: note.id }, t('note')), note,
  h('p', {}, h('button', { type: 'submit', class: 'primary' }, t('rv_save'))));
  return card;
}

async function reviewScreen() {
  const c = await API.get('/api/reviews');
  const state = c.open ? h('span', { class: 'tag amber', id: 'rv-state' }, t('rv_open', { date: c.ends_on }))
    : h('span', { class: 'tag red', id: 'rv-state' }, t('rv_overdue', { date: c.ends_on }));
  show(t('rv_title', { campaign: c.campaign }),
    h('p', { class: 'row' }, h('span', {}, t(c.yearly ? 'rv_yearly' : 'rv_half_year')), state),
    c.coverage.map((row) => h('div', { class: 'card', 'data-township': row.township_id },
      h('strong', {}, row.name),
      h('div', {}, t('rv_coverage', { due: row.due, reviewed: row.reviewed, pct: row.due ? Math.round((100 * row.reviewed) / row.due) : 0 })))),
    h('h3', { id: 'rv-pending-title' }, t(c.overdue ? 'rv_overdue_list' : 'rv_pending', { n: c.not_reviewed.length })),
    h('div', { id: 'rv-pending' }, c.not_reviewed.length ? c.not_reviewed.map((p) => pendingCard(c, p)) : h('p', {}, t('rv_all_done'))),
    h('h3', {}, t('rv_done', { n: c.reviewed.length })),
    h('div', { id: 'rv-done' }, c.reviewed.map((r) => h('div', { class: 'card', 'data-reviewed': r.person_id },
      h('strong', {}, r.name),
      h('div', {}, `${r.reviewed_on} · ${t(`rv_method_${r.method}`)} · ${t(`rv_result_${r.result}`)}`),
      h('div', { class: 'muted' }, r.reviewed_by)))));
}

App.screen('reviews', reviewScreen, { back: true });
