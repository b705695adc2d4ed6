// Decodes Mapbox Vector Tiles with @mapbox/vector-tile (an independent
// decoder) and prints, for each file, its layers with their version,
// extent, feature count and geometry types, and the number of polygon
// features whose rings do not classify into polygons with an exterior
// ring first. Tile files are named .../z/x/y.pbf.
//
// usage: node decode.mjs FILE...
import {readFileSync} from 'node:fs';
import {VectorTile} from '@mapbox/vector-tile';
import Protobuf from 'pbf';

// signedArea is the shoelace sum of a ring in tile coordinates (y down):
// positive for exterior rings in MVT 2.1.
function signedArea(ring) {
  let sum = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    sum += (ring[j].x - ring[i].x) * (ring[i].y + ring[j].y);
  }
  return sum;
}

const out = {};
for (const file of process.argv.slice(2)) {
  const [z, x, y] = file.replace(/\.pbf$/, '').split('/').slice(-3).map(Number);
  const tile = new VectorTile(new Protobuf(readFileSync(file)));
  const layers = {};
  for (const [name, layer] of Object.entries(tile.layers)) {
    const info = {version: layer.version, extent: layer.extent, count: layer.length, types: {}, badRings: 0, geojsonErrors: 0};
    for (let i = 0; i < layer.length; i++) {
      const f = layer.feature(i);
      const t = ['Unknown', 'Point', 'LineString', 'Polygon'][f.type];
      info.types[t] = (info.types[t] || 0) + 1;
      if (f.type === 3) {
        const rings = f.loadGeometry();
        // The first ring of a polygon feature is an exterior ring.
        if (rings.length === 0 || signedArea(rings[0]) <= 0) info.badRings++;
      }
      try {
        const g = f.toGeoJSON(x, y, z);
        if (!g.geometry || !g.geometry.coordinates) info.geojsonErrors++;
      } catch (e) {
        info.geojsonErrors++;
      }
    }
    layers[name] = info;
  }
  out[file] = layers;
}
console.log(JSON.stringify(out));
