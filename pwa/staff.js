/* 照应 — the township staff's screens: visit exceptions to review (with what a reviewer weighs:
 * the caregiver, the duration, the distance from home, the photos full-size, reasons that answer
 * the exception), alerts to act on (the visit's note and observations, whom to call), and a
 * dashboard of the last year. Coverage is in coverage.js, the district home in district.js, the
 * report centre in reports.js. The district admin uses these screens too. */
import { App } from './app.js';
import { API } from './api.js';
import { ZY } from './db.js';
import { t } from './i18n.js';
import { Coverage, callButton } from './coverage.js';

const { h, show, say, fmtTime, fmtDay, cached, loadCatalogue, guard, commonLinks } = App;
const QUEUE_PAGE = 20; // lines of the review queue a page: a phone's screenful or two

/** A photo shown full-size over the page (tap the thumbnail; 关闭 or Esc closes it). */
async function openPhoto(url, opener) {
  let src;
  try { src = await API.imageUrl(url); } catch (e) { say(t('photo_unavailable'), true); return; }
  const close = () => { viewer.remove(); document.removeEventListener('keydown', onKey); opener.focus(); };
  const onKey = (e) => { if (e.key === 'Escape') close(); };
  const closeBtn = h('button', { class: 'primary', onclick: close }, t('close'));
  const viewer = h('div', { class: 'viewer', role: 'dialog', 'aria-modal': 'true', 'aria-label': t('photo_full') },
    h('img', { src, alt: t('photo_full') }), closeBtn);
  document.addEventListener('keydown', onKey);
  document.body.append(viewer);
  closeBtn.focus();
}

/** The thumbnails of a visit, each a button opening the photo full-size. */
function photoButtons(photos) {
  const box = h('div', { class: 'thumbs' });
  photos.forEach(async (ph) => {
    if (ph.purged_at) return;
    const btn = h('button', { class: 'thumb', 'aria-label': t('photo_enlarge') });
    btn.addEventListener('click', () => openPhoto(ph.url, btn));
    box.append(btn);
    try { btn.append(h('img', { src: await API.imageUrl(ph.thumb_url), alt: '' })); } catch (e) { btn.remove(); }
  });
  return box;
}

/** The facts a reviewer weighs, in plain words. */
function visitFacts(v) {
  const secs = v.duration_seconds;
  let duration;
  // to the second while it is short (the shortest visit that counts is minutes), in whole minutes after
  if (secs === null || secs === undefined) duration = t('duration_unknown');
  else if (secs < 60) duration = t('duration_seconds', { n: secs });
  else if (secs < 600 && secs % 60) duration = t('duration_min_sec', { m: Math.floor(secs / 60), s: secs % 60 });
  else duration = t('duration_minutes', { n: Math.floor(secs / 60) });
  let distance;
  if (v.lat === null || v.lat === undefined) distance = t('distance_no_gps');
  else if (v.distance_from_home_m === null || v.distance_from_home_m === undefined) distance = t('distance_no_home');
  else distance = t('distance_m', { n: Math.round(v.distance_from_home_m) });
  return h('dl', { class: 'facts' },
    h('dt', {}, t('caregiver')), h('dd', { class: 'caregiver' }, v.caregiver_name || '—'),
    h('dt', {}, t('visit_time')), h('dd', {}, fmtTime(v.started_at)),
    h('dt', {}, t('duration')), h('dd', { class: 'duration' }, duration),
    h('dt', {}, t('distance')), h('dd', { class: 'distance' }, distance),
    v.caregiver_month ? [h('dt', {}, t('caregiver_month')),
      h('dd', { class: 'caregiver-month' }, t('caregiver_month_counts', v.caregiver_month))] : null);
}

/** The reasons that answer this visit's exceptions (a reason with no list answers any). */
function reasonsFor(cat, exceptions) {
  return cat.review_reasons.filter((r) => !r.answers.length || r.answers.some((c) => exceptions.includes(c)));
}

/** A visit to review, inside its queue line once opened: the facts, then 通过 and 不通过 side by
 * side with nothing chosen — the reasons offered are the chosen decision's that answer this
 * visit's exceptions. `done(decision)` follows a review the server stored. */
