// The map viewer of durand: loads MapLibre GL JS from the configured
// base URL, shows the server's style, colours the legend swatches and
// opens popups for crossings and districts. The map is window.map, and
// window.durandMap resolves once the map is first idle (for tests).
const cfg = JSON.parse(document.getElementById('durand-config').textContent);

for (const el of document.querySelectorAll('.swatch.dot[data-colour]')) {
  el.style.background = el.dataset.colour;
}
// On a small screen the legend starts folded, so that it covers little of
// the map (and never the attribution at the foot).
if (window.innerWidth <= 640) document.getElementById('legend').open = false;

// mapError shows the page's explanation of why there is no map: part is
// the paragraph that says how to fix it (map-error-load, map-error-webgl).
function mapError(part, why) {
  document.getElementById('map-error-why').textContent = why;
  for (const id of ['map-error-load', 'map-error-webgl']) {
    document.getElementById(id).hidden = id !== part;
  }
  document.getElementById('map-error').hidden = false;
  document.documentElement.dataset.mapError = part;
}

// MapLibre comes from cfg.maplibre: a CDN the browser may not reach, or
// this server. A failed load says so at once; a load still pending after
// 15 s says so too, and the message goes away if it completes.
const slow = setTimeout(() => mapError('map-error-load',
  'MapLibre GL JS has not loaded after 15 seconds from ' + cfg.maplibre + '.'), 15000);
let maplibregl;
try {
  maplibregl = await import(cfg.maplibre + '/maplibre-gl.mjs');
} catch (err) {
  clearTimeout(slow);
  mapError('map-error-load', 'MapLibre GL JS could not be loaded from ' + cfg.maplibre + ' (' + (err && err.message ? err.message : err) + ').');
  throw err;
}
clearTimeout(slow);
document.getElementById('map-error').hidden = true;
delete document.documentElement.dataset.mapError;

// The first view is the border region (beside the panel on a wide
// screen), unless the URL says where to look.
const first = {};
if (!location.hash && cfg.bounds) {
  const wide = window.innerWidth > 700;
  first.bounds = [[cfg.bounds[0], cfg.bounds[1]], [cfg.bounds[2], cfg.bounds[3]]];
  first.fitBoundsOptions = {padding: {top: 20, bottom: 20, right: 20, left: wide ? 330 : 20}};
}
let map;
try {
  map = new maplibregl.Map({
    container: 'map',
    style: cfg.style,
    hash: true,
    attributionControl: {compact: false},
    cooperativeGestures: false,
    ...first,
  });
} catch (err) {
  mapError('map-error-webgl', 'The map could not start: ' + (err && err.message ? err.message : err) + '.');
  throw err;
}
window.map = map;
window.durandMap = new Promise((resolve) => map.once('idle', () => resolve(map)));
map.addControl(new maplibregl.NavigationControl(), 'top-right');
map.addControl(new maplibregl.ScaleControl({unit: 'metric'}), 'bottom-right');
map.on('error', (e) => console.error('map error:', e && e.error ? e.error.message : e));

// row appends a table row when the value is set.
function row(table, name, value) {
  if (value === undefined || value === null || value === '') return;
  const tr = table.insertRow();
  const th = document.createElement('th');
  th.textContent = name;
  tr.appendChild(th);
  tr.insertCell().textContent = String(value).split('|').join(', ');
}

function popup(lngLat, title, rows, href) {
  const div = document.createElement('div');
  div.className = 'popup';
  const h = document.createElement('h3');
  h.textContent = title;
  div.appendChild(h);
  const table = document.createElement('table');
  for (const [k, v] of rows) row(table, k, v);
  div.appendChild(table);
  if (href) {
    const a = document.createElement('a');
    a.href = href;
    a.textContent = 'Details';
    div.appendChild(a);
  }
  new maplibregl.Popup({maxWidth: '320px'}).setLngLat(lngLat).setDOMContent(div).addTo(map);
}

const item = (coll, id) => cfg.base + '/collections/' + coll + '/items/' + encodeURIComponent(id) + '?f=html';

// Layers that open a popup, first match wins: crossings, then the points
// and areas of layers the style draws generically (events, zones), then
// districts.
function clickable() {
  const ids = map.getStyle().layers.map((l) => l.id);
  const generic = ids.filter((id) => (/-(circle|fill)$/.test(id) || /^events_(lines|areas)-line$/.test(id)) &&
    !['crossings-circle', 'districts-fill', 'countries-fill'].includes(id));
  return ['crossings-circle', ...generic, 'districts-fill'].filter((id) => ids.includes(id));
}

