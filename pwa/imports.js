/* 照应 — the roster import (花名册), for township staff and district admins: the template and the
 * current roster to download, a file uploaded with its progress, the dry run (counts, errors by
 * row, the plan, who is missing from the file), then apply, which shows the new logins with their
 * one-time passwords this once and offers the printable sheet of them — both from the one call that
 * issues the passwords (?sheet=true carries the sheet as base64 beside the logins). */
(function () {
  const { h, show, guard, levelLabel } = App;
  const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  const LIST_MAX = 200; // rows listed on a phone; the counts say how many there are in all
  const ACTIONS = { create: 'imp_count_created', update: 'imp_count_updated', unchanged: 'imp_count_unchanged' };

  const save = App.saveBlob;

  const nodes = (list) => list.flat(2).filter((n) => n !== null && n !== undefined && n !== false);
  const fromBase64 = (b64) => new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], { type: XLSX });

  function capped(items, render) {
    const more = items.length - LIST_MAX;
    return [...items.slice(0, LIST_MAX).map(render), more > 0 ? h('li', { class: 'muted' }, t('imp_more', { n: more })) : null];
  }

  async function importScreen() {
    const user = await ZY.kv.get('user');
    let place = null; // district admins choose the township; staff import for their own
    if (user && user.role === 'district_admin') {
      const towns = await API.get(`/api/places?parent_id=${user.place_id}`);
      place = h('select', { id: 'import-place', onchange: reset }, towns.map((p) => h('option', { value: p.id }, p.name)));
    }
    const kind = h('select', { id: 'import-kind', onchange: reset },
      ['persons', 'volunteers'].map((k) => h('option', { value: k }, t(`imp_kind_${k}`))));
    const placeQuery = () => (place ? `&place_id=${place.value}` : '');
    const errorBox = h('div', { id: 'import-error', class: 'error-box', role: 'alert', hidden: true });
    const progress = h('progress', { id: 'upload-progress', max: 100, value: 0, hidden: true });
    const progressText = h('p', { id: 'upload-status', class: 'muted', 'aria-live': 'polite' });
    const result = h('section', { id: 'import-result', class: 'import' });
    const fileInput = h('input', {
      type: 'file', id: 'import-file', class: 'file-input', accept: `.xlsx,.csv,${XLSX},text/csv`,
      onchange: () => {
        const file = fileInput.files[0];
        fileInput.value = ''; // the same file, corrected, may be chosen again
        if (file) send(file);
      },
    });

    function reset() { clearError(); result.replaceChildren(); progressText.textContent = ''; }
    function clearError() { errorBox.hidden = true; errorBox.textContent = ''; }
    function fail(err) {
      if (err.status === 401) return guard(() => { throw err; });
      errorBox.textContent = err.message;
      errorBox.hidden = false;
      errorBox.scrollIntoView({ block: 'center' });
      return null;
    }

    async function download(path) {
      clearError();
      try {
        const { blob, name } = await API.file(path);
        save(blob, name || `${t('imp_title')}.xlsx`);
      } catch (err) { fail(err); }
    }

    async function send(file) {
      reset();
      const form = new FormData();
      form.append('file', file);
      form.append('kind', kind.value);
      if (place) form.append('place_id', place.value);
      const step = (sent) => {
        progress.value = Math.round(sent * 100);
        progressText.textContent = sent < 1 ? t('imp_uploading', { name: file.name, pct: progress.value }) : t('imp_checking');
      };
      progress.hidden = false;
      fileInput.disabled = true; // one upload at a time
      step(0);
      try {
        const job = await API.upload('/api/imports', form, step);
        progressText.textContent = t('imp_checked', { name: file.name });
        result.replaceChildren(...nodes(await dryRun(job)));
        result.scrollIntoView({ block: 'start' });
      } catch (err) {
        progressText.textContent = '';
        fail(err);
      } finally {
        progress.hidden = true;
        fileInput.disabled = false;
      }
    }

    async function placeNames(job) {
      const names = { [job.township.id]: job.township.name };
      try {
        for (const p of await API.get(`/api/places?parent_id=${job.township.id}`)) names[p.id] = p.name;
      } catch (e) { /* ids then */ }
      return names;
    }

    async function dryRun(job) {
      const c = job.counts;
      const names = job.plan.some((r) => r.changes.village_id || r.changes.place_id) ? await placeNames(job) : {};
      const value = (field, v) => {
        if (v === null || v === undefined || v === '') return '—';
        if (field === 'self_care_level') return levelLabel(v);
        if (field === 'sex') return t(`imp_sex_${v}`);
        if (field === 'village_id' || field === 'place_id') return names[v] || String(v);
        return String(v);
      };
      const tiles = [['created', c.created], ['updated', c.updated], ['unchanged', c.unchanged], ['errors', c.errors]];
      const planRow = (r) => h('li', { class: 'plan-row', 'data-row': r.row },
        h('strong', {}, `${t('imp_row', { n: r.row })} · ${r.name}`), ' ',
        h('span', { class: `tag ${r.action === 'unchanged' ? 'green' : 'amber'}` }, t(ACTIONS[r.action])),
        h('div', { class: 'muted' }, r.id_number_masked || r.phone || ''),
        Object.keys(r.changes).length ? h('ul', {}, Object.entries(r.changes).map(([f, ch]) => h('li', {},
          `${t(`imp_field_${f}`)}：${ch.from === null ? '' : `${value(f, ch.from)} → `}${value(f, ch.to)}`))) : null,
        r.caregiver ? h('div', {}, `${t('imp_caregiver')}：${r.caregiver.name || ''} ${r.caregiver.phone || ''}`,
          r.caregiver.new_login ? ` （${t('imp_new_login')}）` : '',
          r.agreement === 'sign' || r.agreement === 'replace' ? ` · ${t(`imp_agreement_${r.agreement}`)}` : '') : null,
        r.team ? h('div', {}, `${t('imp_team')}：${r.team}${r.new_team ? `（${t('imp_new_team')}）` : ''}`) : null);
      const apply = h('button', { class: 'primary', id: 'apply', disabled: job.errors.length > 0 }, t('imp_apply'));
      apply.addEventListener('click', () => applyImport(job, apply));
      return [
        h('h3', {}, `${job.township.name} · ${t('imp_dry_run')}`),
        h('div', { class: 'counts', id: 'import-counts' }, tiles.map(([k, n]) => h('div', {
          class: k === 'errors' && n ? 'bad' : '', 'data-count': k,
        }, h('strong', {}, String(n)), h('span', {}, t(`imp_count_${k}`))))),
        job.unknown_headers && job.unknown_headers.length
          ? h('p', { class: 'muted' }, t('imp_unknown_headers', { cols: job.unknown_headers.join('、') })) : null,
        job.errors.length ? h('div', {},
          h('h3', {}, t('imp_errors', { n: c.errors, rows: c.error_rows })),
          h('ol', { class: 'import-list errors', id: 'import-errors' }, capped(job.errors, (e) => h('li', { 'data-row': e.row },
            h('strong', {}, t('imp_row', { n: e.row })), ` · ${e.column}：${e.message}`)))) : null,
        job.plan.length ? h('details', { class: 'plan', id: 'import-plan' },
          h('summary', {}, t('imp_plan', { n: job.plan.length })),
          h('ol', { class: 'import-list' }, capped(job.plan, planRow))) : null,
        job.missing.length ? h('div', { id: 'import-missing' },
          h('h3', {}, t('imp_missing', { n: job.missing.length })),
          h('ul', { class: 'import-list' }, capped(job.missing, (m) => h('li', {},
            [m.name, m.village, m.id_number_masked || m.phone].filter(Boolean).join(' · '))))) : null,
        job.errors.length ? h('p', { class: 'warn', id: 'apply-blocked' }, t('imp_apply_blocked'))
          : h('p', { class: 'muted' }, t('imp_apply_hint')),
        h('p', {}, apply),
      ];
    }

    async function applyImport(job, button) {
      clearError();
      button.disabled = true;
      button.setAttribute('aria-busy', 'true');
      button.textContent = t('imp_applying');
      // the server commits each batch with how far it has come; poll that while the apply runs
      const total = job.counts.rows;
      const busy = h('progress', { id: 'apply-progress', max: total || 1, value: 0 });
      const status = h('p', { id: 'apply-status', class: 'muted', 'aria-live': 'polite' }, t('imp_applying'));
      button.after(busy, status);
      let polling = true;
      (async () => {
        while (polling) {
          await new Promise((resolve) => setTimeout(resolve, 1000));
          if (!polling) break;
          try {
            const now = await API.get(`/api/imports/${job.id}`);
            if (!polling) break;
            busy.value = now.rows_done;
            status.textContent = t('imp_applied_rows', { done: now.rows_done, total });
          } catch (err) { /* the apply's own answer says what went wrong */ }
        }
      })();
      try {
        const done = await API.post(`/api/imports/${job.id}/apply?sheet=true`);
        polling = false;
        result.replaceChildren(...nodes(applied(done)));
        result.scrollIntoView({ block: 'start' });
      } catch (err) {
        polling = false;
        busy.remove();
        status.remove();
        button.removeAttribute('aria-busy');
        button.textContent = t('imp_apply');
        if (err.status >= 400 && err.status < 500) { // stale, expired, applied: upload again
          result.replaceChildren();
          progressText.textContent = '';
        }
        else button.disabled = false;
        fail(err);
      }
    }

    function applied(done) {
      const n = done.applied_counts || {};
      const sheetName = `${t('imp_logins_file', { township: done.township.name })}.xlsx`;
      const logins = done.logins || [];
      return [
        h('h3', {}, `${done.township.name} · ${t('imp_done')}`),
        h('p', { id: 'applied-counts' }, h('strong', {}, t('imp_applied_counts',
          { created: n.created || 0, updated: n.updated || 0, unchanged: n.unchanged || 0 }))),
        logins.length ? h('div', { id: 'import-logins' },
          h('p', { class: 'warn', role: 'alert', id: 'passwords-once' }, t('imp_passwords_once')),
          h('p', {}, h('button', {
            class: 'primary', id: 'download-logins', onclick: () => save(fromBase64(done.logins_sheet), sheetName),
          }, t('imp_download_logins'))),
          h('ul', { class: 'import-list logins' }, logins.map((l) => h('li', { class: 'card', 'data-username': l.username },
            h('strong', {}, l.display_name),
            h('div', {}, `${t('username')}：${l.username}`),
            h('div', {}, `${t('imp_password')}：`, h('code', { class: 'otp' }, l.one_time_password)),
            l.persons && l.persons.length ? h('div', { class: 'muted' }, `${t('imp_cares_for')}：${l.persons.join('、')}`) : null))))
          : h('p', {}, t('imp_no_logins')),
      ];
    }

    show(t('imp_title'),
      h('p', { class: 'muted' }, t('imp_intro')),
      place ? [h('label', { for: 'import-place' }, t('imp_township')), place] : null,
      h('label', { for: 'import-kind' }, t('imp_kind')), kind,
      h('h3', {}, t('imp_step_download')),
      h('div', { class: 'row' },
        h('button', { id: 'download-template', onclick: () => download(`/api/imports/template?kind=${kind.value}`) }, t('imp_template')),
        h('button', { id: 'download-export', onclick: () => download(`/api/imports/export?kind=${kind.value}${placeQuery()}`) }, t('imp_export'))),
      h('h3', {}, t('imp_step_upload')),
      h('p', {}, h('label', { for: 'import-file', class: 'button primary', id: 'choose-file' }, t('imp_choose')), fileInput),
      progress, progressText, errorBox,
      result);
  }

  App.screen('import', importScreen, { back: true });
})();
