/* 照应 — the roster import (花名册), for township staff and district admins: the template and the
 * current roster to download, a file uploaded with its progress, the dry run (counts, how each
 * column of the file was read — and a choice of what it is, sent again with the same file and
 * remembered for the township's next one — errors by row, the plan in the roster's words, who is
 * missing from the file), then apply, which shows the new logins with their one-time passwords this
 * once, the address they log in at, and the printable sheet of them — both from the one call that
 * issues the passwords (?sheet=true carries the sheet as base64 beside the logins). The long lists
 * (errors, the preview, the missing) come a page at a time: the import's answer holds the first of
 * each and the cursor of the next, 加载更多 reads on (issue 30 L10).
 * An office screen: fetched when first opened, kept offline for staff (app.js SCREENS, sw.js OFFICE). */
import { App } from './app.js';
import { API } from './api.js';
import { ZY } from './db.js';
import { I18N, t } from './i18n.js';

const { h, show, guard, pager } = App;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const ACTIONS = { create: 'imp_count_created', update: 'imp_count_updated', unchanged: 'imp_count_unchanged' };

const save = App.saveBlob;

const nodes = (list) => list.flat(2).filter((n) => n !== null && n !== undefined && n !== false);
const fromBase64 = (b64) => new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], { type: XLSX });

/** One of an import's long lists (errors, plan, missing) in `list`: the first page its answer
 * holds, and a 加载更多 button (returned) that reads the next from /api/imports/{id}/{which}. */
function paged(job, which, list, draw) {
  return pager({
    list, draw, id: `import-${which}-more`, first: job[which], after: job[`${which}_next`],
    load: (after) => API.page(`/api/imports/${job.id}/${which}?after=${encodeURIComponent(after)}`),
  }).button;
}

