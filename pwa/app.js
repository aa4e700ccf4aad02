/* 照应 — the app: a hash router over a few screens, for caregivers, volunteers and staff.
 * What a screen showed last is kept in IndexedDB, so the app opens with it in a dead zone. */
(function () {
  const view = document.getElementById('view');
  const statusBox = document.getElementById('status');
  const titleEl = document.getElementById('title');
  const backBtn = document.getElementById('back');
  const badge = document.getElementById('outbox-badge');
  const langBtn = document.getElementById('lang');
  let catalogue = null;

  // ---- small helpers -------------------------------------------------------------------------

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === false || v === null || v === undefined) continue;
      if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else if (k === 'class') el.className = v;
      else el.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c);
    return el;
  }

  function show(title, ...nodes) {
    titleEl.textContent = title;
    backBtn.hidden = !['person', 'checkin', 'outbox', 'coverage', 'inbox', 'alerts', 'dashboard', 'activity'].includes(location.hash.split('/')[1]);
    view.replaceChildren(...nodes.flat(2).filter((n) => n !== null && n !== undefined && n !== false));
    window.scrollTo(0, 0);
  }

  function say(text, isError) {
    statusBox.textContent = text || '';
    statusBox.className = isError ? 'error' : '';
  }

  // A message that must outlive the navigation that follows it.
  let nextStatus = null;
  function sayAfterNavigation(text, isError) { nextStatus = [text, isError]; }

  const fmtDate = (iso) => (iso ? new Date(iso).toLocaleDateString(I18N.lang, { month: 'long', day: 'numeric' }) : '');
  const fmtTime = (iso) => new Date(iso).toLocaleString(I18N.lang, { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  const levelLabel = (level) => t(`level_${level}`);
  const go = (hash) => { if (location.hash === hash) route(); else location.hash = hash; };

  /** The API, with what it answered last kept for offline use under `key`. */
  async function cached(key, path) {
    try {
      const data = await API.get(path);
      await ZY.kv.set(key, data);
      return { data, stale: false };
    } catch (err) {
      if (err.status === 401) throw err;
      const data = await ZY.kv.get(key);
      if (data === undefined) throw err;
      return { data, stale: true };
    }
  }

  async function loadCatalogue() {
    if (!catalogue || catalogue.lang !== I18N.lang) {
      const { data } = await cached(`catalogue:${I18N.lang}`, '/api/visits/catalogue');
      catalogue = { ...data, lang: I18N.lang };
    }
    return catalogue;
  }

  async function currentUser() { return ZY.kv.get('user'); }

  async function loginAgain() {
    await ZY.kv.del('token');
    if (location.hash === '#/login') say(t('session_expired'), true);
    else sayAfterNavigation(t('session_expired'), true);
    go('#/login');
  }

  async function guard(fn) {
    try {
      await fn();
    } catch (err) {
      if (err.status === 401) return loginAgain();
      say(err.message, true);
    }
  }

  // ---- outbox ----------------------------------------------------------------------------------

  async function refreshBadge() {
    const n = await ZY.outbox.count();
    badge.hidden = n === 0;
    badge.textContent = t('outbox_count', { n });
  }

  async function flushOnce() {
    const token = await ZY.kv.get('token');
    if (!token) return null;
    const result = await ZY.flush();
    await refreshBadge();
    if (result.stoppedBy === 'unauthorized') await loginAgain();
    else if (result.rejected) say(t('failed_items'), true);
    else if (result.sent) say(t('sent_n', { n: result.sent }));
    if (result.sent || result.rejected) document.dispatchEvent(new CustomEvent('outbox-flushed'));
    return result;
  }

  // One flush at a time; a trigger that arrives during one (the network came back while the last
  // attempt was failing) runs another right after, instead of being lost.
  let flushing = null;
  let again = false;
  function flushOutbox() {
    if (flushing) { again = true; return flushing; }
    flushing = (async () => {
      let result;
      do { again = false; result = await flushOnce(); } while (again);
      return result;
    })().finally(() => { flushing = null; });
    return flushing;
  }

  async function requestSync() {
    if (!('serviceWorker' in navigator)) return;
    const reg = await navigator.serviceWorker.ready;
    if ('sync' in reg) {
      try { await reg.sync.register('outbox'); } catch (e) { /* the page flushes by itself too */ }
    }
  }

  // ---- screens ---------------------------------------------------------------------------------

  async function loginScreen() {
    const user = h('input', { type: 'text', id: 'username', name: 'username', autocomplete: 'username', inputmode: 'tel', required: true });
    const pass = h('input', { type: 'password', id: 'password', name: 'password', autocomplete: 'current-password', required: true });
    const form = h('form', {
      onsubmit: async (e) => {
        e.preventDefault();
        try {
          const r = await fetch('/api/auth/login', {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', 'Accept-Language': I18N.lang },
            body: JSON.stringify({ username: user.value.trim(), password: pass.value }),
          });
          const body = await r.json();
          if (!r.ok) { say(body.message || t('login_failed'), true); return; }
          await ZY.kv.set('token', body.access_token);
          await ZY.kv.set('user', body.user);
          say('');
          await flushOutbox();
          go(homeFor(body.user));
        } catch (err) {
          say(t('offline'), true);
        }
      },
    },
    h('label', { for: 'username' }, t('username')), user,
    h('label', { for: 'password' }, t('password')), pass,
    h('p', {}, h('button', { class: 'primary', type: 'submit' }, t('login'))));
    show(t('app'), form);
  }

  function homeFor(user) {
    if (!user) return '#/login';
    if (user.role === 'caregiver') return '#/home';
    if (user.role === 'volunteer') return '#/volunteer';
    return '#/staff';
  }

  async function caregiverHome() {
    const { data, stale } = await cached('progress', '/api/me/progress');
    if (!stale) prefetch(data);
    const cards = data.map((p) => {
      const pct = Math.min(100, Math.round((100 * p.done) / Math.max(1, p.quota)));
      const state = p.overdue ? h('span', { class: 'tag red' }, t('overdue'))
        : p.done < p.expected_by_today ? h('span', { class: 'tag amber' }, t('behind'))
          : h('span', { class: 'tag green' }, t('on_track'));
      return h('a', { class: `card${p.overdue ? ' overdue' : ''}`, href: `#/person/${p.person_id}`, 'data-person': p.person_id },
        h('h2', {}, p.name),
        h('div', { class: 'row' }, h('span', {}, `${p.village_name} · ${levelLabel(p.self_care_level)}`), state),
        h('div', { class: 'progress', role: 'progressbar', 'aria-valuenow': pct, 'aria-valuemin': 0, 'aria-valuemax': 100 },
          h('span', { style: `width:${pct}%` })),
        h('div', { class: 'row' },
          h('strong', { class: 'month-progress' }, t('month_progress', { done: p.done, quota: p.quota })),
          h('span', { class: 'muted' }, p.last_visit_at ? t('last_visit', { date: fmtDate(p.last_visit_at) }) : t('never_visited'))));
    });
    show(t('my_persons'),
      stale ? h('p', { class: 'muted' }, t('offline')) : null,
      cards.length ? cards : h('p', {}, t('no_persons')),
      commonLinks());
  }

  /** While there is a network, keep what a check-in needs in a dead zone: each person's record
   * and the catalogue. */
  function prefetch(progress) {
    loadCatalogue().catch(() => {});
    for (const p of progress) cached(`person:${p.person_id}`, `/api/persons/${p.person_id}`).catch(() => {});
  }

  async function personScreen(id) {
    const cat = await loadCatalogue();
    const { data: p } = await cached(`person:${id}`, `/api/persons/${id}`);
    let last = null;
    try {
      const { data } = await cached(`lastvisit:${id}`, `/api/visits?person_id=${id}&page_size=1`);
      last = data[0] || null;
    } catch (e) { /* no history offline */ }
    const services = cat.services.filter((s) => s.levels.includes(p.self_care_level) && s.code !== 'wellbeing_call');
    const obs = last && last.observations;
    const obsList = obs ? Object.entries(obs).filter(([, v]) => v).map(([k, v]) => {
      if (k === 'note') return h('li', {}, `${t('note')}：${v}`);
      const choice = (cat.observations[k] || []).find((c) => c.code === v);
      return h('li', {}, `${t(`obs_${k}`) || k}：${choice ? choice.label : v}`);
    }) : [];
    show(p.name,
      h('p', {}, h('strong', {}, `${p.village_name || ''}`), ` · ${levelLabel(p.self_care_level)}`),
      p.address ? h('p', {}, `${t('address')}：${p.address}`) : null,
      h('p', {}, h('a', { class: 'button primary', href: `#/checkin/${id}`, id: 'start-checkin' }, t('checkin'))),
      h('h3', {}, t('care_checklist')),
      h('ul', {}, services.map((s) => h('li', {}, s.label))),
      h('h3', {}, t('last_observations')),
      last ? h('p', { class: 'muted' }, fmtTime(last.started_at)) : null,
      obsList.length ? h('ul', {}, obsList) : h('p', {}, t('none_yet')));
  }

  function choiceGroup(field, choices, state) {
    const buttons = choices.map((c) => h('button', {
      type: 'button', 'aria-pressed': 'false', 'data-field': field, 'data-code': c.code,
      onclick: (e) => {
        const on = state[field] !== c.code;
        state[field] = on ? c.code : undefined;
        for (const b of buttons) b.setAttribute('aria-pressed', String(on && b === e.currentTarget));
      },
    }, c.label));
    return h('div', {}, h('label', {}, t(`obs_${field}`)), h('div', { class: 'choices' }, buttons));
  }

  /** The camera input (the back camera on a phone), each photo scaled down on the phone and shown. */
  function photoPicker(inputId, previewId) {
    const photos = [];
    const preview = h('div', { class: 'thumbs', id: previewId });
    const count = h('p', { id: `${inputId}-count`, class: 'muted' });
    const input = h('input', {
      type: 'file', accept: 'image/*', capture: 'environment', id: inputId, class: 'file-input',
      onchange: async () => {
        for (const file of input.files) {
          if (photos.length >= 6) break;
          const { blob } = await Camera.downscale(file);
          photos.push(blob);
          preview.append(h('img', { src: URL.createObjectURL(blob), alt: '' }));
        }
        input.value = '';
        count.textContent = t('photo_added', { n: photos.length });
      },
    });
    return { photos, input, preview, count };
  }

  async function checkinScreen(id) {
    const cat = await loadCatalogue();
    const { data: p } = await cached(`person:${id}`, `/api/persons/${id}`);
    const startedAt = new Date().toISOString();
    const observations = {};
    let position = null;
    let mode = 'home';

    const { photos, input: fileInput, preview, count: photoCount } = photoPicker('photo-input', 'photos');

    const gpsText = h('span', { id: 'gps-status' }, t('locating'));
    async function locate() {
      gpsText.textContent = t('locating');
      try {
        position = await Geo.locate();
        gpsText.textContent = t('located', { m: Math.round(position.accuracy) });
      } catch (e) {
        position = null;
        gpsText.textContent = t('location_failed');
      }
    }
    locate();

    const modeButtons = ['home', 'phone', 'video'].map((m) => h('button', {
      type: 'button', 'aria-pressed': String(m === mode), 'data-mode': m,
      onclick: () => { mode = m; for (const b of modeButtons) b.setAttribute('aria-pressed', String(b.dataset.mode === m)); },
    }, t(`mode_${m}`)));

    const services = cat.services.filter((s) => s.levels.includes(p.self_care_level)
      && (s.code !== 'wellbeing_call'));
    const serviceBoxes = services.map((s) => h('label', {}, h('input', { type: 'checkbox', value: s.code }), s.label));
    const note = h('textarea', { id: 'note', rows: 2, maxlength: 500 });

    async function submit() {
      if (mode === 'home' && photos.length === 0) { say(t('need_photo'), true); return; }
      const fd = new FormData();
      fd.append('client_id', crypto.randomUUID());
      fd.append('person_id', String(id));
      fd.append('mode', mode);
      fd.append('started_at', startedAt);
      fd.append('ended_at', new Date().toISOString());
      if (position && mode === 'home') {
        fd.append('lat', String(position.lat));
        fd.append('lon', String(position.lon));
        fd.append('accuracy_m', String(position.accuracy));
      }
      for (const box of serviceBoxes) {
        const input = box.querySelector('input');
        if (input.checked) fd.append('services', input.value);
      }
      if (mode !== 'home') fd.append('services', 'wellbeing_call');
      const obs = { ...observations };
      if (note.value.trim()) obs.note = note.value.trim();
      if (Object.values(obs).some((v) => v)) fd.append('observations', JSON.stringify(obs));
      photos.forEach((blob, i) => fd.append('photos', blob, `photo-${i + 1}.jpg`));
      // Stored whole, body as ArrayBuffer with its multipart boundary, before any network use.
      const req = new Request('/api/visits', { method: 'POST', body: fd });
      await ZY.outbox.add({
        url: '/api/visits', method: 'POST', contentType: req.headers.get('Content-Type'),
        body: await req.arrayBuffer(), clientId: fd.get('client_id'), label: `${p.name} ${fmtTime(startedAt)}`,
      });
      await refreshBadge();
      sayAfterNavigation(t('saved_will_send'));
      go('#/home');
      requestSync();
      flushOutbox();
    }

    show(`${t('checkin')} · ${p.name}`,
      h('label', { for: 'photo-input', class: 'button primary', id: 'take-photo' }, t('take_photo')), fileInput,
      photoCount, preview,
      h('label', {}, t('location')),
      h('div', { class: 'row' }, gpsText, h('button', { type: 'button', class: 'small', onclick: locate, id: 'gps-retry' }, t('retry'))),
      h('label', {}, t('mode')), h('div', { class: 'choices' }, modeButtons),
      h('label', {}, t('services_done')), h('div', { class: 'checks' }, serviceBoxes),
      h('h3', {}, t('observations')),
      ['health', 'living_environment', 'hygiene', 'food_supplies', 'mood'].map((f) => choiceGroup(f, cat.observations[f], observations)),
      h('label', { for: 'note' }, t('note')), note,
      h('p', {}, h('button', { class: 'primary', id: 'submit', type: 'button', onclick: submit }, t('submit'))));
  }

  async function outboxScreen() {
    const [entries, failed] = [await ZY.outbox.all(), await ZY.outbox.failed()];
    show(t('outbox'),
      entries.length ? h('div', {}, entries.map((e) => h('div', { class: 'card' },
        h('strong', {}, e.label || e.url), h('div', { class: 'muted' }, t('waiting_network'))))) : h('p', {}, t('outbox_empty')),
      entries.length ? h('p', {}, h('button', { class: 'primary', onclick: async () => { await flushOutbox(); route(); } }, t('send_now'))) : null,
      failed.length ? h('h3', {}, t('failed_items')) : null,
      failed.map((f) => h('div', { class: 'card overdue' }, h('strong', {}, f.label || ''), h('div', {}, f.message || `HTTP ${f.status}`))),
      failed.length ? h('p', {}, h('button', { onclick: async () => { await ZY.outbox.clearFailed(); route(); } }, t('clear'))) : null);
  }

  async function staffHome() {
    const cat = await loadCatalogue();
    const label = (list, code) => (list.find((x) => x.code === code) || { label: code }).label;
    const { data } = await cached('exceptions', '/api/visits?status=exception&page_size=50');
    const cards = data.map((v) => {
      const reason = h('select', { 'aria-label': t('reason') },
        cat.review_reasons.map((r) => h('option', { value: r.code, 'data-decision': r.decision }, `${t(r.decision)} · ${r.label}`)));
      const thumbs = h('div', { class: 'thumbs' });
      v.photos.forEach(async (ph) => {
        try { thumbs.append(h('img', { src: await API.imageUrl(ph.thumb_url), alt: '' })); } catch (e) { /* offline */ }
      });
      const card = h('div', { class: 'card', 'data-visit': v.id },
        h('h3', {}, `${v.person_name} · ${fmtTime(v.started_at)}`),
        h('div', {}, v.verification.exceptions.map((c) => h('span', { class: 'tag red' }, label(cat.exceptions, c), ' '))),
        thumbs,
        h('label', {}, t('reason')), reason,
        h('div', { class: 'row' },
          h('button', { onclick: () => review('accept') }, t('accept')),
          h('button', { class: 'danger', onclick: () => review('reject') }, t('reject'))));
      async function review(decision) {
        let code = reason.value;
        const chosen = reason.selectedOptions[0];
        if (chosen.dataset.decision !== decision) code = decision === 'accept' ? 'other_accept' : 'other_reject';
        await guard(async () => {
          await API.post(`/api/visits/${v.id}/review`, { decision, reason_code: code });
          card.replaceChildren(h('strong', {}, `${v.person_name} · ${t('reviewed')}`));
        });
      }
      return card;
    });
    show(t('staff_home'),
      h('p', {}, h('a', { class: 'button primary', href: '#/coverage' }, t('coverage'))),
      h('p', {}, h('a', { class: 'button primary', href: '#/alerts', id: 'alerts-link' }, t('alerts'))),
      h('p', {}, h('a', { class: 'button primary', href: '#/dashboard', id: 'dashboard-link' }, t('dashboard'))),
      h('h3', {}, t('exceptions')),
      cards.length ? cards : h('p', {}, t('no_exceptions')),
      commonLinks());
  }

  function trendChart(trend) {
    const w = 320, hgt = 140, bar = w / trend.length;  // percentages above the bars, months below
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', `0 0 ${w} ${hgt + 24}`);
    svg.setAttribute('class', 'chart');
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', t('trend'));
    trend.forEach((m, i) => {
      const pct = m.active ? m.visited / m.active : 0;
      const rect = document.createElementNS(ns, 'rect');
      rect.setAttribute('x', i * bar + 6); rect.setAttribute('width', bar - 12);
      rect.setAttribute('y', hgt - pct * hgt); rect.setAttribute('height', Math.max(1, pct * hgt));
      rect.setAttribute('fill', '#00695c');
      const label = (y, content, weight) => {
        const text = document.createElementNS(ns, 'text');
        text.setAttribute('x', i * bar + bar / 2); text.setAttribute('y', y);
        text.setAttribute('text-anchor', 'middle'); text.setAttribute('font-size', '14');
        if (weight) text.setAttribute('font-weight', weight);
        text.textContent = content;
        return text;
      };
      svg.append(rect, label(hgt + 18, `${Number(m.month.slice(5))}${I18N.lang === 'en' ? '' : '月'}`),
        label(Math.max(14, hgt - pct * hgt - 4), `${Math.round(pct * 100)}%`, '700'));
    });
    return svg;
  }

  /** Bars with a value above and the month below: values as shares (0–1) or counts. */
  function barChart(points, { label, share }) {
    const w = 360, hgt = 140, bar = w / points.length;
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', `0 0 ${w} ${hgt + 24}`);
    svg.setAttribute('class', 'chart');
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', label);
    const top = share ? 1 : Math.max(1, ...points.map((p) => p.value));
    points.forEach((p, i) => {
      const frac = p.value / top;
      const rect = document.createElementNS(ns, 'rect');
      rect.setAttribute('x', i * bar + 3); rect.setAttribute('width', bar - 6);
      rect.setAttribute('y', hgt - frac * hgt); rect.setAttribute('height', Math.max(1, frac * hgt));
      rect.setAttribute('fill', share ? '#00695c' : '#b71c1c');
      const text = (y, content, weight) => {
        const el = document.createElementNS(ns, 'text');
        el.setAttribute('x', i * bar + bar / 2); el.setAttribute('y', y);
        el.setAttribute('text-anchor', 'middle'); el.setAttribute('font-size', '12');
        if (weight) el.setAttribute('font-weight', weight);
        el.textContent = content;
        return el;
      };
      svg.append(rect, text(hgt + 18, `${Number(p.month.slice(5))}`),
        text(Math.max(12, hgt - frac * hgt - 3), share ? `${Math.round(p.value * 100)}` : `${p.value}`, '700'));
    });
    return svg;
  }

  async function dashboardScreen() {
    const { data } = await cached('dashboard', '/api/reports/dashboard');
    const coverage = data.months.map((m) => ({ month: m.month, value: m.active ? m.visited / m.active : 0 }));
    const alerts = data.months.map((m) => ({ month: m.month, value: m.alerts }));
    show(`${data.name} · ${t('dashboard')}`,
      h('h3', {}, t('coverage_12')), barChart(coverage, { label: t('coverage_12'), share: true }),
      h('h3', {}, t('alerts_12')), barChart(alerts, { label: t('alerts_12'), share: false }));
  }

  async function coverageScreen() {
    const { data } = await cached('coverage', '/api/coverage');
    const rows = data.children.map((c) => {
      const pct = c.active ? Math.round((100 * c.visited) / c.active) : 0;
      return h('div', { class: 'card', 'data-place': c.place_id },
        h('strong', {}, c.name),
        h('div', { class: 'progress', role: 'progressbar', 'aria-valuenow': pct }, h('span', { style: `width:${pct}%` })),
        h('div', { class: 'muted' }, t('coverage_row', { visited: c.visited, active: c.active, met: c.quota_met })));
    });
    const tot = data.total;
    show(`${data.name} · ${t('coverage')}`,
      h('p', {}, h('strong', {}, t('coverage_row', { visited: tot.visited, active: tot.active, met: tot.quota_met }))),
      rows,
      h('h3', {}, t('trend')), trendChart(data.trend));
  }

  async function activityScreen() {
    const { data: teams } = await cached('teams', '/api/activities/teams');
    if (!teams.length) { show(t('log_activity'), h('p', {}, t('no_team'))); return; }
    const team = teams[0];
    const { data: villages } = await cached(`villages:${team.township_id}`, `/api/places?parent_id=${team.township_id}`);
    let kind = null;
    const kinds = ['policy_publicity', 'visit', 'cleanup_help', 'festival_visit', 'other'];
    const kindButtons = kinds.map((k) => h('button', {
      type: 'button', 'aria-pressed': 'false', 'data-kind': k,
      onclick: () => { kind = k; for (const b of kindButtons) b.setAttribute('aria-pressed', String(b.dataset.kind === k)); },
    }, t(`activity_${k}`)));
    const day = h('input', { type: 'date', id: 'held-on', value: new Date().toLocaleDateString('sv-SE'), class: 'date' });
    const place = h('select', { id: 'activity-place' },
      h('option', { value: team.township_id }, team.name), villages.map((v) => h('option', { value: v.id }, v.name)));
    const participants = h('input', { type: 'text', inputmode: 'numeric', id: 'participants', value: '1' });
    const served = h('input', { type: 'text', inputmode: 'numeric', id: 'people-served', value: '0' });
    const note = h('textarea', { id: 'activity-note', rows: 2, maxlength: 500 });
    const { photos, input: fileInput, preview } = photoPicker('activity-photo', 'activity-photos');
    async function submit() {
      if (!kind) { say(t('choose_kind'), true); return; }
      const fd = new FormData();
      fd.append('client_id', crypto.randomUUID());
      fd.append('team_id', String(team.id));
      fd.append('kind', kind);
      fd.append('held_on', day.value);
      fd.append('place_id', place.value);
      fd.append('participants', participants.value.trim() || '0');
      fd.append('people_served', served.value.trim() || '0');
      if (note.value.trim()) fd.append('note', note.value.trim());
      photos.forEach((blob, i) => fd.append('photos', blob, `activity-${i + 1}.jpg`));
      const req = new Request('/api/activities', { method: 'POST', body: fd });
      await ZY.outbox.add({ url: '/api/activities', method: 'POST', contentType: req.headers.get('Content-Type'),
        body: await req.arrayBuffer(), clientId: fd.get('client_id'), label: `${team.name} ${day.value} ${t(`activity_${kind}`)}` });
      await refreshBadge();
      sayAfterNavigation(t('saved_will_send'));
      go('#/volunteer');
      requestSync();
      flushOutbox();
    }
    show(t('log_activity'),
      h('p', { class: 'muted' }, team.name),
      h('label', {}, t('activity_kind')), h('div', { class: 'choices' }, kindButtons),
      h('label', { for: 'held-on' }, t('activity_date')), day,
      h('label', { for: 'activity-place' }, t('activity_place')), place,
      h('label', { for: 'participants' }, t('participants')), participants,
      h('label', { for: 'people-served' }, t('people_served')), served,
      h('label', { for: 'activity-photo', class: 'button', id: 'activity-take-photo' }, t('take_photo')), fileInput, preview,
      h('label', { for: 'activity-note' }, t('note')), note,
      h('p', {}, h('button', { class: 'primary', id: 'activity-submit', type: 'button', onclick: submit }, t('submit'))));
  }

  async function volunteerHome() {
    const { data } = await cached('township-persons', '/api/persons?page_size=200');
    show(t('volunteer_home'),
      h('p', {}, h('a', { class: 'button primary', href: '#/activity', id: 'log-activity' }, t('log_activity'))),
      h('p', { class: 'muted' }, t('person_count', { n: data.length })),
      h('table', {}, h('tbody', {}, data.map((p) => h('tr', {}, h('td', {}, p.name), h('td', {}, p.village_name))))),
      commonLinks());
  }

  function urlBase64ToBytes(b64) {
    const pad = '='.repeat((4 - (b64.length % 4)) % 4);
    const raw = atob((b64 + pad).replace(/-/g, '+').replace(/_/g, '/'));
    return Uint8Array.from(raw, (c) => c.charCodeAt(0));
  }

  /** Permission is asked only here, on the user's tap. Web Push may not reach a phone in China
   * (Chrome pushes through FCM); the inbox and SMS carry the same messages regardless. */
  async function enablePush() {
    if (!('Notification' in window) || !('PushManager' in window)) { say(t('push_unsupported'), true); return; }
    const permission = await Notification.requestPermission();
    if (permission !== 'granted') { say(t('push_denied'), true); return; }
    await guard(async () => {
      const { public_key: key } = await API.get('/api/push/vapid-public-key');
      const reg = await navigator.serviceWorker.ready;
      let sub;
      try {
        sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: urlBase64ToBytes(key) });
      } catch (e) {
        say(t('push_unavailable'), true);
        return;
      }
      await API.post('/api/push/subscriptions', sub.toJSON());
      say(t('push_on'));
    });
  }

  async function inboxScreen() {
    const { data } = await cached('inbox', '/api/notifications?page_size=50');
    const supported = 'Notification' in window && 'PushManager' in window;
    show(t('inbox'),
      supported
        ? h('p', {}, h('button', { id: 'push-optin', class: 'primary', onclick: enablePush },
          Notification.permission === 'granted' ? t('push_refresh') : t('push_enable')))
        : h('p', { class: 'muted' }, t('push_unsupported')),
      data.length ? data.map((n) => h('a', {
        class: `card${n.urgent ? ' overdue' : ''}`, href: n.url || '#/inbox', 'data-notification': n.id,
        style: n.read_at ? '' : 'font-weight:700',
        onclick: () => API.post(`/api/notifications/${n.id}/read`).catch(() => {}),
      }, h('strong', {}, n.title), h('div', {}, n.body), h('div', { class: 'muted' }, fmtTime(n.created_at))))
        : h('p', {}, t('inbox_empty')),
      data.some((n) => !n.read_at)
        ? h('p', {}, h('button', { onclick: async () => { await guard(() => API.post('/api/notifications/read-all')); route(); } }, t('mark_all_read')))
        : null);
  }

  async function alertsScreen() {
    const { data } = await cached('alerts', '/api/alerts?page_size=50');
    const outcomes = ['resolved_at_home', 'moved_to_care_home', 'medical_referral', 'emergency_relief', 'other'];
    const cards = data.filter((a) => a.status !== 'resolved').map((a) => {
      const outcome = h('select', { 'aria-label': t('outcome') }, outcomes.map((o) => h('option', { value: o }, t(`outcome_${o}`))));
      const noteBox = h('textarea', { rows: 2, maxlength: 500, 'aria-label': t('note') });
      const card = h('div', { class: `card${a.severity === 'urgent' ? ' overdue' : ''}`, 'data-alert': a.id },
        h('h3', {}, a.title),
        h('div', { class: 'row' },
          h('span', { class: `tag ${a.level === 'district' ? 'red' : 'amber'}` }, t(`level_${a.level}`)),
          h('span', { class: 'tag green' }, t(`alert_${a.status}`))),
        h('ol', { class: 'muted' }, a.events.map((e) => h('li', {}, `${fmtTime(e.at)} ${t(`event_${e.kind}`)}`))),
        a.status === 'open' ? h('p', {}, h('button', { onclick: () => act('ack', {}) }, t('acknowledge'))) : null,
        h('label', {}, t('note')), noteBox,
        h('p', {}, h('button', { onclick: () => noteBox.value.trim() && act('notes', { note: noteBox.value.trim() }) }, t('add_note'))),
        h('label', {}, t('outcome')), outcome,
        h('p', {}, h('button', { onclick: () => act('resolve', { outcome: outcome.value, note: noteBox.value.trim() || null }) }, t('resolve'))));
      async function act(what, body) {
        await guard(async () => { await API.post(`/api/alerts/${a.id}/${what}`, body); route(); });
      }
      return card;
    });
    show(t('alerts'), cards.length ? cards : h('p', {}, t('no_alerts')));
  }

  function commonLinks() {
    return h('p', { class: 'row' }, h('a', { class: 'button', href: '#/inbox', id: 'inbox-link' }, t('inbox')),
      h('button', { onclick: logout, class: 'danger' }, t('logout')));
  }

  async function logout() {
    try { await API.post('/api/auth/logout'); } catch (e) { /* offline: forget the token anyway */ }
    // the records kept for offline use are this user's to see, not the next user's of this phone
    await ZY.kv.clearExcept(['lang']);
    catalogue = null;
    go('#/login');
  }

  // ---- routing ---------------------------------------------------------------------------------

  async function route() {
    const hash = location.hash || '';
    const token = await ZY.kv.get('token');
    const user = await currentUser();
    if (!token && hash !== '#/login') { go('#/login'); return; }
    const [, name, arg] = hash.split('/');
    await guard(async () => {
      switch (name) {
        case 'login': return loginScreen();
        case 'home': return caregiverHome();
        case 'person': return personScreen(Number(arg));
        case 'checkin': return checkinScreen(Number(arg));
        case 'outbox': return outboxScreen();
        case 'staff': return staffHome();
        case 'coverage': return coverageScreen();
        case 'volunteer': return volunteerHome();
        case 'inbox': return inboxScreen();
        case 'alerts': return alertsScreen();
        case 'dashboard': return dashboardScreen();
        case 'activity': return activityScreen();
        default: go(homeFor(user));
      }
    });
  }

  async function boot() {
    await I18N.load(localStorage.getItem('lang') || 'zh-CN');
    await ZY.kv.set('lang', I18N.lang);
    langBtn.textContent = t('lang_switch');
    langBtn.addEventListener('click', async () => {
      localStorage.setItem('lang', I18N.other());
      await I18N.load(I18N.other());
      await ZY.kv.set('lang', I18N.lang);
      langBtn.textContent = t('lang_switch');
      refreshBadge();
      route();
    });
    backBtn.addEventListener('click', () => history.back());
    window.addEventListener('hashchange', () => { say(...(nextStatus || [''])); nextStatus = null; route(); });
    // Background Sync exists only in Chromium: flush on open, on `online` and when shown again.
    window.addEventListener('online', flushOutbox);
    document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') flushOutbox(); });
    document.addEventListener('outbox-flushed', () => { if (['#/home', '#/outbox', '#/volunteer'].includes(location.hash)) route(); });
    if ('serviceWorker' in navigator) {
      navigator.serviceWorker.addEventListener('message', (e) => {
        if (e.data && e.data.type === 'outbox') refreshBadge();
        if (e.data && e.data.type === 'flush') flushOutbox();
      });
      navigator.serviceWorker.register('/sw.js');
    }
    await refreshBadge();
    await route();
    flushOutbox();
  }

  boot();
})();