function reviewCard(cat, v, done) {
  const label = (list, code) => (list.find((x) => x.code === code) || { label: code }).label;
  const fitting = reasonsFor(cat, v.verification.exceptions);
  const byCode = Object.fromEntries(fitting.map((r) => [r.code, r]));
  const selectId = `reason-${v.id}`;
  const noteId = `review-note-${v.id}`;
  const errorId = `review-error-${v.id}`;
  const placeholder = (key) => h('option', { value: '', disabled: true, selected: true }, t(key));
  const reason = h('select', { id: selectId, name: 'reason', disabled: true, 'aria-describedby': errorId },
    placeholder('review_choose_decision_first'));
  const decisions = ['accept', 'reject'].map((d) => h('label', { class: `decision ${d}` },
    h('input', { type: 'radio', name: `decision-${v.id}`, value: d }), t(d)));
  const chosen = () => (decisions.map((l) => l.firstChild).find((i) => i.checked) || {}).value;
  const note = h('textarea', { id: noteId, rows: 2, maxlength: 500, 'aria-describedby': `${noteId}-error` });
  const noteLabel = h('label', { for: noteId }, t('review_note'));
  const noteError = h('p', { class: 'field-error', id: `${noteId}-error`, role: 'alert', hidden: true });
  const error = h('p', { class: 'field-error', id: errorId, role: 'alert', hidden: true });
  const submit = h('button', { type: 'button', class: 'review-submit primary' }, t('review_submit'));
  const syncNote = () => {
    const r = byCode[reason.value];
    noteLabel.textContent = r && r.note_required ? t('review_note_required') : t('review_note');
    note.required = Boolean(r && r.note_required);
  };
  for (const l of decisions) {
    l.firstChild.addEventListener('change', () => {
      const d = chosen();
      reason.replaceChildren(placeholder('review_choose_reason'),
        ...fitting.filter((r) => r.decision === d).map((r) => h('option', { value: r.code }, r.label)));
      reason.disabled = false;
      submit.textContent = t(d === 'accept' ? 'review_submit_accept' : 'review_submit_reject');
      submit.className = `review-submit ${d === 'accept' ? 'primary' : 'danger'}`;
      error.hidden = true;
      noteError.hidden = true;
      syncNote();
    });
  }
  reason.addEventListener('change', () => { syncNote(); error.hidden = true; noteError.hidden = true; });
  const card = h('div', { class: 'review' },
    h('div', {}, v.verification.exceptions.map((c) => h('span', { class: 'tag red', 'data-exception': c }, label(cat.exceptions, c)))),
    visitFacts(v),
    h('p', { class: 'row' }, callButton(v.caregiver_phone, t('call_caregiver'))),
    photoButtons(v.photos),
    h('fieldset', { class: 'decisions' }, h('legend', {}, t('review_decision')), decisions),
    h('label', { for: selectId }, t('reason')), reason, error,
    noteLabel, note, noteError,
    h('p', {}, submit));
  submit.addEventListener('click', async () => {
    const r = byCode[reason.value];
    const text = note.value.trim();
    error.hidden = true;
    noteError.hidden = true;
    if (!chosen() || !r) {
      error.textContent = t(chosen() ? 'review_choose_reason' : 'review_choose_decision');
      error.hidden = false;
      (chosen() ? reason : decisions[0].firstChild).focus();
      return;
    }
    if (r.note_required && !text) {
      noteError.textContent = t('review_note_missing');
      noteError.hidden = false;
      note.focus();
      return;
    }
    await guard(async () => {
      try {
        await API.post(`/api/visits/${v.id}/review`, { decision: r.decision, reason_code: r.code, note: text || null });
      } catch (err) {
        const errors = (err.body && err.body.errors) || {};
        if (err.status === 422 && errors.note) {
          noteError.textContent = err.message;
          noteError.hidden = false;
          note.focus();
          return;
        }
        throw err;
      }
      done(r.decision);
    });
  });
  return card;
}

/** One line of the queue: whom, where, when, why — opened, the visit to review (its photos are
 * fetched then, not for every line). Reviewed, it says so in place. */
