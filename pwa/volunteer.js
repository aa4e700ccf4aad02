/* 照应 — the volunteer's screens: what their team logged this month and the people of their
 * township, and the activity form (a draft kept as it is filled in, photos included) that goes
 * through the same outbox as a check-in. */
import { App } from './app.js';
import { API } from './api.js';
import { ZY } from './db.js';
import { I18N, t } from './i18n.js';
import { Drafts } from './drafts.js';

const {
  h, show, say, cached, photoPicker, commonLinks, currentUser, showErrors, clearErrors, guardLeave, enqueue,
} = App;

const KINDS = ['policy_publicity', 'visit', 'cleanup_help', 'festival_visit', 'other'];
// this month, as the server counts it (Shanghai)
const thisMonth = () => new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' }).slice(0, 7);
const fmtDay = (iso) => new Date(`${iso}T12:00:00`).toLocaleDateString(I18N.lang, { month: 'long', day: 'numeric' });

/** Every person of the team's township, page after page (a township may hold more than a page:
 * 贝子府镇 has 325), kept for offline use; what was kept last when offline. */
async function townshipPersons() {
  const token = await ZY.kv.get('token');
  try {
    const all = [];
    let after = null;
    do {
      const { data, next } = await API.page(`/api/persons?page_size=200${after ? `&after=${encodeURIComponent(after)}` : ''}`);
      all.push(...data);
      after = next;
    } while (after);
    if (token && (await ZY.kv.get('token')) === token) await ZY.kv.set('township-persons', all);
    return all;
  } catch (err) {
    if (err.status === 401) throw err;
    const kept = await ZY.kv.get('township-persons');
    if (kept === undefined) throw err;
    return kept;
  }
}

/** The team's activities logged this month (seed 000 item 3 asks at least one a month). */
async function teamMonth(team) {
  const month = thisMonth();
  let rows;
  let stale = false;
  try {
    const got = await cached(`activities:${team.id}:${month}`, `/api/activities?team_id=${team.id}&month=${month}`);
    rows = got.data;
    stale = got.stale;
  } catch (e) { return h('p', { class: 'muted' }, t('offline')); }
  let places = {};
  try {
    const { data: villages } = await cached(`villages:${team.township_id}`, `/api/places?parent_id=${team.township_id}`);
    places = Object.fromEntries(villages.map((v) => [v.id, v.name]));
  } catch (e) { /* names only */ }
  places[team.township_id] = team.name;
  return h('div', { class: 'team-month', 'data-team': team.id },
    h('h3', {}, t('team_this_month', { team: team.name })),
    stale ? h('p', { class: 'muted' }, t('offline')) : null,
    h('p', { class: rows.length ? 'muted' : 'warn', id: `team-count-${team.id}` },
      rows.length ? t('team_logged', { n: rows.length }) : t('team_none_yet')),
    rows.map((a) => h('div', { class: 'card activity', 'data-activity': a.id },
      h('div', { class: 'row' }, h('strong', {}, fmtDay(a.held_on)), h('span', {}, t(`activity_${a.kind}`))),
      h('div', { class: 'muted' }, [places[a.place_id] || '', t('activity_counts', { p: a.participants, s: a.people_served }),
        a.photos.length ? t('photo_added', { n: a.photos.length }) : ''].filter(Boolean).join(' · ')),
      a.note ? h('div', {}, a.note) : null)));
}

async function volunteerHome() {
  const data = await townshipPersons();
  let teams = [];
  try { teams = (await cached('teams', '/api/activities/teams')).data; } catch (e) { /* offline, never seen */ }
  const months = await Promise.all(teams.map(teamMonth));
  show(t('volunteer_home'),
    h('p', {}, h('a', { class: 'button primary', href: '#/activity', id: 'log-activity' }, t('log_activity'))),
    h('p', {}, h('a', { class: 'button primary', href: '#/campaign/cleanup', id: 'cleanup-link' }, t('cmp_cleanup'))),
    h('div', { id: 'team-activities' }, months),
    h('h3', {}, t('township_persons')),
    h('p', { class: 'muted' }, t('person_count', { n: data.length })),
    h('table', {}, h('tbody', {}, data.map((p) => h('tr', {}, h('td', {}, p.name), h('td', {}, p.village_name))))),
    commonLinks());
}