map.on('click', (e) => {
  const order = clickable();
  const hits = map.queryRenderedFeatures(e.point, {layers: order});
  hits.sort((a, b) => order.indexOf(a.layer.id) - order.indexOf(b.layer.id));
  const f = hits[0];
  if (!f) return;
  const p = f.properties;
  if (f.layer.id === 'crossings-circle') {
    popup(f.geometry.coordinates, p.name, [
      ['Status', p.status], ['Method', p.method], ['Chainage', p.chainage_km !== undefined ? Number(p.chainage_km).toFixed(1) + ' km' : ''],
      ['Afghanistan', [p.afg_district, p.afg_province].filter(Boolean).join(', ')],
      ['Pakistan', [p.pak_district, p.pak_province].filter(Boolean).join(', ')],
      ['Also', p.alt_names],
    ], item('crossings', p.id));
  } else if (f.layer.id === 'districts-fill') {
    popup(e.lngLat, p.name, [['Province', p.province], ['Country', p.country], ['Source', p.source]], item('districts', p.id));
  } else {
    // A layer the style draws generically: its short properties.
    const rows = Object.entries(p).filter(([k, v]) => k !== 'name' && String(v).length <= 120).slice(0, 12);
    popup(e.lngLat, p.name || p.id || f.sourceLayer, rows, p.id ? item(f.sourceLayer, p.id) : '');
  }
});
map.once('load', () => {
  for (const layer of clickable()) {
    map.on('mouseenter', layer, () => { map.getCanvas().style.cursor = 'pointer'; });
    map.on('mouseleave', layer, () => { map.getCanvas().style.cursor = ''; });
  }
});

// The day slider: the days of /timeline, from its first event to its last
// dated entry. Moving it re-requests the tiles with ?datetime=YYYY-MM-DD
// (crossings carry their status that day, events and zones are those
// active that day) and shows the /summary figures of the day. It starts
// on the default day (that of /summary without datetime). window.durandDay
// resolves with the day once the tiles of the day shown are drawn, and
// window.durandDays once the slider is set up.
const DAY = 86400000;
const iso = (t) => new Date(t).toISOString().slice(0, 10);
const dayOf = (s) => Date.parse(s.slice(0, 10) + 'T00:00:00Z');

async function getJSON(path) {
  const r = await fetch(cfg.base + path, {headers: {Accept: 'application/json'}});
  if (!r.ok) throw new Error(path + ': ' + r.status);
  return r.json();
}

function showSummary(s) {
  const dl = document.getElementById('day-summary');
  dl.replaceChildren();
  const add = (k, v) => {
    const dt = document.createElement('dt');
    dt.textContent = k;
    const dd = document.createElement('dd');
    dd.textContent = v;
    dl.append(dt, dd);
  };
  const names = (cs) => (cs || []).map((c) => c.name).join(', ') || 'none';
  const range = (lo, hi, v) => (lo !== undefined && hi !== undefined && lo !== hi ? v + ' (' + lo + '–' + hi + ')' : String(v ?? lo ?? 0));
  const c = s.casualties || {};
  add('Closed', names(s.crossings_closed));
  add('Restricted', names(s.crossings_restricted));
  add('Closed before the crisis', names(s.crossings_closed_before_crisis));
  add('Districts', String((s.districts || []).length));
  add('Zones', String(s.active_zones ?? 0));
  add('Border km', (s.border_km ?? 0).toFixed(0));
  add('Killed', range(c.killed_min, c.killed_max, c.killed));
  add('Injured', range(c.injured_min, c.injured_max, c.injured));
  const g = (by) => by ? 'civilians ' + by.civilians.best + ', security ' + by.security.best + ', unknown ' + by.unknown.best : '';
  add('Killed by group', g(c.killed_by_group));
}