function queueItem(cat, v, reviewed) {
  const why = (cat.exceptions.find((x) => x.code === v.verification.exceptions[0]) || { label: '' }).label;
  const more = v.verification.exceptions.length > 1 ? ` +${v.verification.exceptions.length - 1}` : '';
  const item = h('details', { class: 'card queue-item', 'data-visit': v.id },
    h('summary', {},
      h('span', { class: 'line' }, h('strong', { class: 'who' }, v.person_name),
        h('span', { class: 'when' }, fmtDay(v.started_at))),
      h('span', { class: 'line' }, h('span', { class: 'where' }, [v.township, v.village].filter(Boolean).join(' ')),
        h('span', { class: 'kinds' }, `${why}${more}`))));
  item.addEventListener('toggle', () => {
    if (!item.open || item.dataset.built) return;
    item.dataset.built = '1';
    item.append(reviewCard(cat, v, (decision) => {
      const line = h('div', { class: 'card queue-item done', 'data-visit': v.id },
        h('strong', { tabindex: -1 }, `${v.person_name} · ${t('reviewed')} · ${t(decision)}`));
      item.replaceWith(line);
      line.firstChild.focus();
      reviewed();
    }));
  });
  return item;
}

/** The review queue: the visits waiting, the longest waiting first, a page at a time (the API's
 * cursor), each a line until opened; the district filters by township, anyone by exception, and
 * each choice says how many wait (issue 28 problem 3). */
async function reviewQueue() {
  // the catalogue, the counts and the first page asked for at once (a round trip each on a weak link)
  const counted = API.get('/api/visits/queue');
  const firstPage = API.page(`/api/visits?status=exception&order=oldest&page_size=${QUEUE_PAGE}`);
  counted.catch(() => {}); firstPage.catch(() => {}); // each is awaited below; an early refusal is not unhandled
  const [cat, user] = await Promise.all([loadCatalogue(), ZY.kv.get('user')]);
  const district = (user || {}).role === 'district_admin';
  const state = { place: '', kind: '', after: null, seq: 0, counts: null, names: {} };
  const heading = h('h2', { id: 'queue-heading' }, t('exceptions'));
  const township = h('select', { id: 'queue-township', name: 'township' });
  const kind = h('select', { id: 'queue-kind', name: 'exception' });
  const list = h('div', { class: 'queue', id: 'queue', 'aria-live': 'polite' });
  const empty = h('p', { id: 'queue-empty', hidden: true }, t('no_exceptions'));
  const more = h('button', { type: 'button', id: 'queue-more', hidden: true }, t('queue_more'));
  const shown = h('p', { class: 'muted', id: 'queue-shown' });
  const opt = (value, text, n) => h('option', { value: String(value) }, t('queue_option', { name: text, n }));

  function drawCounts() {
    const c = state.counts;
    heading.textContent = t('queue_heading', { n: c.pending });
    township.replaceChildren(opt('', t('queue_all_townships'), c.pending),
      ...c.townships.map((tw) => opt(tw.place_id, tw.name, tw.pending)));
    for (const tw of c.townships) state.names[String(tw.place_id)] = tw.name;
    if (state.place && !c.townships.some((tw) => String(tw.place_id) === state.place)) {
      township.append(opt(state.place, state.names[state.place] || '', 0)); // its last one reviewed
    }
    township.value = state.place;
    const tw = c.townships.find((x) => String(x.place_id) === state.place);
    const kinds = state.place ? (tw ? tw.kinds : {}) : c.kinds;
    const total = state.place ? (tw ? tw.pending : 0) : c.pending;
    kind.replaceChildren(opt('', t('queue_all_kinds'), total),
      ...cat.exceptions.filter((x) => kinds[x.code] || x.code === state.kind)
        .map((x) => opt(x.code, x.label, kinds[x.code] || 0)));
    kind.value = state.kind;
  }
  async function loadCounts(started) {
    state.counts = await (started || API.get('/api/visits/queue'));
    drawCounts();
  }
  async function loadPage(reset, started) {
    const seq = reset ? ++state.seq : state.seq;
    const q = new URLSearchParams({ status: 'exception', order: 'oldest', page_size: String(QUEUE_PAGE) });
    if (state.place) q.set('place_id', state.place);
    if (state.kind) q.set('exception', state.kind);
    if (!reset && state.after) q.set('after', state.after);
    more.disabled = true;
    try {
      const { data, next } = await (started || API.page(`/api/visits?${q}`));
      if (seq !== state.seq) return; // a later choice has been made since: its page is drawn
      if (reset) list.replaceChildren();
      list.append(...data.map((v) => queueItem(cat, v, reviewed)));
      state.after = next;
      more.hidden = !next;
      empty.hidden = list.childElementCount > 0;
      shown.textContent = t('queue_shown', { n: list.querySelectorAll('details.queue-item').length });
    } finally {
      more.disabled = false;
    }
  }
  function reviewed() { guard(() => loadCounts()); }
  township.addEventListener('change', () => { state.place = township.value; state.kind = ''; drawCounts(); guard(() => loadPage(true)); });
  kind.addEventListener('change', () => { state.kind = kind.value; guard(() => loadPage(true)); });
  more.addEventListener('click', () => guard(() => loadPage(false)));
  try {
    await Promise.all([loadCounts(counted), loadPage(true, firstPage)]);
  } catch (err) {
    if (err.status === 401) throw err;
    return [heading, h('p', { class: 'field-error', role: 'alert' }, err.message)];
  }
  return [heading,
    h('div', { class: 'filters' },
      district ? h('div', {}, h('label', { for: 'queue-township' }, t('queue_township')), township) : null,
      h('div', {}, h('label', { for: 'queue-kind' }, t('queue_kind')), kind)),
    list, empty, shown, h('p', {}, more)];
}

