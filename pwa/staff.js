/* 照应 — the township staff's screens: visit exceptions to review, alerts to handle, coverage by
 * village with its trend, and a dashboard of the last year. The district admin uses them too. */
(function () {
  const { h, show, fmtTime, route, cached, loadCatalogue, guard, commonLinks } = App;

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
      h('p', {}, h('a', { class: 'button primary', href: '#/import', id: 'import-link' }, t('imp_title'))),
      h('p', {}, h('a', { class: 'button primary', href: '#/services', id: 'services-link' }, t('svc_title'))),
      h('p', {}, h('a', { class: 'button primary', href: '#/campaigns', id: 'campaigns-link' }, t('cmp_title'))),
      h('p', {}, h('a', { class: 'button primary', href: '#/reviews', id: 'reviews-link' }, t('rv_link'))),
      h('p', {}, h('a', { class: 'button primary', href: '#/roster', id: 'roster-link' }, t('lc_title'))),
      h('p', {}, h('a', { class: 'button primary', href: '#/quota-policy', id: 'policy-link' }, t('pol_title'))),
      h('p', {}, h('a', { class: 'button primary', href: '#/pairing', id: 'pairing-link' }, t('pairing'))),
      h('p', {}, h('a', { class: 'button primary', href: '#/festivals', id: 'festivals-link' }, t('festivals'))),
      h('p', {}, h('a', { class: 'button primary', href: '#/visit-rates', id: 'visit-rates-link' }, t('rates_title'))),
      h('p', {}, h('a', { class: 'button primary', href: '#/evaluations', id: 'evaluations-link' }, t('evaluations'))),
      h('p', {}, h('a', { class: 'button primary', href: '#/relief', id: 'relief-link' }, t('relief'))),
      (await ZY.kv.get('user') || {}).role === 'district_admin'
        ? h('p', {}, h('a', { class: 'button', href: '#/casework-policy', id: 'policy-link' }, t('casework_policy'))) : null,
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
      data.policy ? h('p', { class: 'muted', id: 'coverage-policy' }, data.policy.text) : null,
      rows,
      h('h3', {}, t('trend')), trendChart(data.trend));
  }

  async function alertsScreen() {
    const { data } = await cached('alerts', '/api/alerts?page_size=50');
    const outcomes = ['resolved_at_home', 'moved_to_care_home', 'medical_referral', 'emergency_relief',
      'referred_to_judiciary', 'other'];
    const cards = data.filter((a) => a.status !== 'resolved').map((a) => {
      if (a.detail && a.detail.closed_by) {
        // a relief's 补充说明: filed on the relief screen, which closes it
        return h('a', { class: `card${a.level === 'district' ? ' overdue' : ''}`, href: '#/relief', 'data-alert': a.id },
          h('h3', {}, a.title), h('span', { class: `tag ${a.level === 'district' ? 'red' : 'amber'}` }, t(`level_${a.level}`)));
      }
      const outcome = h('select', { 'aria-label': t('outcome') }, outcomes.map((o) => h('option', { value: o }, t(`outcome_${o}`))));
      const noteBox = h('textarea', { rows: 2, maxlength: 500, 'aria-label': t('note') });
      // 临时救助: 小金额先行救助 — the amount and the date it was given (seed 004 item 11)
      const amount = h('input', { type: 'number', min: '0.01', step: '0.01', inputmode: 'decimal', class: 'relief-amount', 'aria-label': t('relief_amount') });
      const grantedOn = h('input', { type: 'date', class: 'date relief-date', value: new Date().toLocaleDateString('sv-SE'), 'aria-label': t('relief_date') });
      const reliefBox = h('div', { class: 'relief-fields', hidden: true },
        h('label', {}, t('relief_amount')), amount, h('label', {}, t('relief_date')), grantedOn);
      outcome.addEventListener('change', () => { reliefBox.hidden = outcome.value !== 'emergency_relief'; });
      const card = h('div', { class: `card${a.severity === 'urgent' ? ' overdue' : ''}`, 'data-alert': a.id },
        h('h3', {}, a.title),
        h('div', { class: 'row' },
          h('span', { class: `tag ${a.level === 'district' ? 'red' : 'amber'}` }, t(`level_${a.level}`)),
          h('span', { class: 'tag green' }, t(`alert_${a.status}`))),
        h('ol', { class: 'muted' }, a.events.map((e) => h('li', {}, `${fmtTime(e.at)} ${t(`event_${e.kind}`)}`))),
        a.status === 'open' ? h('p', {}, h('button', { onclick: () => act('ack', {}) }, t('acknowledge'))) : null,
        h('label', {}, t('note')), noteBox,
        h('p', {}, h('button', { onclick: () => noteBox.value.trim() && act('notes', { note: noteBox.value.trim() }) }, t('add_note'))),
        h('label', {}, t('outcome')), outcome, reliefBox,
        h('p', {}, h('button', {
          onclick: () => act('resolve', {
            outcome: outcome.value, note: noteBox.value.trim() || null,
            ...(outcome.value === 'emergency_relief' ? { relief: { amount: amount.value, granted_on: grantedOn.value } } : {}),
          }),
        }, t('resolve'))));
      async function act(what, body) {
        await guard(async () => { await API.post(`/api/alerts/${a.id}/${what}`, body); route(); });
      }
      return card;
    });
    show(t('alerts'), cards.length ? cards : h('p', {}, t('no_alerts')));
  }

  App.role('township_staff', { home: '#/staff' });
  App.screen('staff', staffHome);
  App.screen('coverage', coverageScreen, { back: true });
  App.screen('alerts', alertsScreen, { back: true });
  App.screen('dashboard', dashboardScreen, { back: true });
})();
