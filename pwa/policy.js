/* 照应 — what counts toward the month: the visit policy per self-care level and per mode
 * (上门入户 / 电话视频 / 远程监测), which district admins edit and township staff read, and the
 * 月探访率 of the groups seed 002 names (独居、空巢、留守、失能、重残), district → township → village. */
(function () {
  const { h, show, say, guard, route, levelLabel } = App;
  const GROUPS = ['home', 'phone_video', 'remote'];

  function numberInput(id, value, { min = 0, max = 62, blank = false } = {}) {
    return h('input', {
      type: 'number', id, min, max, inputmode: 'numeric', class: 'number',
      value: value === null || value === undefined ? (blank ? '' : '0') : String(value),
    });
  }

  function levelCard(q, editable, onSaved) {
    const visits = numberInput(`visits-${q.self_care_level}`, q.visits_per_month, { min: 1 });
    const gap = numberInput(`gap-${q.self_care_level}`, q.max_gap_days, { min: 1, blank: true });
    const modes = GROUPS.map((g) => ({
      g,
      counts: h('input', { type: 'checkbox', id: `count-${q.self_care_level}-${g}`, checked: q[`count_${g}`] }),
      min: numberInput(`min-${q.self_care_level}-${g}`, q[`min_${g}`]),
    }));
    const source = q.default ? t('pol_default')
      : t('pol_local', { date: new Date(q.updated_at).toLocaleDateString(I18N.lang) });
    const rule = h('p', { class: 'policy-text', 'data-level-text': q.self_care_level }, q.text);
    for (const input of [visits, gap, ...modes.flatMap((m) => [m.counts, m.min])]) input.disabled = !editable;

    async function save() {
      const body = {
        visits_per_month: Number(visits.value),
        max_gap_days: gap.value.trim() === '' ? null : Number(gap.value),
      };
      for (const m of modes) {
        body[`count_${m.g}`] = m.counts.checked;
        body[`min_${m.g}`] = Number(m.min.value || 0);
      }
      await guard(async () => {
        const saved = await API.put(`/api/quotas/${q.self_care_level}`, body);
        say(t('pol_saved', { text: saved.text }));
        onSaved();
      });
    }

    async function reset() {
      await guard(async () => {
        const saved = await API.del(`/api/quotas/${q.self_care_level}`);
        say(t('pol_saved', { text: saved.text }));
        onSaved();
      });
    }

    return h('div', { class: 'card policy', 'data-level': q.self_care_level },
      h('h3', {}, levelLabel(q.self_care_level)),
      rule,
      h('p', { class: `tag ${q.default ? 'green' : 'amber'}` }, source),
      h('label', { for: visits.id }, t('pol_visits')), visits,
      h('table', { class: 'policy-modes' },
        h('thead', {}, h('tr', {}, h('th', {}, t('mode')), h('th', {}, t('pol_counts')), h('th', {}, t('pol_min')))),
        h('tbody', {}, modes.map((m) => h('tr', { 'data-mode': m.g },
          h('th', {}, h('label', { for: m.counts.id }, t(`mode_${m.g}`))), h('td', {}, m.counts), h('td', {}, m.min))))),
      h('label', { for: gap.id }, t('pol_gap')), gap,
      editable ? h('div', { class: 'row' },
        h('button', { class: 'primary', type: 'button', id: `save-${q.self_care_level}`, onclick: save }, t('pol_save')),
        q.default ? null : h('button', { type: 'button', id: `reset-${q.self_care_level}`, onclick: reset }, t('pol_reset')))
        : null);
  }

  async function volunteerSetting(editable) {
    const schedule = await API.get('/api/quotas/schedule');
    const box = h('input', { type: 'checkbox', id: 'volunteer-visits-count', checked: schedule.volunteer_visits_count });
    box.disabled = !editable;
    box.addEventListener('change', () => guard(async () => {
      const keep = ['volunteer_activities_per_month', 'health_check_min_age', 'review_month', 'late_submission_days'];
      const body = Object.fromEntries(keep.map((k) => [k, schedule[k]]));
      await API.put('/api/quotas/schedule', { ...body, volunteer_visits_count: box.checked });
      say(t('pol_saved', { text: t('pol_volunteer') }));
    }));
    return h('div', { class: 'card policy' },
      h('div', { class: 'checks' }, h('label', { for: box.id }, box, t('pol_volunteer'))),
      h('p', { class: 'muted' }, t('pol_volunteer_help')));
  }

  async function policyScreen() {
    const user = await ZY.kv.get('user');
    const editable = !!user && user.role === 'district_admin';
    const levels = await API.get('/api/quotas');
    show(t('pol_title'),
      h('p', { class: 'muted' }, t('pol_intro')),
      editable ? null : h('p', { class: 'tag amber' }, t('pol_readonly')),
      levels.map((q) => levelCard(q, editable, route)),
      await volunteerSetting(editable),
      h('p', {}, h('a', { class: 'button', href: '#/visit-rates', id: 'rates-link' }, t('pol_rates_link'))));
  }

  function rateCell(c) {
    return h('td', { 'data-total': c.total, 'data-visited': c.visited },
      h('strong', {}, c.rate === null ? '–' : `${c.rate}%`), h('br'), h('span', { class: 'muted' }, t('rates_cell', c)));
  }

  /** 月探访率 by group, for a place (default: the user's own), by its child places; a township or
   * district row opens the level below. */
  async function ratesScreen(arg) {
    const query = arg ? `?place_id=${Number(arg)}` : '';
    const data = await API.get(`/api/visit-rates${query}`);
    const keys = [...data.groups, 'any'];
    const head = h('tr', {}, h('th', {}, t('rates_place')),
      keys.map((g) => h('th', {}, g === 'any' ? t('rates_all') : t(`rates_group_${g}`))));
    const rows = data.children.map((c) => h('tr', { 'data-place': c.place_id },
      h('td', {}, c.level === 'village' ? c.name : h('a', { href: `#/visit-rates/${c.place_id}` }, c.name)),
      keys.map((g) => rateCell(c.groups[g]))));
    const total = h('tr', { class: 'total', 'data-place': 'total' }, h('th', {}, t('rates_all')),
      keys.map((g) => rateCell(data.total[g])));
    show(`${data.name} · ${t('rates_title')}`,
      h('p', { class: 'muted' }, data.month),
      h('div', { class: 'rates-wrap' }, h('table', { class: 'rates', id: 'rates' },
        h('thead', {}, head), h('tbody', {}, rows, total))),
      h('p', { class: 'muted' }, t('rates_note')),
      h('p', { class: 'muted', id: 'rates-policy' }, data.policy.text),
      h('p', { class: 'muted' }, data.policy.volunteer_text));
  }

  App.screen('quota-policy', policyScreen, { back: true });
  App.screen('visit-rates', ratesScreen, { back: true });
})();
