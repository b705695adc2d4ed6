package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/durandline/durand/geo/geojsonio"
	"github.com/paulmach/orb"
)

// rawFeature is one GeoJSON feature with its geometry left undecoded.
type rawFeature struct {
	Properties json.RawMessage `json:"properties"`
	Geometry   rawGeometry     `json:"geometry"`
}

// rawGeometry is a Polygon or MultiPolygon geometry.
type rawGeometry struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

// multiPolygon decodes a Polygon or MultiPolygon geometry.
func (g rawGeometry) multiPolygon() (orb.MultiPolygon, error) {
	return geojsonio.Polygons(g.Type, g.Coordinates)
}

// hashingReader computes the SHA-256 of everything read through it.
type hashingReader struct {
	r io.Reader
	h interface {
		io.Writer
		Sum([]byte) []byte
	}
}

func (h *hashingReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.h.Write(p[:n])
	return n, err
}

// scanFeatures is data/build's one GeoJSON reader, and not geo's decoder
// or the installer's: its inputs are 62 and 168 MB, so it streams them,
// decodes only the features keep selects and hashes the bytes as they
// pass. Their coordinates are decoded by geojsonio.Polygons, as the
// installer's are.
//
// scanFeatures streams the FeatureCollection in path and calls keep with
// the raw properties of each feature; the features for which keep returns
// true are returned, in file order. It also returns the SHA-256 (hex) of
// the whole file.
func scanFeatures(path string, keep func(props json.RawMessage) (bool, error)) ([]rawFeature, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	hr := &hashingReader{r: bufio.NewReaderSize(f, 1<<20), h: sha256.New()}
	dec := json.NewDecoder(hr)
	if err := expectDelim(dec, '{'); err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	var out []rawFeature
	found := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", path, err)
		}
		key, _ := tok.(string)
		if key != "features" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, "", fmt.Errorf("%s: %w", path, err)
			}
			continue
		}
		found = true
		if err := expectDelim(dec, '['); err != nil {
			return nil, "", fmt.Errorf("%s: features: %w", path, err)
		}
		for dec.More() {
			var feat struct {
				Properties json.RawMessage `json:"properties"`
				Geometry   json.RawMessage `json:"geometry"`
			}
			if err := dec.Decode(&feat); err != nil {
				return nil, "", fmt.Errorf("%s: feature: %w", path, err)
			}
			ok, err := keep(feat.Properties)
			if err != nil {
				return nil, "", fmt.Errorf("%s: %w", path, err)
			}
			if !ok {
				continue
			}
			var g rawGeometry
			if err := json.Unmarshal(feat.Geometry, &g); err != nil {
				return nil, "", fmt.Errorf("%s: geometry: %w", path, err)
			}
			out = append(out, rawFeature{Properties: feat.Properties, Geometry: g})
		}
		if err := expectDelim(dec, ']'); err != nil {
			return nil, "", fmt.Errorf("%s: %w", path, err)
		}
	}
	if !found {
		return nil, "", fmt.Errorf("%s: no features member", path)
	}
	// Hash the rest of the file (bytes already buffered by the decoder
	// have been hashed when they were read).
	if _, err := io.Copy(io.Discard, hr); err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	return out, hex.EncodeToString(hr.h.Sum(nil)), nil
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("expected %q, got %v", want, tok)
	}
	return nil
}

// fileSHA256 returns the hex SHA-256 of the file at path.
func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
