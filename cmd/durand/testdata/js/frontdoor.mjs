// The front door as a newcomer meets it, in headless Chromium (driven by
// playwright-core): the landing page of a running `durand serve`, its link
// to the map, and the map page. With "offline" every request that does
// not go to the server is refused, as on a machine without internet
// access: the map page must then say why it shows no map and how to fix
// it. Saves screenshots and prints one JSON object on stdout, {online:
// {...}, offline: {...}}; one browser serves both.
//
// usage: node frontdoor.mjs ONLINE_BASE_URL OFFLINE_BASE_URL SCREENSHOT_DIR DEVTOOLS_WS_URL
// DEVTOOLS_WS_URL is the shared browser of the Go test (geotest.Chromium).
import {chromium} from 'playwright-core';

const [onlineBase, offlineBase, dir, endpoint] = process.argv.slice(2);
const browser = await chromium.connectOverCDP(endpoint);
async function visit(base, mode) {
const out = {mode, consoleErrors: [], failedRequests: [], offsite: []};
const context = await browser.newContext({viewport: {width: 1200, height: 800}});
try {
  const page = await context.newPage();
  const server = new URL(base).host;
  await page.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (u.host === server) return route.continue();
    out.offsite.push(u.href);
    return mode === 'offline' ? route.abort('internetdisconnected') : route.continue();
  });
  page.on('console', (m) => { if (m.type() === 'error') out.consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => out.consoleErrors.push('pageerror: ' + e.message));
  page.on('requestfailed', (r) => out.failedRequests.push(r.url() + ' ' + (r.failure() || {}).errorText));

  await page.goto(base + '/?f=html', {waitUntil: 'load', timeout: 60000});
  out.landingTitle = await page.title();
  await page.screenshot({path: `${dir}/landing-${mode}.png`, fullPage: true});
  // Follow the landing page's link to the map, as a reader would.
  const link = page.locator('a[href$="/map"]').first();
  out.mapLink = await link.getAttribute('href');
  await Promise.all([page.waitForURL('**/map*', {timeout: 60000}), link.click()]);
  // Either the map gets going or the page explains why not.
  await page.waitForFunction(() => window.durandMap !== undefined || document.documentElement.dataset.mapError,
    null, {timeout: 90000});
  out.mapError = await page.evaluate(() => document.documentElement.dataset.mapError || '');
  if (!out.mapError) {
    out.layers = await page.evaluate(async () => {
      const map = await window.durandMap;
      await new Promise((resolve) => { if (map.loaded() && map.areTilesLoaded()) resolve(); else map.once('idle', resolve); });
      const counts = {};
      for (const l of map.getStyle().layers) {
        if (l.type !== 'background') counts[l.id] = map.queryRenderedFeatures({layers: [l.id]}).length;
      }
      return counts;
    });
    out.center = await page.evaluate(() => window.map.getCenter().toArray());
    out.zoom = await page.evaluate(() => window.map.getZoom());
    out.view = await page.evaluate(() => window.map.getBounds().toArray().flat());
  }
  out.errorShown = await page.evaluate(() => !document.getElementById('map-error').hidden);
  out.errorText = await page.evaluate(() => document.getElementById('map-error').innerText);
  await page.screenshot({path: `${dir}/map-${mode}.png`});
} catch (e) {
  out.error = String(e && e.stack || e);
} finally {
  await context.close();
}
return out;
}

const res = {};
try {
  res.online = await visit(onlineBase, 'online');
  res.offline = await visit(offlineBase, 'offline');
} finally {
  await browser.close(); // disconnects; the browser stays for the next test
}
console.log(JSON.stringify(res));
