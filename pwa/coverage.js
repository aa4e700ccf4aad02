/* 照应 — coverage for staff: 月探访率 (the share of persons on the register visited this month)
 * by district → township → village, each row opening the one below, down to the persons — the
 * ones not yet visited first, with their caregiver and a call button — and what 达标 means. */
(function () {
  const { h, show, cached } = App;

  const pct = (visited, active) => (active ? Math.round((100 * visited) / active) : 0);

  function rateBar(rate) {
    const bar = h('span', {});
    bar.style.width = `${rate}%`; // CSSOM, not a style attribute (CSP)
    return h('div', { class: 'progress', role: 'progressbar', 'aria-valuenow': rate, 'aria-valuemin': 0, 'aria-valuemax': 100,
      'aria-label': t('visit_rate') }, bar);
  }

  /** 月探访率 and 达标 in words, with the quotas in force (set by district admins). */
  async function explanation() {
    let quotas = [];
    try { quotas = (await cached('quotas', '/api/quotas')).data; } catch (e) { /* offline with nothing kept */ }
    const per = quotas.map((q) => `${t(`level_${q.self_care_level}`)}：${q.text}`).join(t('list_sep'));
    return h('details', { class: 'explain', id: 'coverage-explain', open: true },
      h('summary', {}, t('coverage_explain_title')),
      h('p', {}, t('visit_rate_means')),
      h('p', {}, t('quota_met_means', { quotas: per || '—' })));
  }

  function trendChart(trend) {
    const w = 320, hgt = 140, bar = w / trend.length;
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', `0 0 ${w} ${hgt + 24}`);
    svg.setAttribute('class', 'chart');
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', t('trend'));
    trend.forEach((m, i) => {
      const share = m.active ? m.visited / m.active : 0;
      const rect = document.createElementNS(ns, 'rect');
      rect.setAttribute('x', i * bar + 6); rect.setAttribute('width', bar - 12);
      rect.setAttribute('y', hgt - share * hgt); rect.setAttribute('height', Math.max(1, share * hgt));
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
        label(Math.max(14, hgt - share * hgt - 4), `${Math.round(share * 100)}%`, '700'));
    });
    return svg;
  }

  /** One place's row: its rate, the counts behind it, and the way down. */
  function placeRow(c) {
    const rate = pct(c.visited, c.active);
    return h('a', { class: 'card', href: `#/coverage/${c.place_id}`, 'data-place': c.place_id },
      h('span', { class: 'row spread' }, h('strong', {}, c.name), h('strong', { class: 'rate' }, `${rate}%`)),
      rateBar(rate),
      h('span', { class: 'muted' }, t('coverage_counts', { visited: c.visited, active: c.active, met: c.quota_met })));
  }

  function personRow(p) {
    return h('div', { class: `card${p.visited ? '' : ' overdue'}`, 'data-person': p.person_id },
      h('strong', {}, p.name), ' ', h('span', { class: 'muted' }, `${p.village} · ${t(`level_${p.self_care_level}`)}`),
      h('div', {}, p.visited
        ? h('span', { class: `tag ${p.quota_met ? 'green' : 'amber'}` }, t(p.quota_met ? 'quota_met_tag' : 'visited_tag', { n: p.quota_visits, quota: p.quota }))
        : h('span', { class: 'tag red' }, t('not_visited'))),
      h('div', { class: 'caregiver' }, `${t('caregiver')}：${p.caregiver_name || t('no_caregiver')}`),
      h('p', { class: 'row' },
        p.caregiver_name ? App.callButton(p.caregiver_phone, t('call_caregiver'), { 'data-call': 'caregiver' }) : null,
        App.callButton(p.phone, t('call_person'), { 'data-call': 'person' })));
  }

  async function personsList(placeId, all) {
    const q = `/api/coverage/persons?unvisited_only=${all ? 'false' : 'true'}${placeId ? `&place_id=${placeId}` : ''}`;
    const { data } = await cached(`coverage-persons:${placeId || 'mine'}:${all}`, q);
    return data;
  }

  async function coverageScreen(arg) {
    const placeId = arg ? Number(arg) : null;
    const { data } = await cached(`coverage:${placeId || 'mine'}`, `/api/coverage${placeId ? `?place_id=${placeId}` : ''}`);
    const tot = data.total;
    const rate = pct(tot.visited, tot.active);
    // a village has no places with persons under it: its persons are the next level down
    const leaf = !data.children.some((c) => c.active);
    const unvisited = tot.active - tot.visited;
    const head = [
      h('p', { class: 'muted' }, t('coverage_of', { place: data.name, month: data.month })),
      h('div', { class: 'card summary', id: 'coverage-total' },
        h('span', { class: 'row spread' }, h('strong', {}, t('visit_rate')), h('strong', { class: 'rate big' }, `${rate}%`)),
        rateBar(rate),
        h('span', { class: 'muted' }, t('coverage_counts', { visited: tot.visited, active: tot.active, met: tot.quota_met }))),
      data.policy ? h('p', { class: 'muted', id: 'coverage-policy' }, data.policy.text) : null,
    ];
    if (leaf) {
      const persons = await personsList(data.place_id, true);
      show(t('coverage'), head, h('h2', {}, t('persons_here')),
        persons.persons.length ? persons.persons.map(personRow) : h('p', {}, t('no_persons_here')),
        await explanation());
      return;
    }
    show(t('coverage'), head,
      unvisited > 0 ? h('p', {}, h('a', { class: 'button', id: 'unvisited-link', href: `#/unvisited/${data.place_id}` },
        t('unvisited_list', { n: unvisited }))) : null,
      h('h2', {}, t('by_place')),
      data.children.map(placeRow),
      await explanation(),
      h('h2', {}, t('trend')), trendChart(data.trend));
  }

  async function unvisitedScreen(arg) {
    const data = await personsList(arg ? Number(arg) : null, false);
    show(t('unvisited_title'),
      h('p', { class: 'muted' }, t('coverage_of', { place: data.name, month: data.month })),
      data.persons.length ? data.persons.map(personRow) : h('p', {}, t('all_visited')));
  }

  // A closed month's persons short of the quota (the month close's verdict, prorated where they
  // were away): what a township's quota_missed alert opens. arg: "<place id>_<YYYY-MM>".
  function missedRow(p) {
    return h('div', { class: 'card overdue', 'data-person': p.person_id },
      h('strong', {}, p.name), ' ', h('span', { class: 'muted' }, `${p.village} · ${t(`level_${p.self_care_level}`)}`),
      h('div', {}, h('span', { class: `tag ${p.quota_visits ? 'amber' : 'red'}` }, t('missed_tag', { n: p.quota_visits, quota: p.quota }))),
      h('div', { class: 'caregiver' }, `${t('caregiver')}：${p.caregiver_name || t('no_caregiver')}`),
      h('p', { class: 'row' },
        p.caregiver_name ? App.callButton(p.caregiver_phone, t('call_caregiver'), { 'data-call': 'caregiver' }) : null,
        App.callButton(p.phone, t('call_person'), { 'data-call': 'person' })));
  }

  async function missedScreen(arg) {
    const [placeId, month] = (arg || '').split('_');
    const q = new URLSearchParams();
    if (placeId) q.set('place_id', placeId);
    if (month) q.set('month', month);
    const { data } = await cached(`coverage-missed:${arg || 'mine'}`, `/api/coverage/missed?${q}`);
    show(t('missed_title'),
      h('p', { class: 'muted', id: 'missed-of' }, t('missed_of', { place: data.name, month: data.month, n: data.persons.length })),
      data.persons.length ? data.persons.map(missedRow) : h('p', {}, t('none_missed')));
  }

  App.coverage = { pct, rateBar, placeRow };
  App.screen('coverage', coverageScreen, { back: true });
  App.screen('unvisited', unvisitedScreen, { back: true });
  App.screen('missed', missedScreen, { back: true });
})();
