/* 照应 — the caregiver's screens: their persons with this month's progress (what counts and what
 * waits for review), a person's record with the visits of the last six months and what became of
 * each, and the check-in: 开始走访 on arrival (the clock and the GPS start then), the shortest
 * visit that counts shown while it runs, photo, care given and what was seen; a draft kept as it
 * is filled in, and on 提交 the visit goes to the outbox at once. */
import { App } from './app.js';
import { API } from './api.js';
import { ZY } from './db.js';
import { t } from './i18n.js';
import { Drafts } from './drafts.js';
import { Geo } from './geo.js';

const {
  h, show, say, fmtDate, fmtTime, fmtMonth, monthFrom, levelLabel, cached, loadCatalogue,
  photoPicker, commonLinks, currentUser, showErrors, clearErrors, guardLeave, enqueue,
} = App;

// The ways a caregiver can look in on someone (seed 000 item 2). A mode is one entry here: its
// label is t(`mode_${mode}`), and whether it needs a photo and a GPS fix is `inPerson`.
// seed 000 item 2: 上门入户、电话视频、远程监测
const MODES = ['home', 'phone', 'video', 'remote'];
const inPerson = (mode) => mode === 'home';
const HISTORY_MONTHS = 6;
// the month (YYYY-MM, in Shanghai) a visit counts for, and how to say it: 本月, or 2026年10月
const monthOf = (iso) => new Date(iso).toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' }).slice(0, 7);
const monthWord = (ym) => (ym === monthFrom(0) ? t('month_this') : fmtMonth(ym));

/** Where a person's month stands for their caregiver: a tone and the words, and which it is. */
function monthState(p) {
  // away from home today (住院中, 外出) comes first: nobody is told to go to an empty house
  return p.away ? ['amber', t(`away_${p.away.kind}`, { date: App.fmtDay(p.away.until) }), 'away']
    : p.fulfilment === 'excused' ? ['', t('month_excused'), 'excused']
      : p.overdue ? ['red', t('overdue'), 'overdue']
        : p.fulfilment === 'met' ? ['green', t('month_met'), 'met']
          : p.done < p.expected_by_today ? ['amber', t('behind'), 'behind'] : ['green', t('on_track'), 'on_track'];
}
const stateTag = (p) => { const [tone, said] = monthState(p); return h('span', { class: `tag ${tone} month-state` }, said); };

async function caregiverHome() {
  const { data, stale } = await cached('progress', '/api/me/progress');
  if (!stale) prefetch(data);
  const cards = data.map((p) => {
    const pct = Math.min(100, Math.round((100 * p.done) / Math.max(1, p.quota)));
    const state = stateTag(p);
    return h('a', { class: `card${p.overdue ? ' overdue' : ''}`, href: `#/person/${p.person_id}`, 'data-person': p.person_id },
      h('h2', {}, p.name),
      h('div', { class: 'row' }, h('span', {}, `${p.village_name} · ${levelLabel(p.self_care_level)}`), state),
      h('div', { class: 'progress', role: 'progressbar', 'aria-valuenow': pct, 'aria-valuemin': 0, 'aria-valuemax': 100,
        'aria-label': t('month_progress', { done: p.done, quota: p.quota }) },
        h('span', { style: `width:${pct}%` })),
      h('div', { class: 'row' },
        h('strong', { class: 'month-progress' }, p.pending
          ? t('month_progress_pending', { done: p.done, quota: p.quota, pending: p.pending })
          : t('month_progress', { done: p.done, quota: p.quota })),
        h('span', { class: 'muted' }, p.last_visit_at ? t('last_visit', { date: fmtDate(p.last_visit_at) }) : t('never_visited'))),
      // a local rule asking for a mode (home visits) says so, with how many are done
      Object.entries(p.minimums || {}).map(([g, n]) => h('p', { class: 'muted mode-minimum' },
        t('progress_min', { mode: t(`mode_${g}`), n, done: (p.by_mode || {})[g] || 0 }))));
  });
  show(t('my_persons'),
    stale ? h('p', { class: 'muted' }, t('offline')) : null,
    data.length ? h('p', {}, h('a', { class: 'button', href: '#/progress', id: 'progress-link' }, t('pg_title'))) : null,
    cards.length ? cards : h('p', {}, t('no_persons')),
    h('p', {}, h('a', { class: 'button', href: '#/left-care', id: 'left-care-link' }, t('lc_left_care'))),
    commonLinks());
}