async function importScreen() {
  const user = await ZY.kv.get('user');
  let place = null; // district admins choose the township; staff import for their own
  if (user && user.role === 'district_admin') {
    const towns = await API.get(`/api/places?parent_id=${user.place_id}`);
    place = h('select', { id: 'import-place', onchange: reset }, towns.map((p) => h('option', { value: p.id }, p.name)));
  }
  const kind = h('select', { id: 'import-kind', onchange: reset },
    ['persons', 'volunteers', 'pairings'].map((k) => h('option', { value: k }, t(`imp_kind_${k}`))));
  const placeQuery = () => (place ? `&place_id=${place.value}` : '');
  const errorBox = h('div', { id: 'import-error', class: 'error-box', role: 'alert', hidden: true });
  const progress = h('progress', { id: 'upload-progress', max: 100, value: 0, hidden: true });
  const progressText = h('p', { id: 'upload-status', class: 'muted', 'aria-live': 'polite' });
  const result = h('section', { id: 'import-result', class: 'import' });
  const fileInput = h('input', {
    type: 'file', id: 'import-file', class: 'file-input', accept: `.xlsx,.xls,.csv,${XLSX},application/vnd.ms-excel,text/csv`,
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

  /** Upload `file` for its dry run; `mapping` ({the file's header: field key or ""}) says how to
   * read columns the server read otherwise (it remembers it for the township's next file). */
  async function send(file, mapping) {
    const shown = mapping ? [...result.childNodes] : null; // a refused mapping leaves the dry run as it was
    reset();
    const form = new FormData();
    form.append('file', file);
    form.append('kind', kind.value);
    if (place) form.append('place_id', place.value);
    if (mapping) form.append('mapping', JSON.stringify(mapping));
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
      result.replaceChildren(...nodes(dryRun(job, file)));
      result.scrollIntoView({ block: 'start' });
    } catch (err) {
      progressText.textContent = '';
      if (shown) result.replaceChildren(...shown);
      fail(err);
    } finally {
      progress.hidden = true;
      fileInput.disabled = false;
    }
  }

  /** How each column of the file was read, each with the choice of what it is: open whenever a
   * column was not read or a required one is missing; 重新检查 sends the same file again with the
   * columns changed here (and any column whose field one of them takes, so the server says so). */
  function columnsRead(job, file, lacking) {
    const fields = job.fields || [];
    const cols = job.columns;
    const header = Object.fromEntries(fields.map((f) => [f.key, f.header]));
    const unread = cols.filter((c) => !c.field).length;
    const selects = cols.map((c) => h('select', { id: `map-${c.column}`, 'data-header': c.header },
      h('option', { value: '' }, t('imp_unread_option')),
      fields.map((f) => h('option', { value: f.key, selected: f.key === c.field }, `${f.header}${f.required ? '＊' : ''}`))));
    const remap = h('button', {
      class: 'primary', id: 'remap',
      onclick: () => {
        const changed = cols.filter((c, i) => selects[i].value !== (c.field || ''));
        const taken = new Set(changed.map((c) => selects[cols.indexOf(c)].value));
        const mapping = {};
        cols.forEach((c, i) => { if (changed.includes(c) || taken.has(c.field)) mapping[c.header] = selects[i].value; });
        send(file, mapping);
      },
    }, t('imp_remap'));
    return h('details', { class: 'plan', id: 'import-columns', open: Boolean(unread || lacking.length) },
      h('summary', {}, t('imp_columns'), unread ? `（${t('imp_unread_n', { n: unread })}）` : ''),
      lacking.length ? h('p', { class: 'warn', id: 'columns-lacking' }, t('imp_columns_lacking', { cols: lacking.join('、') })) : null,
      h('p', { class: 'muted' }, t('imp_columns_hint')),
      h('ol', { class: 'import-list cols' }, cols.map((c, i) => h('li', { class: c.field ? '' : 'unread', 'data-column': c.column },
        h('label', { for: selects[i].id }, `${t('imp_col', { col: c.column, header: c.header })} → `,
          c.field ? `${header[c.field] || c.field}（${t(`imp_by_${c.by}`)}）`
            : `${t('imp_unread')}${c.by === 'duplicate' ? `（${t('imp_by_duplicate')}）` : ''}`),
        selects[i]))),
      h('p', {}, remap));
  }

  function dryRun(job, file) {
    const c = job.counts;
    // required columns the file has none of: nothing is checked until staff say which column it is
    const lacking = job.columns ? (job.fields || []).filter((f) => f.required && !job.columns.some((col) => col.field === f.key))
      .map((f) => f.header) : [];
    const word = (v) => (v === null || v === undefined || v === '' ? '—' : String(v));
    // the roster's column header in Chinese; the English name where the language has one
    const label = (f, ch) => {
      const key = `imp_field_${f}`;
      return I18N.lang !== 'zh-CN' && t(key) !== key ? t(key) : ch.column || t(key);
    };
    const tiles = [['created', c.created], ['updated', c.updated], ['unchanged', c.unchanged], ['errors', c.errors]];
    const planRow = (r) => h('li', { class: 'plan-row', 'data-row': r.row },
      h('strong', {}, `${t('imp_row', { n: r.row })} · ${r.name}`), ' ',
      h('span', { class: `tag ${r.action === 'unchanged' ? 'green' : 'amber'}` }, t(ACTIONS[r.action])),
      h('div', { class: 'muted' }, r.id_number_masked || r.phone || ''),
      Object.keys(r.changes).length ? h('ul', {}, Object.entries(r.changes)
        .filter(([, ch]) => ch.from !== null || ch.to !== null).map(([f, ch]) => h('li', {},
          `${label(f, ch)}：${ch.from === null ? '' : `${word(ch.from)} → `}${word(ch.to)}`))) : null,
      r.caregiver ? h('div', {}, `${t('imp_caregiver')}：${r.caregiver.name || ''} ${r.caregiver.phone || ''}`,
        r.caregiver.new_login ? ` （${t('imp_new_login')}）` : '',
        r.agreement === 'sign' || r.agreement === 'replace' ? ` · ${t(`imp_agreement_${r.agreement}`)}` : '') : null,
      r.team ? h('div', {}, `${t('imp_team')}：${r.team}${r.new_team ? `（${t('imp_new_team')}）` : ''}`) : null,
      r.cadre ? h('div', {}, `${t('imp_cadre')}：${r.cadre.name} ${r.cadre.phone} · ${r.cadre.unit}`,
        r.cadre.new_login ? ` （${t('imp_new_login')}）` : '') : null,
      r.warning ? h('p', { class: 'warning' }, r.warning) : null);
    const errorRow = (e) => h('li', { 'data-row': e.row }, h('strong', {}, t('imp_row', { n: e.row })), ` · ${e.column}：${e.message}`);
    const missingRow = (m) => h('li', {}, [m.name, m.village, m.id_number_masked || m.phone].filter(Boolean).join(' · '));
    // a long list: the first page, and 加载更多 for the next
    const listed = (which, list, draw) => [list, h('p', {}, paged(job, which, list, draw))];
    const unlisted = job.plan_rows - job.plan_total; // the preview keeps 200 rows, those that change first
    const apply = h('button', { class: 'primary', id: 'apply', disabled: job.errors_total > 0 }, t('imp_apply'));
    apply.addEventListener('click', () => applyImport(job, apply));
    return [
      h('h3', {}, `${job.township.name} · ${t('imp_dry_run')}`),
      h('div', { class: 'counts', id: 'import-counts' }, tiles.map(([k, n]) => h('div', {
        class: k === 'errors' && n ? 'bad' : '', 'data-count': k,
      }, h('strong', {}, String(n)), h('span', {}, t(`imp_count_${k}`))))),
      job.columns ? columnsRead(job, file, lacking) : null,
      job.errors_total ? h('div', {},
        h('h3', {}, t('imp_errors', { n: c.errors, rows: c.error_rows })),
        listed('errors', h('ol', { class: 'import-list errors', id: 'import-errors' }), errorRow)) : null,
      job.plan_total ? h('details', { class: 'plan', id: 'import-plan' },
        h('summary', {}, t('imp_plan', { n: job.plan_rows })),
        unlisted > 0 ? h('p', { class: 'muted', id: 'import-plan-unlisted' }, t('imp_plan_unlisted', { shown: job.plan_total, n: unlisted })) : null,
        listed('plan', h('ol', { class: 'import-list' }), planRow)) : null,
      job.missing_total ? h('details', { class: 'plan', id: 'import-missing' }, // hundreds, at times: on demand
        h('summary', {}, t('imp_missing', { n: job.missing_total })),
        listed('missing', h('ul', { class: 'import-list' }), missingRow)) : null,
      job.errors_total ? h('p', { class: 'warn', id: 'apply-blocked' }, lacking.length ? t('imp_apply_blocked_columns') : t('imp_apply_blocked'))
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
        done.address ? h('div', { class: 'card', id: 'login-address' },
          h('span', {}, `${t('imp_address')}：`), h('strong', {}, done.address),
          h('p', { class: 'muted' }, t('imp_address_hint'))) : null,
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
