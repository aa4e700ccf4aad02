/* 照应 — campaigns with a frequency: the quarterly home clean-up (seed 000 item 11: 积分制 and
 * 清单制, a checklist per home and points per person) and the yearly free health check for people
 * of 65 and over (seed 000 item 4, with the family doctor signed or not). Staff and volunteers see
 * who is due and who is done, by village, and record a person done; district admins set the
 * checklist, its points and when staff are reminded. */
(function () {
  const { h, show, say, go, guard, currentUser, route } = App;
  const KINDS = ['cleanup', 'health_check'];

  async function campaignsHome() {
    const user = await currentUser();
    const kinds = user.role === 'volunteer' ? ['cleanup'] : KINDS;
    const all = await Promise.all(kinds.map((k) => API.get(`/api/campaigns/${k}`)));
    show(t('cmp_title'), all.map((c) => {
      const pct = c.total.due ? Math.round((100 * c.total.done) / c.total.due) : 0;
      return h('a', { class: 'card', href: `#/campaign/${c.kind}`, 'data-campaign': c.kind },
        h('h3', {}, t(`cmp_${c.kind}`)),
        h('div', { class: 'progress', role: 'progressbar', 'aria-valuenow': pct }, h('span', { style: `width:${pct}%` })),
        h('div', { class: 'muted' }, t('cmp_summary', { period: c.period, done: c.total.done, due: c.total.due, end: c.ends_on })));
    }));
  }

  function recordForm(c, p) {
    const today = new Date().toLocaleDateString('sv-SE');
    const day = h('input', { type: 'date', value: today, 'aria-label': t('cmp_date') });
    let body;
    let fields;
    if (c.kind === 'cleanup') {
      const boxes = c.checklist.map((item) => h('input', { type: 'checkbox', value: item.code, id: `chk-${p.person_id}-${item.code}` }));
      fields = h('div', { class: 'checks' }, c.checklist.map((item, i) => h('label', { for: boxes[i].id }, boxes[i],
        t('cmp_item', { label: item.label, points: item.points }))));
      body = () => ({ items: boxes.filter((b) => b.checked).map((b) => b.value) });
    } else {
      let signed = null;
      const choices = [true, false].map((v) => h('button', {
        type: 'button', 'aria-pressed': 'false', 'data-signed': String(v),
        onclick: () => { signed = v; for (const b of choices) b.setAttribute('aria-pressed', String(b.dataset.signed === String(v))); },
      }, t(v ? 'cmp_doctor_yes' : 'cmp_doctor_no')));
      fields = h('div', {}, h('label', {}, t('cmp_doctor')), h('div', { class: 'choices' }, choices));
      body = () => {
        if (signed === null) throw new API.ApiError(0, { message: t('cmp_doctor_choose') });
        return { family_doctor_signed: signed };
      };
    }
    const save = () => guard(async () => {
      await API.post(`/api/campaigns/${c.kind}/records`, { person_id: p.person_id, done_on: day.value, ...body() });
      say(t('cmp_saved', { name: p.name }));
      route();
    });
    return h('details', { class: 'plan', 'data-person': p.person_id },
      h('summary', {}, `${p.name} · ${p.village_name}${p.age ? ` · ${t('cmp_age', { n: p.age })}` : ''}`),
      fields, h('label', {}, t('cmp_date')), day,
      h('p', {}, h('button', { class: 'primary', onclick: save }, t('cmp_record'))));
  }

  async function campaignScreen(kind) {
    if (!KINDS.includes(kind)) { go('#/campaigns'); return; }
    const c = await API.get(`/api/campaigns/${kind}`);
    const user = await currentUser();
    const todo = c.persons.filter((p) => !p.done);
    const done = c.persons.filter((p) => p.done);
    const doneLine = (p) => (kind === 'cleanup' ? t('cmp_points', { n: p.points })
      : t(p.family_doctor_signed ? 'cmp_doctor_yes' : 'cmp_doctor_no'));
    show(`${c.name} · ${t(`cmp_${kind}`)}`,
      h('p', {}, h('strong', { id: 'cmp-total' }, t('cmp_summary', { period: c.period, done: c.total.done, due: c.total.due, end: c.ends_on }))),
      kind === 'cleanup' ? h('p', { class: 'muted' }, t('cmp_points_total', { n: c.total.points }))
        : h('p', { class: 'muted' }, t('cmp_doctor_total', { n: c.total.doctor_signed })),
      h('h3', {}, t('cmp_by_village')),
      c.villages.map((v) => {
        const pct = v.due ? Math.round((100 * v.done) / v.due) : 0;
        return h('div', { class: 'card', 'data-village': v.place_id }, h('strong', {}, v.name),
          h('div', { class: 'progress', role: 'progressbar', 'aria-valuenow': pct }, h('span', { style: `width:${pct}%` })),
          h('div', { class: 'muted' }, t('cmp_village_row', { done: v.done, due: v.due })));
      }),
      h('h3', {}, t('cmp_todo', { n: todo.length })),
      todo.length ? todo.map((p) => recordForm(c, p)) : h('p', {}, t('cmp_all_done')),
      h('h3', {}, t('cmp_done', { n: done.length })),
      h('table', { id: 'cmp-done' }, h('tbody', {}, done.map((p) => h('tr', { 'data-person': p.person_id },
        h('td', {}, p.name), h('td', {}, p.village_name), h('td', {}, doneLine(p)))))),
      user.role === 'district_admin' ? h('p', {}, h('a', { class: 'button', href: `#/campaign-policy/${kind}` }, t('cmp_policy'))) : null);
  }

  async function policyScreen(kind) {
    if (!KINDS.includes(kind)) { go('#/campaigns'); return; }
    const p = await API.get(`/api/campaigns/${kind}/policy`);
    const remind = h('input', { type: 'text', inputmode: 'numeric', id: 'cmp-remind', value: String(p.remind_days_before) });
    const rows = p.checklist.map((item) => ({ code: item.code, label: h('input', { type: 'text', value: item.label, 'aria-label': t('cmp_item_label') }),
      points: h('input', { type: 'text', inputmode: 'numeric', value: String(item.points), 'aria-label': t('cmp_item_points') }) }));
    const list = h('div', {});
    const draw = () => list.replaceChildren(...rows.map((r) => h('div', { class: 'card' }, h('div', { class: 'row' }, r.label, r.points))));
    draw();
    const add = () => {
      rows.push({ code: `item_${Date.now() % 100000}`, label: h('input', { type: 'text', 'aria-label': t('cmp_item_label') }),
        points: h('input', { type: 'text', inputmode: 'numeric', value: '1', 'aria-label': t('cmp_item_points') }) });
      draw();
    };
    const save = () => guard(async () => {
      const body = { remind_days_before: Number(remind.value) };
      if (kind === 'cleanup') {
        body.checklist = rows.filter((r) => r.label.value.trim())
          .map((r) => ({ code: r.code, label: r.label.value.trim(), points: Number(r.points.value) }));
      }
      await API.put(`/api/campaigns/${kind}/policy`, body);
      say(t('svc_done'));
    });
    show(`${t(`cmp_${kind}`)} · ${t('cmp_policy')}`,
      h('label', { for: 'cmp-remind' }, t('cmp_remind_days')), remind,
      kind === 'cleanup' ? [h('h3', {}, t('cmp_checklist')), list, h('p', {}, h('button', { onclick: add }, t('cmp_add_item')))] : null,
      h('p', {}, h('button', { class: 'primary', id: 'cmp-policy-save', onclick: save }, t('svc_save'))));
  }

  App.screen('campaigns', campaignsHome, { back: true });
  App.screen('campaign', campaignScreen, { back: true });
  App.screen('campaign-policy', policyScreen, { back: true });
})();
