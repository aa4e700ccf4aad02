/* 照应 — emergency relief (临时救助, seed 004 item 11) for township staff: the 补充说明 still owed, each
 * filed here, and the month's relief report with its spreadsheet; and, for the district, the
 * casework numbers it sets (statement days, evaluation interval, the 疑似虚报 rule). */
import { App } from './app.js';
import { API } from './api.js';
import { t } from './i18n.js';

const { h, show, say, fmtDate, guard, route, saveBlob } = App;

async function reliefScreen() {
  const pending = await API.get('/api/relief?pending=true');
  const month = h('input', { type: 'month', id: 'relief-month', value: new Date().toLocaleDateString('sv-SE').slice(0, 7) });
  const table = h('div', { id: 'relief-report' });
  async function load() {
    await guard(async () => {
      const r = await API.get(`/api/reports/relief?month=${month.value}`);
      table.replaceChildren(h('h3', {}, r.title), h('table', {},
        h('thead', {}, h('tr', {}, r.headers.slice(1).map((x) => h('th', {}, x)))),
        h('tbody', {}, r.rows.map((row) => h('tr', {}, row.slice(1).map((x) => h('td', {}, String(x))))))));
    });
  }
  const download = (format) => guard(async () => {
    const { blob, name } = await API.file(`/api/reports/relief?month=${month.value}&format=${format}`);
    saveBlob(blob, name || `relief-${month.value}.${format}`);
  });
  month.addEventListener('change', load);
  const cards = pending.map((r) => {
    const box = h('textarea', { rows: 3, maxlength: 1000, 'aria-label': t('relief_statement') });
    return h('div', { class: `card${r.statement_due < new Date().toLocaleDateString('sv-SE') ? ' overdue' : ''}`, 'data-relief': r.id },
      h('strong', {}, `${r.person_name || ''} · ${r.amount} ${t('yuan')}`),
      h('div', { class: 'muted' }, t('relief_line', { granted: fmtDate(r.granted_on), due: fmtDate(r.statement_due) })),
      h('label', {}, t('relief_statement')), box,
      h('p', {}, h('button', {
        class: 'primary',
        onclick: async () => {
          if (!box.value.trim()) { say(t('relief_statement_empty'), true); return; }
          await guard(async () => { await API.post(`/api/relief/${r.id}/statement`, { statement: box.value.trim() }); await route(); say(t('saved')); });
        },
      }, t('relief_file'))));
  });
  show(t('relief'),
    h('h3', {}, t('relief_pending', { n: pending.length })),
    cards.length ? cards : h('p', {}, t('relief_none_pending')),
    h('label', { for: 'relief-month' }, t('month')), month,
    h('p', { class: 'row' },
      h('button', { id: 'relief-csv', onclick: () => download('csv') }, 'CSV'),
      h('button', { id: 'relief-xlsx', onclick: () => download('xlsx') }, 'XLSX')),
    table);
  load();
}

const POLICY_FIELDS = [
  ['relief_statement_days', 1, 365], ['evaluation_interval_months', 1, 60],
  ['fraud_rejections', 2, 20], ['fraud_window_days', 7, 730], ['spot_check_percent', 0, 100],
];

async function policyScreen() {
  const current = await API.get('/api/casework/policy');
  const inputs = Object.fromEntries(POLICY_FIELDS.map(([name, min, max]) => [name, h('input', {
    type: 'number', id: `policy-${name}`, min, max, value: current[name], inputmode: 'numeric' })]));
  show(t('casework_policy'),
    POLICY_FIELDS.map(([name]) => [h('label', { for: `policy-${name}` }, t(`policy_${name}`)), inputs[name],
      h('p', { class: 'muted' }, t(`policy_${name}_why`))]),
    h('p', {}, h('button', {
      class: 'primary', id: 'policy-save',
      onclick: () => guard(async () => {
        await API.put('/api/casework/policy', Object.fromEntries(POLICY_FIELDS.map(([n]) => [n, Number(inputs[n].value)])));
        say(t('saved'));
      }),
    }, t('save'))));
}

App.screen('relief', reliefScreen, { back: true });
App.screen('casework-policy', policyScreen, { back: true });
