// Opens the map page on each day given (?day=YYYY-MM-DD in the address),
// waits for the tiles of that day, and reports what is drawn: the zones
// rendered (unique ids with their severity and area_km2), the events drawn
// per layer, the "what happened this day" list, whether the panel overlaps
// the attribution (with the legend open and folded), and the address.
// Then opens the map without a day and moves the day slider to two days,
// reading Torkham's status from the tiles of each (slider). Saves a
// screenshot per day and one of the slider. Prints one JSON object on
// stdout.
//
// usage: node days.mjs BASE_URL HASH OUT_DIR DEVTOOLS_WS_URL DAY...
// DEVTOOLS_WS_URL is the shared browser of the Go test (geotest.Chromium).
import {chromium} from 'playwright-core';

const [base, hash, dir, endpoint, ...days] = process.argv.slice(2);
const browser = await chromium.connectOverCDP(endpoint);
const out = {consoleErrors: [], days: {}};
const overlap = (a, b) => a && b && a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
try {
  for (const day of days) {
    const context = await browser.newContext({viewport: {width: 1200, height: 800}});
    const page = await context.newPage();
    page.on('console', (m) => { if (m.type() === 'error') out.consoleErrors.push(day + ': ' + m.text()); });
    page.on('pageerror', (e) => out.consoleErrors.push(day + ': pageerror: ' + e.message));
    await page.goto(base + '/map?day=' + day + hash, {waitUntil: 'load', timeout: 60000});
    await page.waitForFunction(() => window.durandDays !== undefined, null, {timeout: 60000});
    const res = await page.evaluate(async () => {
      const map = await window.durandMap;
      await window.durandDays;
      await window.durandDay;
      await new Promise((resolve) => { if (map.loaded() && map.areTilesLoaded()) resolve(); else map.once('idle', resolve); });
      const zones = {};
      if (map.getLayer('zones-fill')) {
        for (const f of map.queryRenderedFeatures({layers: ['zones-fill']})) {
          zones[f.properties.id] = {severity: f.properties.severity, area_km2: f.properties.area_km2, event_ids: f.properties.event_ids};
        }
      }
      const events = {};
      for (const id of ['events-circle', 'events_lines-line', 'events_areas-line']) {
        events[id] = map.getLayer(id) ? map.queryRenderedFeatures({layers: [id]}).length : -1;
      }
      return {zones, events, label: document.getElementById('day-label').textContent,
        happened: [...document.querySelectorAll('#day-events li')].map((li) => li.textContent)};
    });
    await page.waitForTimeout(300); // the summary and list arrive after the tiles
    res.happened = await page.evaluate(() => [...document.querySelectorAll('#day-events li')].map((li) => li.textContent));
    res.url = page.url();
    const rects = () => page.evaluate(() => {
      const r = (sel) => { const e = document.querySelector(sel); if (!e) return null; const b = e.getBoundingClientRect(); return {left: b.left, right: b.right, top: b.top, bottom: b.bottom}; };
      return {panel: r('#panel'), attribution: r('.maplibregl-ctrl-attrib')};
    });
    const open = await rects();
    res.attribution = open.attribution !== null;
    res.overlapOpen = overlap(open.panel, open.attribution);
    await page.screenshot({path: dir + '/map-day-' + day + '.png'});
    await page.click('#legend > summary');
    res.legendFolded = await page.evaluate(() => !document.getElementById('legend').open);
    const folded = await rects();
    res.overlapFolded = overlap(folded.panel, folded.attribution);
    res.panelHeightOpen = open.panel.bottom - open.panel.top;
    res.panelHeightFolded = folded.panel.bottom - folded.panel.top;
    out.days[day] = res;
    await context.close();
  }
  // The day slider: move it to each day and read Torkham's status from
  // the tiles of that day.
  {
    const context = await browser.newContext({viewport: {width: 1200, height: 800}});
    const page = await context.newPage();
    page.on('console', (m) => { if (m.type() === 'error') out.consoleErrors.push('slider: ' + m.text()); });
    page.on('pageerror', (e) => out.consoleErrors.push('slider: pageerror: ' + e.message));
    await page.goto(base + '/map' + hash, {waitUntil: 'load', timeout: 60000});
    await page.waitForFunction(() => window.durandDays !== undefined, null, {timeout: 60000});
    await page.evaluate(async () => { await window.durandMap; await window.durandDays; });
    out.slider = {};
    for (const day of ['2025-10-20', '2025-11-05']) {
      out.slider[day] = await page.evaluate(async (day) => {
        const slider = document.getElementById('day-slider');
        const first = Date.parse(document.getElementById('day-first').textContent + 'T00:00:00Z');
        slider.value = String(Math.round((Date.parse(day + 'T00:00:00Z') - first) / 86400000));
        slider.dispatchEvent(new Event('input'));
        slider.dispatchEvent(new Event('change'));
        const shown = await window.durandDay;
        const fs = window.map.querySourceFeatures('durand', {sourceLayer: 'crossings'})
          .filter((f) => f.properties.id === 'torkham');
        const rendered = window.map.queryRenderedFeatures({layers: ['crossings-circle']})
          .filter((f) => f.properties.id === 'torkham');
        return {shown, label: document.getElementById('day-label').textContent,
          status: fs.map((f) => f.properties.status), rendered: rendered.map((f) => f.properties.status),
          summary: document.getElementById('day-summary').innerText};
      }, day);
    }
    await page.screenshot({path: dir + '/map-slider.png'});
    await context.close();
  }
} finally {
  await browser.close(); // disconnects; the browser stays for the next test
}
process.stdout.write(JSON.stringify(out));