/** The staff screens, one tap each: the township staff's home and the district admin's show them,
 * each with what waits behind it — alerts not resolved (red when one is past its deadline), visits
 * to review, this period's campaign persons not done, persons not yet reviewed (issue 28 problem 6). */
async function staffTiles() {
  const admin = ((await ZY.kv.get('user')) || {}).role === 'district_admin';
  let b = null;
  try { b = (await cached('badges', '/api/reports/badges')).data; } catch (err) { if (err.status === 401) throw err; }
  const badge = (n, label, urgent) => (b && n ? h('span', { class: `count${urgent ? ' urgent' : ''}`, title: label }, String(n)) : null);
  const tile = (href, id, key, n, label, urgent) => h('a', { class: 'button primary', href, id }, t(key), badge(n, label, urgent));
  const n = b || { campaigns: {} };
  const due = (n.campaigns.cleanup || 0) + (n.campaigns.health_check || 0);
  return [
    h('nav', { class: 'tiles' },
      h('a', { class: 'button primary', href: '#/coverage' }, t('coverage')),
      tile('#/alerts', 'alerts-link', 'alerts', n.alerts, t('badge_alerts', { n: n.alerts, overdue: n.alerts_overdue }), n.alerts_overdue),
      tile('#/exceptions', 'exceptions-link', 'queue_tile', n.exceptions_waiting, t('badge_exceptions', { n: n.exceptions_waiting })),
      h('a', { class: 'button primary', href: '#/reports', id: 'reports-link' }, t('reports')),
      h('a', { class: 'button primary', href: '#/dashboard', id: 'dashboard-link' }, t('dashboard')),
      h('a', { class: 'button primary', href: '#/import', id: 'import-link' }, t('imp_title')),
      h('a', { class: 'button primary', href: '#/services', id: 'services-link' }, t('svc_title')),
      tile('#/campaigns', 'campaigns-link', 'cmp_title', due, t('badge_campaigns', { n: due })),
      tile('#/reviews', 'reviews-link', 'rv_link', n.reviews, t('badge_reviews', { n: n.reviews }), n.reviews_overdue),
      h('a', { class: 'button primary', href: '#/roster', id: 'roster-link' }, t('lc_title')),
      h('a', { class: 'button primary', href: '#/quota-policy', id: 'policy-link' }, t('pol_title')),
      h('a', { class: 'button primary', href: '#/local-numbers', id: 'local-numbers-link' }, t('local_numbers')),
      h('a', { class: 'button primary', href: '#/pairing', id: 'pairing-link' }, t('pairing')),
      h('a', { class: 'button primary', href: '#/festivals', id: 'festivals-link' }, t('festivals')),
      h('a', { class: 'button primary', href: '#/visit-rates', id: 'visit-rates-link' }, t('rates_title')),
      h('a', { class: 'button primary', href: '#/person-groups', id: 'person-groups-link' }, t('cat_groups_link')),
      h('a', { class: 'button primary', href: '#/evaluations', id: 'evaluations-link' }, t('evaluations')),
      h('a', { class: 'button primary', href: '#/care-homes', id: 'care-homes-link' }, t('care_homes')),
      h('a', { class: 'button primary', href: '#/relief', id: 'relief-link' }, t('relief')),
      h('a', { class: 'button primary', href: '#/intake', id: 'intake-link' }, t('intake_link')),
      h('a', { class: 'button primary', href: '#/agreements', id: 'agreements-link' }, t('agreements_link')),
      tile('#/spot-checks', 'spot-checks-link', 'sc_title', n.spot_checks, t('badge_spot_checks', { n: n.spot_checks }))),
    admin
      ? h('p', {}, h('a', { class: 'button', href: '#/casework-policy', id: 'casework-policy-link' }, t('casework_policy'))) : null,
  ];
}