/** 本月进度: the caregiver's own month — the days left, what is counted against what is asked,
 * each person's count and what is still to do, and this month's visits not counted (waiting
 * for review or rejected) with why. */
async function progressScreen() {
  const cat = await loadCatalogue();
  const { data, stale } = await cached('progress', '/api/me/progress');
  const ym = monthFrom(0);
  let visits = null;
  try { visits = (await cached(`month-visits:${ym}`, `/api/visits?month=${ym}&page_size=200`)).data; } catch (e) { /* offline */ }
  const [y, m, d] = new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' }).split('-').map(Number);
  const left = new Date(Date.UTC(y, m, 0)).getUTCDate() - d + 1; // today included
  const sum = (k) => data.reduce((n, p) => n + (p[k] || 0), 0);
  const states = data.map((p) => monthState(p)[2]);
  const many = (k) => states.filter((s) => s === k).length;
  const owed = (p) => (monthState(p)[2] === 'excused' ? 0 : Math.max(0, p.quota - p.done));
  const notCounted = (visits || []).filter((v) => ['exception', 'rejected'].includes(v.verification.status));
  show(t('pg_title'),
    stale ? h('p', { class: 'muted' }, t('offline')) : null,
    h('div', { class: 'card', id: 'month-summary' },
      h('strong', {}, `${fmtMonth(ym)} · ${t('pg_days_left', { n: left })}`),
      h('p', {}, t('pg_summary', { quota: sum('quota'), done: sum('done'), pending: sum('pending') })),
      h('p', { class: 'muted' }, t('pg_persons', { met: many('met'), behind: many('behind'), overdue: many('overdue') }))),
    h('div', { class: 'scroll' }, h('table', { id: 'month-table' },
      h('thead', {}, h('tr', {}, ['pg_col_person', 'pg_col_done', 'pg_col_left', 'pg_col_pending', 'pg_col_state']
        .map((k) => h('th', {}, t(k))))),
      h('tbody', {}, data.map((p) => h('tr', { 'data-person': p.person_id },
        h('td', {}, h('a', { href: `#/person/${p.person_id}` }, p.name)),
        h('td', {}, `${p.done} / ${p.quota}`), h('td', {}, String(owed(p))), h('td', {}, String(p.pending || 0)),
        h('td', {}, stateTag(p))))))),
    h('h3', {}, t('pg_not_counted')),
    visits === null ? h('p', { class: 'muted' }, t('offline'))
      : notCounted.length ? h('div', { id: 'not-counted' }, notCounted.map((v) => h('div', { class: 'card', 'data-visit': v.id },
        h('div', { class: 'row' }, h('strong', {}, v.person_name), h('span', {}, fmtTime(v.started_at)), h('span', {}, t(`mode_${v.mode}`))),
        visitStatus(v, cat))))
        : h('p', { id: 'not-counted' }, t('pg_all_counted')));
}

/** While there is a network, keep what a check-in needs in a dead zone: each person's record
 * and the catalogue. */
function prefetch(progress) {
  loadCatalogue().catch(() => {});
  for (const p of progress) cached(`person:${p.person_id}`, `/api/persons/${p.person_id}`).catch(() => {});
}

/** Why a visit waits for review, in plain words, from its exception codes and their numbers. */
function whyText(code, detail, mode, cat) {
  const d = detail || {};
  const params = {
    m: d.duration_minutes !== undefined ? Math.round(d.duration_minutes) : '',
    min: (cat.min_minutes || {})[mode],
    d: d.distance_from_home_m !== undefined ? Math.round(d.distance_from_home_m) : '',
    a: d.accuracy_m !== undefined ? Math.round(d.accuracy_m) : '',
  };
  const key = `why_${code}`;
  const said = t(key, params);
  if (said && said !== key) return said;
  const known = (cat.exceptions || []).find((e) => e.code === code);
  return known ? known.label : code;
}

