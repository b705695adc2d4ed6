// Package pmtiles writes and reads PMTiles version 3 archives: single-file
// archives of map tiles that a client reads with HTTP range requests, from
// a plain file server or a CDN, without a tile server.
//
// It follows the PMTiles v3 specification of Protomaps exactly:
//
//   - a 127-byte header (magic "PMTiles", version 3, little-endian
//     offsets and lengths, counts of addressed tiles, tile entries and
//     tile contents, the clustered flag, compressions, tile type, zoom
//     range, bounds and centre as longitude/latitude × 10⁷ in signed 32-bit
//     integers);
//   - tiles addressed by TileID, the position on the series of Hilbert
//     curves of zooms 0, 1, 2, …;
//   - directories of entries (TileID, offset, length, run length) encoded
//     as a varint count, then delta-encoded tile ids, run lengths, lengths
//     and offsets (0 for "right after the previous entry", otherwise
//     offset+1), each a protobuf-style unsigned varint, the whole directory
//     compressed with the internal compression;
//   - a root directory that, with the header, fits the first 16,384 bytes,
//     and one level of leaf directories when the root alone would not;
//   - JSON metadata (for MVT, with TileJSON 3.0.0 vector_layers).
//
// # What Writer produces
//
// The sections are in the recommended order: header, root directory,
// metadata, leaf directories, tile data. The archive is clustered: tile
// contents are stored in TileID order. Identical tiles are stored once
// (deduplicated by SHA-256 of their uncompressed bytes), and runs of
// consecutive TileIDs with the same content become one directory entry
// with a run length (the interior of a large polygon at high zoom is one
// such run). Internal compression (directories, metadata) is always gzip.
// Tile compression is gzip by default (Options.TileCompression), the usual
// choice for MVT archives: a server passes the bytes on with
// Content-Encoding: gzip, and the PMTiles JavaScript client inflates them;
// None stores tiles as given.
//
// Writer takes tiles in any order. New contents are gzipped on a pool of
// goroutines (Options.Workers) and spooled to a temporary file; the writer
// keeps 16 bytes per tile and about 100 per distinct content in memory, so
// archives of millions of tiles need little memory. Close sorts, builds
// the directories and writes the archive to its io.Writer in one
// sequential pass.
//
// # Units
//
// Longitudes and latitudes are WGS84 degrees; zooms and tile coordinates
// are those of the XYZ (slippy map) scheme: y counted from the north.
// Lengths and offsets are bytes.
//
// # Reader
//
// Reader is a small reader for tests and for serving tiles out of an
// archive: it decodes the header, the metadata and the directories
// (gzip or uncompressed) and finds a tile by z/x/y. It checks every offset
// and length against the archive size and bounds the work a malformed
// archive can cause, so it is safe on untrusted input.
package pmtiles