async function staffHome() {
  // the tiles' counts and the queue are asked for at once: on a weak link each round trip counts
  const [tiles, queue] = await Promise.all([staffTiles(), reviewQueue()]);
  show(t('staff_home'), tiles, queue, commonLinks());
}

/** The review queue alone (the district home links here). */
async function exceptionsScreen() {
  show(t('exceptions'), await reviewQueue());
}

async function dashboardScreen() {
  const { data } = await cached('dashboard', '/api/reports/dashboard');
  // a closed month (✓) is its record; the live month is as last counted
  const coverage = data.months.map((m) => ({ month: m.month, value: m.active ? m.visited / m.active : 0, closed: m.state === 'closed' }));
  const alerts = data.months.map((m) => ({ month: m.month, value: m.alerts }));
  const now = data.months[data.months.length - 1];
  show(t('dashboard'),
    h('p', { class: 'muted' }, data.name),
    h('h2', {}, t('coverage_12')),
    Coverage.barChart(coverage, { label: t('coverage_12'), valueText: (p) => `${Math.round(p.value * 100)}` }),
    h('p', { class: 'muted', id: 'dashboard-closed' }, t('closed_mark')),
    now ? h('p', { id: 'dashboard-now' }, `${t('this_month')}：${t('cov_visited', now)} · ${Coverage.stateText(now)}`) : null,
    h('h2', {}, t('alerts_12')),
    Coverage.barChart(alerts, { label: t('alerts_12'), color: '#b71c1c', top: Math.max(1, ...alerts.map((p) => p.value)) }));
}

// ---- alerts ----------------------------------------------------------------------------------


function alertContext(ctx) {
  if (!ctx) return null;
  const p = ctx.person;
  const visit = ctx.visit;
  return h('div', { class: 'context' },
    h('dl', { class: 'facts' },
      h('dt', {}, t('person_served')), h('dd', {}, p.village ? `${p.name} · ${p.village}` : p.name),
      h('dt', {}, t('address')), h('dd', { class: 'address' }, p.address || '—'),
      h('dt', {}, t('caregiver')), h('dd', { class: 'caregiver' }, ctx.caregiver ? ctx.caregiver.name : t('no_caregiver'))),
    h('p', { class: 'row' },
      callButton(p.phone, t('call_person'), { 'data-call': 'person' }),
      ctx.caregiver ? callButton(ctx.caregiver.phone, t('call_caregiver'), { 'data-call': 'caregiver' }) : null),
    visit ? h('div', { class: 'visit-seen' },
      h('h4', {}, t('alert_visit', { time: fmtTime(visit.started_at), name: visit.caregiver_name || '' })),
      visit.note ? h('blockquote', { class: 'visit-note' }, visit.note) : h('p', { class: 'muted' }, t('no_note')),
      h('ul', { class: 'observations' }, visit.observations.map((o) => h('li', { class: o.concern ? 'concern' : '' },
        `${t(`obs_${o.field}`)}：${o.label}`, o.concern ? h('span', { class: 'tag red' }, t('concern')) : null))),
      visit.caregiver_phone && (!ctx.caregiver || ctx.caregiver.phone !== visit.caregiver_phone)
        ? h('p', { class: 'row' }, callButton(visit.caregiver_phone, t('call_visitor'))) : null) : null);
}

