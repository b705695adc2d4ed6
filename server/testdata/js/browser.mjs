// Loads the map page in headless Chromium through playwright-core, waits
// for the map to be idle, counts the features drawn per layer with
// map.queryRenderedFeatures and saves a screenshot. Prints one JSON object
// on stdout: {consoleErrors, failedRequests, layers: {id: count}, ...}.
//
// usage: node browser.mjs URL SCREENSHOT.png DEVTOOLS_WS_URL [CROSSING_LAYER]
// DEVTOOLS_WS_URL is the shared browser of the Go test (geotest.Chromium).
// CROSSING_LAYER is the style layer of the crossings (crossings-circle).
import {chromium} from 'playwright-core';

const [url, shot, endpoint, crossingLayerArg] = process.argv.slice(2);
const crossingLayer = crossingLayerArg || 'crossings-circle';
const browser = await chromium.connectOverCDP(endpoint);
const context = await browser.newContext({viewport: {width: 1200, height: 800}});
const out = {consoleErrors: [], failedRequests: [], layers: {}};
try {
  const page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') out.consoleErrors.push(m.type() + ': ' + m.text()); });
  page.on('pageerror', (e) => out.consoleErrors.push('pageerror: ' + e.message));
  page.on('requestfailed', (r) => out.failedRequests.push(r.url() + ' ' + (r.failure() || {}).errorText));
  page.on('response', (r) => { if (r.status() >= 400) out.failedRequests.push(r.url() + ' ' + r.status()); });
  await page.goto(url, {waitUntil: 'load', timeout: 60000});
  await page.waitForFunction(() => window.durandMap !== undefined, null, {timeout: 60000});
  out.layers = await page.evaluate(async () => {
    const map = await window.durandMap;
    // Wait for every tile and label of the view.
    await new Promise((resolve) => { if (map.loaded() && map.areTilesLoaded()) resolve(); else map.once('idle', resolve); });
    const counts = {};
    for (const l of map.getStyle().layers) {
      if (l.type === 'background') continue;
      counts[l.id] = map.queryRenderedFeatures({layers: [l.id]}).length;
    }
    return counts;
  });
  out.zoom = await page.evaluate(() => window.map.getZoom());
  out.text = await page.evaluate(() => document.body.innerText);
  // Click the first crossing drawn and read its popup.
  const at = await page.evaluate((layer) => {
    if (!window.map.getLayer(layer)) return null;
    const f = window.map.queryRenderedFeatures({layers: [layer]})[0];
    if (!f) return null;
    const p = window.map.project(f.geometry.coordinates);
    return {x: p.x, y: p.y, name: f.properties.name};
  }, crossingLayer);
  if (at) {
    await page.mouse.click(at.x, at.y);
    const popup = await page.waitForSelector('.maplibregl-popup', {timeout: 10000}).catch(() => null);
    out.popup = {clicked: at.name, text: popup ? await popup.innerText() : null};
    if (popup) await page.screenshot({path: shot.replace(/\.png$/, '-popup.png')});
    await page.keyboard.press('Escape');
    await page.evaluate(() => document.querySelectorAll('.maplibregl-popup').forEach((p) => p.remove()));
  }
  out.crossings = await page.evaluate((layer) => window.map.getLayer(layer)
    ? window.map.queryRenderedFeatures({layers: [layer]}).map((f) => f.properties.name).sort() : [], crossingLayer);
  await page.screenshot({path: shot});
} finally {
  await context.close();
  await browser.close(); // disconnects; the browser stays for the next test
}
console.log(JSON.stringify(out));
