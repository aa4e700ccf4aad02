// Lighthouse runs for bench/lighthouse.sh: the login screen (a first visit, storage cleared) and a
// caregiver's home once logged in (storage kept: the token lives in IndexedDB), each under the
// issue's throttling (DevTools: 300 ms, 400 kbps down, 150 kbps up, CPU ×4) and under
// Lighthouse's default mobile settings. Prints one line per run and writes each JSON report.
//   node lighthouse_flow.mjs BASE_URL USERNAME PASSWORD OUT_DIR "CHROME FLAGS" [HOME] [NAME]   (LH_DIR: npm prefix)
// HOME: the logged-in home's hash (default #/home, the caregiver's; #/staff for township staff), NAME its label.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [base, username, password, out, flags, home = '#/home', who = 'caregiver'] = process.argv.slice(2);
const lhDir = process.env.LH_DIR || '/tmp/lh';
const { default: lighthouse } = await import(join(lhDir, 'node_modules/lighthouse/core/index.js'));
const { default: puppeteer } = await import(join(lhDir, 'node_modules/puppeteer-core/lib/esm/puppeteer/puppeteer-core.js'));

const THROTTLED = {
  extends: 'lighthouse:default',
  settings: {
    onlyCategories: ['performance', 'accessibility', 'best-practices'],
    formFactor: 'mobile',
    throttlingMethod: 'devtools',
    throttling: { rttMs: 300, throughputKbps: 400, requestLatencyMs: 300, downloadThroughputKbps: 400,
      uploadThroughputKbps: 150, cpuSlowdownMultiplier: 4 },
  },
};
const DEFAULT = { extends: 'lighthouse:default', settings: { onlyCategories: ['performance'] } };

const browser = await puppeteer.launch({ executablePath: process.env.CHROME_PATH, headless: 'new',
  args: flags.split(' ').filter((f) => f && f !== '--headless=new') });

function line(name, lhr) {
  const cat = (k) => (lhr.categories[k] ? Math.round(lhr.categories[k].score * 100) : '-');
  const a = lhr.audits;
  const requests = a['network-requests'].details ? a['network-requests'].details.items : [];
  const bytes = requests.reduce((n, r) => n + (r.transferSize || 0), 0);
  const failing = Object.values(a).filter((x) => x.score !== null && x.score < 0.9 && x.scoreDisplayMode !== 'informative'
    && x.scoreDisplayMode !== 'notApplicable' && x.scoreDisplayMode !== 'manual').map((x) => x.id);
  console.log(`${name.padEnd(26)} perf ${cat('performance')}  a11y ${cat('accessibility')}  best ${cat('best-practices')}  `
    + `FCP ${Math.round(a['first-contentful-paint'].numericValue)} ms  LCP ${Math.round(a['largest-contentful-paint'].numericValue)} ms  `
    + `transfer ${(bytes / 1024).toFixed(1)} KB in ${requests.length} requests`
    + (failing.length ? `  below 0.9: ${failing.join(', ')}` : ''));
}

async function run(name, url, config, { login = false } = {}) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  let flagsLh = { output: 'json', logLevel: 'error' };
  if (login) {
    await page.goto(base + '/');
    await page.waitForSelector('#username');
    await page.type('#username', username);
    await page.type('#password', password);
    await page.click('button[type=submit]');
    // logged in and the home drawn (a screen of its own, not the login form)
    await page.waitForFunction((hash) => location.hash === hash && !document.getElementById('username')
      && document.getElementById('view').children.length > 1, { timeout: 30000 }, home);
    flagsLh = { ...flagsLh, disableStorageReset: true };
  }
  const result = await lighthouse(url, flagsLh, config, page);
  writeFileSync(join(out, `${name}.json`), result.report);
  line(name, result.lhr);
  await context.close();
}

await run('login-throttled', base + '/', THROTTLED);
await run('login-default-mobile', base + '/', DEFAULT);
await run(`${who}-home-throttled`, base + '/' + home, THROTTLED, { login: true });
await run(`${who}-home-default-mobile`, base + '/' + home, DEFAULT, { login: true });
await browser.close();