/** Who reported a field report, and their words (the alert's summary), with a call. */
function reportedBy(a) {
  if (!a.reported_by) return null;
  const r = a.reported_by;
  return h('div', { class: 'reported' },
    h('p', { class: 'reporter' }, t('alert_reported_by', { name: r.name, role: t(`role_${r.role}`) })),
    a.detail && a.detail.summary ? h('blockquote', { class: 'report-words' }, a.detail.summary) : null,
    h('p', { class: 'row' }, callButton(r.phone, t('call_reporter'), { 'data-call': 'reporter' })));
}

/** An event of the alert, in words: when, what, by whom, the note. */
const eventLine = (e) => `${fmtTime(e.at)} ${t(`event_${e.kind}`)}${e.user_name ? t('by_whom', { name: e.user_name }) : ''}${e.note ? `：${e.note}` : ''}`;

function alertCard(a, office) {
  const level = t(`level_${a.level}`, { office });
  if (a.detail && a.detail.closed_by && a.status !== 'resolved') {
    // a relief's 补充说明: filed on the relief screen, which closes it
    return h('a', { class: `card${a.level === 'district' ? ' overdue' : ''}`, href: '#/relief', 'data-alert': a.id },
      h('h3', {}, a.title), h('span', { class: `tag ${a.level === 'district' ? 'red' : 'amber'}` }, level));
  }
  const done = a.status === 'resolved';
  const acked = [...a.events].reverse().find((e) => e.kind === 'acknowledged');
  const overdue = a.status === 'open' && new Date(a.sla_due_at) <= new Date();
  const due = `${App.fmtDay(a.sla_due_at)} ${App.fmtClock(a.sla_due_at)}`;
  const head = [
    h('h3', {}, a.title),
    h('div', { class: 'row' },
      h('span', { class: `tag ${a.level === 'district' ? 'red' : 'amber'}` }, level),
      h('span', { class: 'tag green alert-status' },
        a.status === 'acknowledged' && acked && acked.user_name ? t('alert_acknowledged_by', { name: acked.user_name }) : t(`alert_${a.status}`)),
      overdue ? h('span', { class: 'tag red' }, t('sla_overdue')) : null),
    done
      ? h('p', { class: 'outcome-done' }, t('alert_outcome_was', { outcome: t(`outcome_${a.outcome}`), date: `${App.fmtDay(a.resolved_at)} ${App.fmtClock(a.resolved_at)}` }))
      : h('p', { class: `sla${overdue ? ' late' : ''}` }, t(overdue ? 'alert_due_was' : 'alert_due', { due })),
    reportedBy(a),
    alertContext(a.context),
    // someone in need off the roster (主动发现): their application starts here (intake.js)
    a.kind === 'field_report' && a.detail && a.detail.subject === 'needs_help' && !a.person_id && a.detail.report_id
      ? h('p', {}, h('a', { class: 'button', 'data-intake-report': a.detail.report_id, href: `#/application/report-${a.detail.report_id}` }, t('intake_from_report')))
      : null,
    // 转入敬老院 is done on the move screen (a recommendation, or a wish's task)
    !done && a.person_id && a.detail && a.detail.recommend === 'centralised'
      ? h('p', {}, h('a', { class: 'button', 'data-move': a.person_id, href: `#/move/${a.person_id}` }, t('move_to_home')))
      : null,
    a.kind === 'quota_missed' && a.detail && a.detail.month
      ? h('p', {}, h('a', { class: 'button', 'data-missed': a.detail.month, href: `#/missed/${a.place_id}_${a.detail.month}` }, t('missed_list')))
      : null,
    h('ol', { class: 'muted events' }, a.events.map((e) => h('li', {}, eventLine(e)))),
  ];
  if (done) return h('div', { class: 'card resolved', 'data-alert': a.id }, head);
  const outcome = h('select', { 'aria-label': t('outcome') }, (a.outcomes || []).map((o) => h('option', { value: o }, t(`outcome_${o}`))));
  const noteBox = h('textarea', { rows: 2, maxlength: 500, 'aria-label': t('note') });
  // 临时救助: 小金额先行救助 — the amount and the date it was given (seed 004 item 11)
  const amount = h('input', { type: 'number', min: '0.01', step: '0.01', inputmode: 'decimal', class: 'relief-amount', 'aria-label': t('relief_amount') });
  const grantedOn = h('input', { type: 'date', class: 'date relief-date', value: new Date().toLocaleDateString('sv-SE'), 'aria-label': t('relief_date') });
  const reliefBox = h('div', { class: 'relief-fields', hidden: true },
    h('label', {}, t('relief_amount')), amount, h('label', {}, t('relief_date')), grantedOn);
  outcome.addEventListener('change', () => { reliefBox.hidden = outcome.value !== 'emergency_relief'; });
  const card = h('div', { class: `card${a.severity === 'urgent' || overdue ? ' overdue' : ''}`, 'data-alert': a.id },
    head,
    a.status === 'open' ? h('p', {}, h('button', { class: 'ack', onclick: () => act('ack', {}) }, t('acknowledge'))) : null,
    h('label', {}, t('note')), noteBox,
    h('p', {}, h('button', { onclick: () => noteBox.value.trim() && act('notes', { note: noteBox.value.trim() }) }, t('add_note'))),
    h('label', {}, t('outcome')), outcome, reliefBox,
    h('p', {}, h('button', {
      onclick: () => act('resolve', {
        outcome: outcome.value, note: noteBox.value.trim() || null,
        ...(outcome.value === 'emergency_relief' ? { relief: { amount: amount.value, granted_on: grantedOn.value } } : {}),
      }),
    }, t('resolve'))));
  // Acting redraws this card alone: the page stays where the user is (no jump to the top).
  async function act(what, body) {
    await guard(async () => {
      const updated = await API.post(`/api/alerts/${a.id}/${what}`, body);
      if (updated.status === 'resolved') {
        const next = card.nextElementSibling;
        card.remove();
        say(t('alert_done', { title: a.title }));
        if (next && next.matches('[data-alert]')) next.querySelector('h3').setAttribute('tabindex', '-1');
        return;
      }
      const fresh = alertCard(updated, office);
      card.replaceWith(fresh);
      const heading = fresh.querySelector('h3');
      heading.setAttribute('tabindex', '-1');
      heading.focus({ preventScroll: true });
    });
  }
  return card;
}

