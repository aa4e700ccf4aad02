/* 照应 — the caregiver's screens: their persons with this month's progress, a person's record,
 * the check-in (photo, GPS, care given, what was seen) that goes to the outbox at once. */
(function () {
  const {
    h, show, say, sayAfterNavigation, fmtDate, fmtTime, levelLabel, go, cached, loadCatalogue,
    refreshBadge, flushOutbox, requestSync, photoPicker, commonLinks,
  } = App;

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
        h('div', { class: 'progress', role: 'progressbar', 'aria-valuenow': pct, 'aria-valuemin': 0, 'aria-valuemax': 100,
          'aria-label': t('month_progress', { done: p.done, quota: p.quota }) },
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

  App.role('caregiver', { home: '#/home' });
  App.screen('home', caregiverHome, { refreshOnFlush: true });
  App.screen('person', (arg) => personScreen(Number(arg)), { back: true });
  App.screen('checkin', (arg) => checkinScreen(Number(arg)), { back: true });
})();