/** A visit's fate as its caregiver sees it: counted, waiting for review and why, or decided. */
function visitStatus(v, cat) {
  const ver = v.verification;
  const reasonLabel = (code) => ((cat.review_reasons || []).find((r) => r.code === code) || {}).label || code;
  const review = ver.review;
  const decided = review ? [h('div', { class: 'review-reason' }, `${t('review_reason')}：${reasonLabel(review.reason_code)}`),
    review.note ? h('div', { class: 'muted' }, `${t('note')}：${review.note}`) : null] : [];
  const month = monthWord(monthOf(v.started_at)); // each visit counts for its own month
  if (ver.status === 'verified') return [h('span', { class: 'tag green visit-status' }, t('status_verified', { month }))];
  if (ver.status === 'accepted') return [h('span', { class: 'tag green visit-status' }, t('status_accepted', { month })), ...decided];
  if (ver.status === 'rejected') return [h('span', { class: 'tag red visit-status' }, t('status_rejected')), ...decided];
  return [h('span', { class: 'tag amber visit-status' }, t('status_exception')),
    h('ul', { class: 'why' }, ver.exceptions.map((c) => h('li', {}, whyText(c, ver.detail, v.mode, cat)))),
    h('div', { class: 'muted' }, t('status_exception_next'))];
}

function visitCard(v, cat) {
  const minutes = v.ended_at ? Math.round((new Date(v.ended_at) - new Date(v.started_at)) / 60000) : null;
  const thumbs = h('div', { class: 'thumbs' });
  for (const ph of v.photos) {
    if (ph.purged_at) continue;
    // photos need the login: fetched and shown from a blob URL (a dead zone shows none)
    API.imageUrl(ph.thumb_url).then((src) => {
      thumbs.append(h('a', { href: '#', 'data-photo': ph.id, onclick: (e) => { e.preventDefault(); openPhoto(ph); } },
        h('img', { src, alt: t('visit_photo') })));
    }).catch(() => {});
  }
  return h('div', { class: `card visit${v.verification.status === 'rejected' ? ' overdue' : ''}`, 'data-visit': v.id },
    h('div', { class: 'row' }, h('strong', {}, fmtTime(v.started_at)), h('span', {}, t(`mode_${v.mode}`) || v.mode),
      minutes !== null ? h('span', { class: 'muted' }, t('minutes', { n: minutes })) : null),
    v.monitor_device ? h('div', { class: 'muted monitor' }, [deviceLabel(v.monitor_device, cat), v.monitor_reading].filter(Boolean).join('：')) : null,
    visitStatus(v, cat), thumbs);
}

const deviceLabel = (code, cat) => ((cat.monitor_devices || []).find((d) => d.code === code) || {}).label || code;

/** A history's visits under a heading for each month, newest first. */
function byMonth(visits, cat) {
  const out = [];
  let current = null;
  for (const v of visits) {
    const ym = monthOf(v.started_at);
    if (ym !== current) { current = ym; out.push(h('h4', { class: 'month-head' }, fmtMonth(ym))); }
    out.push(visitCard(v, cat));
  }
  return out;
}

async function openPhoto(ph) {
  try {
    const src = await API.imageUrl(ph.url);
    const big = h('img', { class: 'photo-preview', src, alt: t('visit_photo'), id: 'photo-large' });
    const box = h('div', { class: 'card', id: 'photo-box' }, big,
      h('button', { type: 'button', onclick: () => box.remove() }, t('close')));
    document.getElementById('view').prepend(box);
    box.scrollIntoView({ block: 'start' });
  } catch (e) { say(t('offline'), true); }
}

