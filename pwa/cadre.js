/* 照应 — the cadre's screens (结对帮扶, seed 003): the persons paired with them (name, village and a
 * phone to call first), and the pairing visit — 上门走访、交心谈心, 就业帮扶 / 生活困难扶助 — through the
 * caregiver's check-in (photo, GPS, the same outbox and verification). */
import { App } from './app.js';
import { t } from './i18n.js';
import { checkinScreen } from './caregiver.js';

const { h, show, cached, loadCatalogue, commonLinks } = App;

async function cadreHome() {
  const { data, stale } = await cached('paired', '/api/persons?page_size=200');
  loadCatalogue().catch(() => {});
  if (!stale) for (const p of data) cached(`person:${p.id}`, `/api/persons/${p.id}`).catch(() => {});
  const cards = data.map((p) => h('div', { class: 'card', 'data-person': p.id },
    h('h2', {}, p.name),
    h('div', { class: 'row' }, h('span', {}, p.village_name || ''),
      p.phone ? h('a', { href: `tel:${p.phone}`, class: 'button small' }, t('call', { phone: p.phone })) : null),
    h('p', {}, h('a', { class: 'button primary', href: `#/pair-checkin/${p.id}`, 'data-checkin': p.id }, t('pair_checkin')))));
  show(t('my_pairs'),
    stale ? h('p', { class: 'muted' }, t('offline')) : null,
    h('p', { class: 'muted' }, t('pair_intro')),
    cards.length ? cards : h('p', {}, t('no_pairs')),
    commonLinks());
}

async function pairCheckin(id) {
  const cat = await loadCatalogue();
  return checkinScreen(id, { services: cat.pairing_services, home: '#/cadre', observe: ['health', 'food_supplies', 'mood'] });
}

App.screen('cadre', cadreHome, { refreshOnFlush: true });
App.screen('pair-checkin', (arg) => pairCheckin(Number(arg)), { back: true });