/** 预警: what waits (open or acknowledged), or the history of what was done, a page at a time. */
async function alertsScreen(arg) {
  const which = arg === 'done' ? 'resolved' : 'unresolved';
  const office = await App.districtOffice();
  const list = h('div', { id: 'alert-list' });
  const { button: more, more: page } = App.pager({
    list, id: 'alerts-more', draw: (a) => alertCard(a, office),
    load: (after) => {
      const q = `/api/alerts?status=${which}&page_size=20${after ? `&after=${encodeURIComponent(after)}` : ''}`;
      return after === null ? cached(`alerts:${which}`, q) : API.page(q); // the first page is kept for offline use
    },
  });
  await page();
  const tab = (key, href, on) => h('a', { class: `button${on ? ' primary' : ''}`, href, 'aria-current': on ? 'page' : false, id: `alerts-${key}` }, t(`alerts_${key}`));
  show(t('alerts'),
    h('nav', { class: 'row tabs' }, tab('waiting', '#/alerts', which === 'unresolved'), tab('done', '#/alerts/done', which === 'resolved')),
    list.childElementCount ? list : h('p', {}, t(which === 'resolved' ? 'no_alerts_done' : 'no_alerts')),
    h('p', {}, more));
}

export { staffTiles };
App.screen('staff', staffHome);
App.screen('exceptions', exceptionsScreen, { back: true });
App.screen('alerts', alertsScreen, { back: true });
App.screen('dashboard', dashboardScreen, { back: true });
