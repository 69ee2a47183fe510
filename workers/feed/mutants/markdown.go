package mutants

import (
	"fmt"
	"strings"
)

// Markdown renders the catalogue as the README's table: one row per
// mutant with its bug, why teams ship it, the invariant that must name it
// (others that may, in brackets), the specs that must catch it and what is
// expected of today's suite. README.md holds it verbatim between the
// markers below (a unit test keeps them equal; go run ./cmd/selftest
// -readme prints it).
func Markdown() string {
	var b strings.Builder
	b.WriteString(ReadmeBegin + "\n")
	b.WriteString("| mutant | class | the bug | why teams ship it | must be named by | specs (label filter) | today | seen in |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|\n")
	for _, m := range All {
		inv := "`" + m.Invariant + "`"
		if len(m.Also) > 0 {
			inv += " (" + strings.Join(m.Also, ", ") + ")"
		}
		specs := "`" + m.Specs + "`"
		if m.Focus != "" {
			specs += ", focus “" + m.Focus + "”"
		}
		seen := ""
		if m.Cite != "" {
			seen = fmt.Sprintf("[%s](%s)", citeLabel(m.Cite), m.Cite)
		}
		name := "`" + m.Name + "`"
		if m.Fast {
			name += " ⚡"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n",
			name, m.Class, cell(m.Bug), cell(m.Why), inv, specs, m.Today, seen)
	}
	b.WriteString(ReadmeEnd + "\n")
	return b.String()
}

// The markers around the generated table in README.md.
const (
	ReadmeBegin = "<!-- mutants catalogue: generated from workers/feed/mutants (go run ./cmd/selftest -readme) -->"
	ReadmeEnd   = "<!-- end of mutants catalogue -->"
)

func cell(s string) string { return strings.ReplaceAll(s, "|", "\\|") }

// citeLabel shortens an issue URL to owner/repo#n.
func citeLabel(url string) string {
	s := strings.TrimPrefix(url, "https://github.com/")
	parts := strings.Split(s, "/")
	if len(parts) >= 4 {
		return parts[0] + "/" + parts[1] + "#" + parts[3]
	}
	return s
}