// showEvents lists what happened on the day: the events of /timeline
// active that day, each with its kind, place and source.
function showEvents(entries) {
  const ol = document.getElementById('day-events');
  ol.replaceChildren();
  const evs = (entries || []).filter((e) => e.type === 'event');
  if (evs.length === 0) {
    const li = document.createElement('li');
    li.textContent = 'No event recorded on this day.';
    ol.appendChild(li);
    return;
  }
  for (const e of evs) {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = e.href ? e.href + '?f=html' : '#';
    a.textContent = e.title;
    li.append((e.event_kind || '').replace(/_/g, ' ') + ': ', a);
    if (e.date !== e.end_date && e.end_date) li.append(' (' + e.date + ' to ' + e.end_date + ')');
    if (e.source && e.source.publisher) {
      const src = document.createElement('span');
      src.className = 'src';
      src.append(' — ');
      if (e.source.url) {
        const s = document.createElement('a');
        s.href = e.source.url;
        s.rel = 'noopener';
        s.textContent = e.source.publisher;
        src.append(s);
      } else {
        src.append(e.source.publisher);
      }
      li.append(src);
    }
    ol.appendChild(li);
  }
}

// The day is in the page address (?day=YYYY-MM-DD): a link opens that day.
function dayFromURL() {
  const d = new URLSearchParams(location.search).get('day');
  return d && /^\d{4}-\d{2}-\d{2}$/.test(d) ? dayOf(d) : NaN;
}

function dayToURL(day) {
  const u = new URL(location.href);
  u.searchParams.set('day', day);
  history.replaceState(null, '', u.pathname + u.search + location.hash);
}

async function setupDays() {
  const [timeline, summary, tilejson] = await Promise.all([getJSON('/timeline'), getJSON('/summary'), getJSON('/tiles/durand.json')]);
  // The slider covers the crisis: from the first event (or, without
  // events, the first entry) to the last dated day of any entry. Earlier
  // entries are status periods dated to a year or month (closed since
  // 2007), which would stretch it over decades.
  const entries = timeline.entries || [];
  const days = [];
  for (const e of entries) {
    days.push(dayOf(e.date));
    if (e.end_date) days.push(dayOf(e.end_date));
  }
  if (days.length === 0) return;
  const events = entries.filter((e) => e.type === 'event').map((e) => dayOf(e.date));
  const first = Math.min(...(events.length ? events : days)), last = Math.max(...days);
  const slider = document.getElementById('day-slider');
  const label = document.getElementById('day-label');
  slider.max = String(Math.round((last - first) / DAY));
  const asked = dayFromURL();
  const start = Math.min(Math.max(Number.isNaN(asked) ? dayOf(summary.date) : asked, first), last);
  slider.value = String(Math.round((start - first) / DAY));
  document.getElementById('day-first').textContent = iso(first);
  document.getElementById('day-last').textContent = iso(last);
  document.getElementById('day').hidden = false;
  const template = tilejson.tiles[0];
  let shown = '';
  const show = async () => {
    const day = iso(first + Number(slider.value) * DAY);
    label.textContent = day;
    if (day === shown) return day;
    shown = day;
    map.getSource('durand').setTiles([template + '?datetime=' + day]);
    dayToURL(day);
    getJSON('/summary?datetime=' + day).then((s) => { if (shown === day) showSummary(s); })
      .catch((e) => console.error('summary:', e.message));
    getJSON('/timeline?datetime=' + day).then((tl) => { if (shown === day) showEvents(tl.entries); })
      .catch((e) => console.error('timeline:', e.message));
    await new Promise((resolve) => map.once('idle', resolve));
    return day;
  };
  label.textContent = iso(start);
  shown = iso(start);
  if (Number.isNaN(asked)) {
    showSummary(summary);
  } else {
    getJSON('/summary?datetime=' + shown).then(showSummary).catch((e) => console.error('summary:', e.message));
  }
  getJSON('/timeline?datetime=' + shown).then((tl) => showEvents(tl.entries)).catch((e) => console.error('timeline:', e.message));
  let pending = Promise.resolve(shown);
  slider.addEventListener('input', () => { label.textContent = iso(first + Number(slider.value) * DAY); });
  slider.addEventListener('change', () => { pending = show(); window.durandDay = pending; });
  map.getSource('durand').setTiles([template + '?datetime=' + shown]);
  window.durandDay = pending;
}

// window.durandDays resolves once the slider is set up (or left hidden).
window.durandDays = new Promise((resolve) => map.once('load', () => {
  setupDays().catch((e) => console.warn('no day slider:', e.message)).finally(resolve);
}));
