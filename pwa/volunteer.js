/* 照应 — the volunteer's screens: the people of their township, and their team's activities
 * logged with photos through the same outbox as a check-in. */
(function () {
  const {
    h, show, say, cached, photoPicker, commonLinks, enqueue,
  } = App;

  async function volunteerHome() {
    const { data } = await cached('township-persons', '/api/persons?page_size=200');
    show(t('volunteer_home'),
      h('p', {}, h('a', { class: 'button primary', href: '#/activity', id: 'log-activity' }, t('log_activity'))),
      h('p', { class: 'muted' }, t('person_count', { n: data.length })),
      h('table', {}, h('tbody', {}, data.map((p) => h('tr', {}, h('td', {}, p.name), h('td', {}, p.village_name))))),
      commonLinks());
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
      await enqueue({ url: '/api/activities', method: 'POST', contentType: req.headers.get('Content-Type'),
        body: await req.arrayBuffer(), clientId: fd.get('client_id'), label: `${team.name} ${day.value} ${t(`activity_${kind}`)}` },
      '#/volunteer');
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

  App.role('volunteer', { home: '#/volunteer' });
  App.screen('volunteer', volunteerHome, { refreshOnFlush: true });
  App.screen('activity', activityScreen, { back: true });
})();