async function activityScreen() {
  const { data: teams } = await cached('teams', '/api/activities/teams');
  if (!teams.length) { show(t('log_activity'), h('p', {}, t('no_team'))); return; }
  const team = teams[0];
  const { data: villages } = await cached(`villages:${team.township_id}`, `/api/places?parent_id=${team.township_id}`);
  const user = await currentUser();
  const draftKey = `${user.id}:activity:${team.id}`;
  const draft = await Drafts.load(draftKey);
  const saved = draft ? draft.state : {};
  let kind = saved.kind || null;
  let submitted = false;
  const changed = () => { if (!submitted) saver.soon(); };

  const kindButtons = KINDS.map((k) => h('button', {
    type: 'button', 'aria-pressed': String(k === kind), 'data-kind': k,
    onclick: () => {
      kind = k;
      for (const b of kindButtons) b.setAttribute('aria-pressed', String(b.dataset.kind === k));
      changed();
    },
  }, t(`activity_${k}`)));
  const kindGroup = h('div', { class: 'choices', id: 'activity-kinds' }, kindButtons);
  const day = h('input', { type: 'date', id: 'held-on', value: saved.heldOn || new Date().toLocaleDateString('sv-SE'), class: 'date', onchange: changed });
  const place = h('select', { id: 'activity-place', onchange: changed },
    h('option', { value: team.township_id }, team.name), villages.map((v) => h('option', { value: v.id }, v.name)));
  if (saved.placeId) place.value = saved.placeId;
  const participants = h('input', { type: 'text', inputmode: 'numeric', id: 'participants', value: saved.participants ?? '1', oninput: changed });
  const served = h('input', { type: 'text', inputmode: 'numeric', id: 'people-served', value: saved.served ?? '0',
    oninput: () => { servedTyped = served.value.trim() !== ''; changed(); } });
  const note = h('textarea', { id: 'activity-note', rows: 2, maxlength: 500, oninput: changed });
  note.value = saved.note || '';
  const { photos, input: fileInput, preview, restore } = photoPicker('activity-photo', 'activity-photos', {
    onChange: () => { clearErrors(); saver.flush(); },
  });
  // the persons of the township it served: where the district counts volunteer visits, they are visited this month
  // — shown for the place chosen (a village: its persons), found by name; 服务人数 is at least how many are ticked
  const persons = await townshipPersons();
  let servedTyped = Boolean(saved.servedTyped);
  const personBoxes = persons.map((p) => h('label', { 'data-village': p.village_id }, h('input', {
    type: 'checkbox', value: p.id, 'data-person': p.id, checked: (saved.personIds || []).includes(String(p.id)),
    onchange: () => { followTicks(); changed(); },
  }), `${p.name} · ${p.village_name || ''}`));
  const personIds = () => personBoxes.map((b) => b.querySelector('input')).filter((i) => i.checked).map((i) => i.value);
  const search = h('input', { type: 'search', id: 'activity-person-search', autocomplete: 'off', placeholder: t('act_person_search') });
  const ticked = h('p', { class: 'muted', id: 'activity-ticked', 'aria-live': 'polite' });
  const noneFound = h('p', { class: 'muted', id: 'activity-none-found', hidden: true }, t('act_none_found'));
  function filterPersons() {
    const village = place.value === String(team.township_id) ? null : place.value;
    const q = search.value.trim();
    let shown = 0;
    for (const box of personBoxes) {
      box.hidden = Boolean((village && box.dataset.village !== village) || (q && !box.textContent.includes(q)));
      shown += box.hidden ? 0 : 1;
    }
    noneFound.hidden = shown > 0;
  }
  function followTicks() {
    const n = personIds().length;
    ticked.textContent = t('act_ticked', { n });
    const typed = Number(served.value.trim());
    if (!servedTyped || !(typed >= n)) served.value = String(n);
  }
  search.addEventListener('input', filterPersons);
  place.addEventListener('change', filterPersons);
  const collect = () => ({ kind, heldOn: day.value, placeId: place.value, participants: participants.value, served: served.value, note: note.value,
    personIds: personIds(), servedTyped });
  const saver = Drafts.saver(draftKey, () => ({ state: collect(), photos }));
  if (draft) restore(draft.photos);
  const isDirty = () => !submitted && Boolean(kind || photos.length || note.value.trim() || personIds().length);

  async function submit() {
    const errors = [];
    if (!kind) errors.push([kindGroup, t('choose_kind')]);
    if (!day.value) errors.push([day, t('need_date')]);
    for (const [input, max] of [[participants, 10000], [served, 100000]]) {
      const v = input.value.trim();
      if (v && !(/^\d+$/.test(v) && Number(v) <= max)) errors.push([input, t('need_count', { max })]);
    }
    if (!errors.some(([input]) => input === served) && Number(served.value.trim() || '0') < personIds().length) {
      errors.push([served, t('act_served_below_ticked', { n: personIds().length })]);
    }
    if (showErrors(errors)) return;
    const fd = new FormData();
    fd.append('client_id', crypto.randomUUID());
    fd.append('team_id', String(team.id));
    fd.append('kind', kind);
    fd.append('held_on', day.value);
    fd.append('place_id', place.value);
    fd.append('participants', participants.value.trim() || '0');
    fd.append('people_served', served.value.trim() || '0');
    if (note.value.trim()) fd.append('note', note.value.trim());
    for (const pid of personIds()) fd.append('person_ids', pid);
    photos.forEach((blob, i) => fd.append('photos', blob, `activity-${i + 1}.jpg`));
    const req = new Request('/api/activities', { method: 'POST', body: fd });
    await enqueue({ url: '/api/activities', method: 'POST', contentType: req.headers.get('Content-Type'),
      body: await req.arrayBuffer(), clientId: fd.get('client_id'), label: `${team.name} ${day.value} ${t(`activity_${kind}`)}` },
    '#/volunteer', async () => { submitted = true; await saver.discard(); });
  }
  show(t('log_activity'),
    h('p', { class: 'muted' }, team.name),
    h('label', {}, t('activity_kind')), kindGroup,
    h('label', { for: 'held-on' }, t('activity_date')), day,
    h('label', { for: 'activity-place' }, t('activity_place')), place,
    h('label', { for: 'participants' }, t('participants')), participants,
    h('label', { for: 'people-served' }, t('people_served')), served,
    h('label', { for: 'activity-person-search' }, t('act_persons')), search, ticked,
    h('div', { class: 'checks', id: 'activity-persons' }, personBoxes), noneFound,
    h('label', { for: 'activity-photo', class: 'button', id: 'activity-take-photo' }, t('take_photo')), fileInput, preview,
    h('label', { for: 'activity-note' }, t('note')), note,
    h('p', {}, h('button', { class: 'primary', id: 'activity-submit', type: 'button', onclick: submit }, t('submit'))));
  filterPersons();
  ticked.textContent = t('act_ticked', { n: personIds().length });
  guardLeave(isDirty);
  if (draft) say(t('draft_restored'));
}

App.screen('volunteer', volunteerHome, { refreshOnFlush: true });
App.screen('activity', activityScreen, { back: true });
