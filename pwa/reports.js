/* 照应 — the report centre: a report of server/reports (annex 1, coverage, agreements, volunteer
 * teams, care homes, the care homes' top-up) for a month (closed or not, said beside it) and a place, downloaded as CSV or
 * XLSX on the phone. */
import { App } from './app.js';
import { API } from './api.js';
import { ZY } from './db.js';
import { t } from './i18n.js';
import { Months } from './coverage.js';

const { h, show, say, guard } = App;

// name → whether it is for a month (annex 1 and the 失能 share are a count as of today; annex 2 counts
// the care homes' residents on the month's last day)
const REPORTS = [['coverage', true], ['agreements', true], ['annex1', false], ['volunteers', true], ['care-homes', true],
  ['disabled-centralised', false], ['care-topup', true]];

async function reportsScreen() {
  const me = await ZY.kv.get('user');
  const [home, children, { months }] = await Promise.all([
    API.get(`/api/places/${me.place_id}`),
    API.get(`/api/places?parent_id=${me.place_id}`).catch(() => []),
    API.get('/api/months').catch(() => ({ months: [] })),
  ]);
  const field = (id, label, control) => [h('label', { for: id }, label), control];
  const report = h('select', { id: 'report-name' },
    REPORTS.map(([name]) => h('option', { value: name }, t(`report_${name.replaceAll('-', '_')}`))));
  // this month first, then the twelve before it, each closed (已结算, when) or not
  const month = h('select', { id: 'report-month', 'aria-describedby': 'report-month-hint' },
    months.map((m) => h('option', { value: m.month }, Months.label(m))));
  const placeOptions = [home, ...(home.level === 'district' ? children : [])];
  const place = h('select', { id: 'report-place' },
    placeOptions.map((p) => h('option', { value: p.id }, p.id === home.id ? t('whole_place', { place: p.name }) : p.name)));
  const monthHint = h('p', { class: 'muted', id: 'report-month-hint' });
  // what the figures of the month chosen will be: the close's record, or counted at the download
  const sync = () => {
    const monthly = REPORTS.find(([n]) => n === report.value)[1];
    const m = months.find((x) => x.month === month.value);
    month.disabled = !monthly;
    monthHint.textContent = !monthly ? t('report_not_monthly')
      : m && m.state === 'closed' ? t('report_closed', { date: App.fmtDay(m.closed_at) }) : t('report_counted');
  };
  report.addEventListener('change', sync);
  month.addEventListener('change', sync);
  sync();
  const done = h('p', { id: 'report-done', class: 'muted', 'aria-live': 'polite' });
  async function download(format) {
    const q = new URLSearchParams({ format, place_id: place.value });
    if (!month.disabled && month.value) q.set('month', month.value);
    await guard(async () => {
      say(t('report_preparing'));
      const { blob, name } = await API.file(`/api/reports/${report.value}?${q}`);
      const url = URL.createObjectURL(blob);
      const a = h('a', { href: url, download: name || `${report.value}.${format}`, hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
      say('');
      done.textContent = t('report_saved', { name: name || `${report.value}.${format}` });
    });
  }
  show(t('reports'),
    h('p', {}, t('reports_intro')),
    field('report-name', t('report_kind'), report),
    field('report-month', t('month'), month), monthHint,
    field('report-place', t('place'), place),
    h('div', { class: 'row actions' },
      h('button', { class: 'primary', id: 'download-xlsx', onclick: () => download('xlsx') }, t('download_xlsx')),
      h('button', { class: 'primary', id: 'download-csv', onclick: () => download('csv') }, t('download_csv'))),
    done);
}

App.screen('reports', reportsScreen, { back: true });
