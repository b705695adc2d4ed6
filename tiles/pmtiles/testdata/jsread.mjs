// Reads a PMTiles archive with the PMTiles JavaScript library (npm
// "pmtiles", the reference reader used by MapLibre's pmtiles:// protocol)
// and prints, as JSON, its header, its metadata and the SHA-256 of each
// requested tile's content as the library returns it (decompressed), or
// null for a tile it does not find.
//
// usage: node jsread.mjs ARCHIVE z/x/y ...
import { createHash } from "node:crypto";
import { openSync, readSync, fstatSync } from "node:fs";
import { PMTiles } from "pmtiles";

class FileSource {
  constructor(path) {
    this.path = path;
    this.fd = openSync(path, "r");
    this.size = fstatSync(this.fd).size;
  }
  getKey() {
    return this.path;
  }
  async getBytes(offset, length) {
    const n = Math.max(0, Math.min(length, this.size - offset));
    const buf = Buffer.alloc(n);
    readSync(this.fd, buf, 0, n, offset);
    return { data: buf.buffer.slice(buf.byteOffset, buf.byteOffset + n) };
  }
}

const [path, ...ids] = process.argv.slice(2);
const p = new PMTiles(new FileSource(path));
const header = await p.getHeader();
const metadata = await p.getMetadata();
const tiles = {};
for (const id of ids) {
  const [z, x, y] = id.split("/").map(Number);
  const r = await p.getZxy(z, x, y);
  tiles[id] = r ? createHash("sha256").update(Buffer.from(r.data)).digest("hex") : null;
}
process.stdout.write(JSON.stringify({ header, metadata, tiles }));
