/* Chinese first, English second. Strings live in i18n/<lang>.json; t(key, {n: 1}). An office
 * module brings its own: `await I18N.more('carehomes')` at its top reads i18n/carehomes.<lang>.json
 * (kept out of the shell, so a caregiver's phone never fetches them); a language switch reads
 * every file asked for so far again. */
const LANGS = ['zh-CN', 'en'];
let lang = 'zh-CN';
let strings = {};
const extra = new Set(); // names of the files more() has read
const read = async (name) => (await fetch(`/i18n/${name}`)).json();
export const I18N = {
  get lang() { return lang; },
  async load(wanted) {
    lang = LANGS.includes(wanted) ? wanted : 'zh-CN';
    const files = await Promise.all([`${lang}.json`, ...[...extra].map((n) => `${n}.${lang}.json`)].map(read));
    strings = Object.assign({}, ...files);
    document.documentElement.lang = lang;
  },
  async more(name) {
    if (extra.has(name)) return;
    Object.assign(strings, await read(`${name}.${lang}.json`));
    extra.add(name);
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