async function personScreen(id) {
  const cat = await loadCatalogue();
  const { data: p } = await cached(`person:${id}`, `/api/persons/${id}`);
  let visits = null;
  let stale = false;
  try {
    const got = await cached(`history:${id}`, `/api/visits?person_id=${id}&since_month=${App.monthFrom(1 - HISTORY_MONTHS)}&page_size=200`);
    visits = got.data;
    stale = got.stale;
  } catch (e) { /* no history offline */ }
  const services = cat.services.filter((s) => s.levels.includes(p.self_care_level) && s.code !== 'wellbeing_call');
  const last = visits && visits.find((v) => v.observations);
  const obs = last && last.observations;
  const obsList = obs ? Object.entries(obs).filter(([, v]) => v).map(([k, v]) => {
    if (k === 'note') return h('li', {}, `${t('note')}：${v}`);
    const choice = (cat.observations[k] || []).find((c) => c.code === v);
    return h('li', {}, `${t(`obs_${k}`) || k}：${choice ? choice.label : v}`);
  }) : [];
  show(p.name,
    h('p', {}, h('strong', {}, `${p.village_name || ''}`), ` · ${levelLabel(p.self_care_level)}`),
    p.address ? h('p', {}, `${t('address')}：${p.address}`) : null,
    p.phone ? h('p', {}, h('a', { class: 'button', href: `tel:${p.phone}`, id: 'call-person' }, t('call', { phone: p.phone }))) : null,
    h('p', {}, h('a', { class: 'button primary', href: `#/checkin/${id}`, id: 'start-checkin' }, t('checkin'))),
    h('p', {}, h('a', { class: 'button', href: `#/absence/${id}`, id: 'report-absence' }, t('lc_record_absence'))),
    h('h3', {}, t('care_checklist')),
    h('ul', {}, services.map((s) => h('li', {}, s.label))),
    h('h3', {}, t('last_observations')),
    last ? h('p', { class: 'muted' }, fmtTime(last.started_at)) : null,
    obsList.length ? h('ul', {}, obsList) : h('p', {}, t('none_yet')),
    h('h3', {}, t('visit_history', { n: HISTORY_MONTHS })),
    stale ? h('p', { class: 'muted' }, t('offline')) : null,
    h('div', { id: 'visit-history' }, visits === null ? h('p', { class: 'muted' }, t('offline'))
      : visits.length ? byMonth(visits, cat) : h('p', {}, t('none_yet'))));
}

function choiceGroup(field, choices, state, onChange, label = t(`obs_${field}`)) {
  const buttons = choices.map((c) => h('button', {
    type: 'button', 'aria-pressed': String(state[field] === c.code), 'data-field': field, 'data-code': c.code,
    onclick: (e) => {
      const on = state[field] !== c.code;
      state[field] = on ? c.code : undefined;
      for (const b of buttons) b.setAttribute('aria-pressed', String(on && b === e.currentTarget));
      onChange();
    },
  }, c.label));
  return h('div', {}, h('label', {}, label), h('div', { class: 'choices' }, buttons));
}

/** What to tell a caregiver whose phone gave no position: how to turn location on, and that a
 * home visit without one goes to township review. */
function gpsHelp(err) {
  const lines = [];
  if (Geo.inWeChat()) lines.push(t('gps_help_wechat'));
  if (err && err.code === 1) lines.push(t('gps_help_permission'));
  if (err && err.code === 3) lines.push(t('gps_help_timeout'));
  lines.push(t('gps_help_system')); // a phone with location off can answer any of the three
  lines.push(t('gps_help_review'));
  return h('div', { class: 'warn', id: 'gps-help' }, h('strong', {}, t('gps_help_title')),
    h('ul', {}, lines.map((l) => h('li', {}, l))));
}

const mmss = (ms) => {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
};

/** The check-in. ``opts`` lets another role reuse it (cadre.js): ``services`` to offer instead of
 * the care checklist, the ``home`` to return to, and which ``observe`` groups to ask. */
