/* Chinese first, English second. Strings live in i18n/<lang>.json; t(key, {n: 1}). */
const LANGS = ['zh-CN', 'en'];
let lang = 'zh-CN';
let strings = {};
export const I18N = {
  get lang() { return lang; },
  async load(wanted) {
    lang = LANGS.includes(wanted) ? wanted : 'zh-CN';
    const r = await fetch(`/i18n/${lang}.json`);
    strings = await r.json();
    document.documentElement.lang = lang;
  },
  t(key, params) {
    let s = strings[key];
    if (s === undefined) return key;
    for (const [k, v] of Object.entries(params || {})) s = s.replaceAll(`{${k}}`, v);
    return s;
  },
  other() { return lang === 'zh-CN' ? 'en' : 'zh-CN'; },
};
export const t = (k, p) => I18N.t(k, p);
self.I18N = I18N; // the browser tests read the language
