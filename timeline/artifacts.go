package timeline

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/streamsocial/feedchaos/history"
)

// File names inside an artefact directory.
const (
	JSONLName = "timeline.jsonl"
	TextName  = "timeline.txt"
	HTMLName  = "timeline.html"
)

// Paths are the files Write wrote.
type Paths struct {
	Dir   string
	JSONL string
	Text  string
	HTML  string
}

// Write converts h and writes timeline.jsonl, timeline.txt and timeline.html
// into dir, creating it. Each file is written to a temporary name and
// renamed, so a reader never sees half a file. Safe to call concurrently
// for distinct dirs.
func Write(dir string, h history.History) (Paths, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Paths{}, fmt.Errorf("timeline: %w", err)
	}
	m := NewModel(h)
	p := Paths{Dir: dir, JSONL: filepath.Join(dir, JSONLName), Text: filepath.Join(dir, TextName), HTML: filepath.Join(dir, HTMLName)}
	var b bytes.Buffer
	steps := []struct {
		path   string
		render func() error
	}{
		{p.JSONL, func() error { return WriteJSONL(&b, m.Meta, m.Events) }},
		{p.Text, func() error { return WriteText(&b, m.Events, TextOptions{}) }},
		{p.HTML, func() error { return WriteHTML(&b, m) }},
	}
	for _, s := range steps {
		b.Reset()
		if err := s.render(); err != nil {
			return p, err
		}
		if err := writeFileAtomic(s.path, b.Bytes()); err != nil {
			return p, fmt.Errorf("timeline: %w", err)
		}
	}
	return p, nil
}

func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// Dir returns root/<suite-slug>/<spec-slug>, a path safe on any file system
// whatever the suite and spec names hold.
func Dir(root, suite, spec string) string {
	return filepath.Join(root, Slug(suite), Slug(spec))
}

// SlugMax is the longest slug Slug returns before the hash suffix.
const SlugMax = 80

// Slug lowercases s and keeps letters and digits, turning every other run
// of characters into one dash. A slug longer than SlugMax is cut and gets
// "-" and 8 hex digits of the SHA-256 of s, so distinct long names stay
// distinct. An empty result becomes "unnamed".
func Slug(s string) string { return slug(s, SlugMax) }

func slug(s string, maxLen int) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	out := b.String()
	if out == "" {
		out = "unnamed"
	}
	if len(out) > maxLen {
		sum := sha256.Sum256([]byte(s))
		out = strings.TrimRight(out[:maxLen], "-") + "-" + hex.EncodeToString(sum[:4])
	}
	return out
}