async function checkinScreen(id, opts = {}) {
  const cat = await loadCatalogue();
  const { data: p } = await cached(`person:${id}`, `/api/persons/${id}`);
  const user = await currentUser();
  const draftKey = `${user.id}:checkin:${id}`;
  const draft = await Drafts.load(draftKey);
  // the check-in as it stands: what the draft keeps and the upload sends
  const state = {
    mode: 'home', startedAt: null, position: null, services: [], observations: {}, note: '', monitor: {}, ...(draft ? draft.state : {}),
  };
  // away from home (住院, 外出: the home screen's progress says so) a visit is where the person is
  const away = ((await ZY.kv.get('progress')) || []).some((x) => x.person_id === Number(id) && x.away);
  let submitted = false;
  let shortConfirmed = false;
  const minMinutes = () => ((cat.min_minutes || {})[state.mode] || 0);

  const { photos, input: fileInput, preview, count: photoCount, restore } = photoPicker('photo-input', 'photos', {
    onChange: () => { clearErrors(); saver.flush(); },
  });
  const saver = Drafts.saver(draftKey, () => ({ state: collect(), photos }));
  const changed = () => { if (!submitted) saver.soon(); };
  if (draft) restore(draft.photos);

  // -- arrival, the visit's clock and the position taken then
  const timerText = h('strong', { id: 'visit-timer' });
  const startedText = h('span', { class: 'muted', id: 'started-at' });
  const minText = h('p', { id: 'min-minutes', class: 'muted' });
  const tooShort = h('p', { class: 'warn', id: 'too-short', hidden: true });
  // what starts the clock says what is starting: 开始走访 at the door, 开始通话 on a call
  const startKey = (m) => ({ home: 'start_visit', phone: 'start_call', video: 'start_video', remote: 'start_remote' })[m];
  const arriveBtn = h('button', { type: 'button', class: 'primary', id: 'arrive', onclick: arrive });
  const arriveHint = h('p', { class: 'muted', id: 'arrive-hint' });
  const dial = p.phone ? h('a', { class: 'button', href: `tel:${p.phone}`, id: 'dial' }, t('dial', { phone: p.phone }))
    : h('p', { class: 'muted', id: 'dial' }, t('dial_none'));
  const running = h('div', { class: 'card', id: 'visit-running', hidden: true },
    h('div', { class: 'row' }, h('span', {}, t('visit_elapsed')), timerText), startedText, minText);

  const gpsText = h('span', { id: 'gps-status' }, t('gps_at_arrival'));
  const gpsSlot = h('div', { id: 'gps-help-slot' });
  // at the door, before 提交: the fix against the confirmed home and the accuracy the township
  // accepts without review (server/visits/verification.py), and what follows if it is sent so
  const doorWarn = h('div', { class: 'warn', id: 'door-warning', hidden: true });
  const submitWarn = h('p', { class: 'warn', id: 'submit-warning', hidden: true });
  function warnAtDoor() {
    const pos = inPerson(state.mode) && state.position;
    const home = p.home_location_state === 'confirmed' && !away && p.home_lat !== null && p.home_lat !== undefined;
    const d = pos && home ? Math.round(Geo.distance(pos.lat, pos.lon, p.home_lat, p.home_lon)) : 0;
    const far = Boolean(pos) && d > (cat.geofence_radius_m || 0) + pos.accuracy;
    const vague = Boolean(pos) && pos.accuracy > (cat.max_accuracy_m || Infinity);
    const lines = [far ? t('door_far', { name: p.name, d, r: cat.geofence_radius_m }) : null,
      vague ? t('door_inaccurate', { a: Math.round(pos.accuracy), max: cat.max_accuracy_m }) : null].filter(Boolean);
    doorWarn.hidden = submitWarn.hidden = !lines.length;
    doorWarn.replaceChildren(...lines.map((l) => h('p', {}, l)), h('p', {}, h('strong', {}, t('door_next'))));
    submitWarn.textContent = far ? t('door_submit', { d }) : vague ? t('door_submit_inaccurate') : '';
  }
  const locationBox = h('div', { id: 'location-box' },
    h('label', {}, t('location')),
    h('div', { class: 'row' }, gpsText, h('button', { type: 'button', class: 'small', onclick: locate, id: 'gps-retry' }, t('retry'))),
    gpsSlot, doorWarn);

  function showPosition() {
    warnAtDoor();
    gpsSlot.replaceChildren();
    if (state.position) gpsText.textContent = t('located', { m: Math.round(state.position.accuracy) });
    else if (state.startedAt) { gpsText.textContent = t('location_failed'); gpsSlot.append(gpsHelp(state.gpsError)); }
    else gpsText.textContent = t('gps_at_arrival');
  }

  async function locate() {
    gpsText.textContent = t('locating');
    gpsSlot.replaceChildren();
    try {
      state.position = await Geo.locate();
      state.gpsError = null;
    } catch (e) {
      state.position = null;
      state.gpsError = { code: e && e.code };
    }
    showPosition();
    changed();
  }

  function tick() {
    if (!running.isConnected) { clearInterval(ticker); return; }
    if (!state.startedAt) return;
    const elapsed = Date.now() - new Date(state.startedAt).getTime();
    timerText.textContent = mmss(elapsed);
    const min = minMinutes();
    const short = min > 0 && elapsed < min * 60000;
    tooShort.hidden = !short;
    if (short) {
      tooShort.textContent = t('too_short_warning', { m: Math.floor(elapsed / 60000), min, left: Math.ceil((min * 60000 - elapsed) / 60000) });
    }
    submitBtn.textContent = short && shortConfirmed ? t('submit_anyway') : t('end_and_submit');
  }
  const ticker = setInterval(tick, 1000);

  function showArrival() {
    const on = Boolean(state.startedAt);
    arriveBtn.textContent = t(startKey(state.mode));
    arriveHint.textContent = t(`${startKey(state.mode)}_hint`);
    arriveBtn.hidden = on;
    arriveHint.hidden = on;
    dial.hidden = state.mode !== 'phone';
    monitorBox.hidden = state.mode !== 'remote';
    // the care offered is the care that fits the way of looking in (catalogue modes); a cadre's is any
    for (const box of serviceBoxes) {
      const fits = !box.dataset.modes || box.dataset.modes.split(' ').includes(state.mode);
      box.hidden = !fits;
      if (!fits) box.querySelector('input').checked = false;
    }
    noServices.hidden = serviceBoxes.some((b) => !b.hidden);
    warnAtDoor();
    running.hidden = !on;
    if (on) {
      startedText.textContent = t('started_at', { time: fmtTime(state.startedAt) });
      const min = minMinutes();
      minText.textContent = min ? t('min_minutes', { min, mode: t(`mode_${state.mode}`) }) : '';
    }
    locationBox.hidden = moreBox.hidden = !inPerson(state.mode);
    tick();
  }

  function arrive() {
    state.startedAt = new Date().toISOString();
    clearErrors();
    showArrival();
    saver.flush();
    if (inPerson(state.mode)) locate();
  }

  // -- how the caregiver looked in: a mode is a button; the policy of each is in MODES/inPerson
  const modeButtons = MODES.map((m) => h('button', {
    type: 'button', 'aria-pressed': String(m === state.mode), 'data-mode': m,
    onclick: () => {
      state.mode = m;
      for (const b of modeButtons) b.setAttribute('aria-pressed', String(b.dataset.mode === m));
      photoBox.hidden = !inPerson(m);
      showArrival();
      if (inPerson(m) && state.startedAt && !state.position) locate();
      changed();
    },
  }, t(`mode_${m}`)));

  const services = (opts.services || cat.services.filter((s) => s.levels.includes(p.self_care_level)))
    .filter((s) => s.code !== 'wellbeing_call');
  const serviceBoxes = services.map((s) => h('label', { 'data-modes': s.modes ? s.modes.join(' ') : null },
    h('input', { type: 'checkbox', value: s.code, checked: state.services.includes(s.code), onchange: changed }), s.label));
  const noServices = h('p', { class: 'muted', id: 'no-services' }, t('services_none_remote'));
  // 远程监测: the device looked at and what it showed
  const monitorGroup = choiceGroup('device', cat.monitor_devices || [], state.monitor, () => { clearErrors(); changed(); },
    t('monitor_device'));
  const reading = h('input', { type: 'text', id: 'monitor-reading', maxlength: 200, oninput: changed, placeholder: t('monitor_reading_hint') });
  reading.value = state.monitor.reading || '';
  const monitorBox = h('div', { id: 'monitor-box' }, monitorGroup,
    h('label', { for: 'monitor-reading' }, t('monitor_reading')), reading);
  const note = h('textarea', { id: 'note', rows: 2, maxlength: 500, oninput: changed });
  note.value = state.note || '';
  const takePhoto = h('label', { for: 'photo-input', class: 'button primary', id: 'take-photo' }, t('take_photo'));
  const photoBox = h('div', { id: 'photo-box-checkin', hidden: !inPerson(state.mode) }, takePhoto, fileInput, photoCount, preview);
  const observeGroups = Object.fromEntries((opts.observe || ['health', 'living_environment', 'hygiene', 'food_supplies', 'mood'])
    .map((f) => [f, choiceGroup(f, cat.observations[f], state.observations, changed)]));
  // seed 002 item 3 (安全风险、家庭赡养、关爱保护): on a home visit only, folded, any may stay empty
  const more = (opts.more || ['safety_risk', 'family_support', 'care_need']).filter((f) => cat.observations[f]);
  const moreBox = h('details', { class: 'form', id: 'more-observed' }, h('summary', {}, t('obs_more')),
    more.map((f) => choiceGroup(f, cat.observations[f], state.observations, changed)));
  const submitBtn = h('button', { class: 'primary', id: 'submit', type: 'button', onclick: submit }, t('end_and_submit'));

  function collect() {
    state.services = serviceBoxes.filter((b) => !b.hidden).map((b) => b.querySelector('input'))
      .filter((i) => i.checked).map((i) => i.value);
    state.note = note.value;
    state.monitor.reading = reading.value;
    return { ...state };
  }

  const isDirty = () => {
    if (submitted) return false;
    const s = collect();
    return Boolean(s.startedAt || photos.length || s.services.length || s.note.trim()
      || Object.values(s.observations).some(Boolean));
  };

  async function submit() {
    const s = collect();
    const errors = [];
    if (!s.startedAt) errors.push([arriveBtn, t('need_arrival', { action: t(startKey(s.mode)) })]);
    if (s.mode === 'remote' && !s.monitor.device) errors.push([monitorGroup, t('need_monitor')]);
    if (inPerson(s.mode) && photos.length === 0) errors.push([takePhoto, t('need_photo')]);
    // a call or remote check is verified by what it learned (server/visits/verification.py)
    if (!inPerson(s.mode) && !s.observations.health) errors.push([observeGroups.health || submitBtn, t('need_health')]);
    if (showErrors(errors)) return;
    const elapsed = Date.now() - new Date(s.startedAt).getTime();
    if (minMinutes() && elapsed < minMinutes() * 60000 && !shortConfirmed) {
      // the first tap on a visit too short to count only says so; a second one sends it as it is
      shortConfirmed = true;
      tick();
      showErrors([[tooShort, t('too_short_confirm')]]);
      return;
    }
    const fd = new FormData();
    fd.append('client_id', crypto.randomUUID());
    fd.append('person_id', String(id));
    fd.append('mode', s.mode);
    fd.append('started_at', s.startedAt); // the arrival, not the opening of this form
    fd.append('ended_at', new Date().toISOString());
    if (s.position && inPerson(s.mode)) {
      fd.append('lat', String(s.position.lat));
      fd.append('lon', String(s.position.lon));
      fd.append('accuracy_m', String(s.position.accuracy));
    }
    for (const code of s.services) fd.append('services', code);
    if (s.mode === 'phone' || s.mode === 'video') fd.append('services', 'wellbeing_call');
    if (s.mode === 'remote') {
      fd.append('monitor_device', s.monitor.device);
      if (s.monitor.reading.trim()) fd.append('monitor_reading', s.monitor.reading.trim());
    }
    const obs = { ...s.observations };
    if (!inPerson(s.mode)) for (const f of more) delete obs[f];
    if (s.note.trim()) obs.note = s.note.trim();
    if (Object.values(obs).some((v) => v)) fd.append('observations', JSON.stringify(obs));
    if (inPerson(s.mode)) photos.forEach((blob, i) => fd.append('photos', blob, `photo-${i + 1}.jpg`));
    // Stored whole, body as ArrayBuffer with its multipart boundary, before any network use.
    const req = new Request('/api/visits', { method: 'POST', body: fd });
    await enqueue({
      url: '/api/visits', method: 'POST', contentType: req.headers.get('Content-Type'),
      body: await req.arrayBuffer(), clientId: fd.get('client_id'), label: `${p.name} ${fmtTime(s.startedAt)}`,
    }, opts.home || '#/home', async () => { submitted = true; await saver.discard(); });
  }

  show(`${t('checkin')} · ${p.name}`,
    h('label', {}, t('mode')), h('div', { class: 'choices', id: 'modes' }, modeButtons),
    dial, arriveBtn, arriveHint, running,
    locationBox,
    photoBox,
    monitorBox,
    h('label', {}, t('services_done')), h('div', { class: 'checks' }, serviceBoxes), noServices,
    h('h3', {}, t('observations')),
    Object.values(observeGroups),
    moreBox,
    h('label', { for: 'note' }, t('note')), note,
    tooShort, submitWarn,
    h('p', {}, submitBtn));
  showArrival();
  showPosition();
  guardLeave(isDirty);
  if (draft) say(t('draft_restored'));
}

export { checkinScreen };
App.screen('home', caregiverHome, { refreshOnFlush: true });
App.screen('progress', progressScreen, { back: true, refreshOnFlush: true });
App.screen('person', (arg) => personScreen(Number(arg)), { back: true });
App.screen('checkin', (arg) => checkinScreen(Number(arg)), { back: true });
