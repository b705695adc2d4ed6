// Loads HTML pages in headless Chromium through playwright-core and
// reports what their Content-Security-Policy blocked: console errors and
// warnings, securitypolicyviolation events and failed requests. On the
// first page it submits the first form, if any, and reports where that
// led. Prints one JSON object on stdout:
// {pages: {url: {consoleErrors, violations, failedRequests}}, form: {url, status}}.
//
// usage: node pages.mjs DEVTOOLS_WS_URL URL...
// DEVTOOLS_WS_URL is the shared browser of the Go test (geotest.Chromium).
import {chromium} from 'playwright-core';

const [endpoint, ...urls] = process.argv.slice(2);
const browser = await chromium.connectOverCDP(endpoint);
const out = {pages: {}};
try {
  for (const [i, url] of urls.entries()) {
    const res = {consoleErrors: [], violations: [], failedRequests: []};
    out.pages[url] = res;
    const context = await browser.newContext(); // a fresh profile per page
    const page = await context.newPage();
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') res.consoleErrors.push(m.type() + ': ' + m.text()); });
    page.on('pageerror', (e) => res.consoleErrors.push('pageerror: ' + e.message));
    page.on('requestfailed', (r) => res.failedRequests.push(r.url() + ' ' + (r.failure() || {}).errorText));
    await page.addInitScript(() => {
      window.__violations = [];
      document.addEventListener('securitypolicyviolation', (e) =>
        window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
    });
    await page.goto(url, {waitUntil: 'load', timeout: 60000});
    await page.waitForTimeout(300);
    res.violations = await page.evaluate(() => window.__violations);
    if (i === 0 && await page.locator('form').count() > 0) {
      const [resp] = await Promise.all([
        page.waitForNavigation({timeout: 30000}),
        page.locator('form button[type=submit]').first().click(),
      ]);
      out.form = {url: page.url(), status: resp ? resp.status() : 0};
      res.violations.push(...await page.evaluate(() => window.__violations || []));
    }
    await context.close();
  }
} finally {
  await browser.close(); // disconnects; the browser stays for the next test
}
process.stdout.write(JSON.stringify(out) + '\n');
