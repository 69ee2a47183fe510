package kit

import (
	"os"
	"sync"

	. "github.com/onsi/ginkgo/v2"
)

// One Ginkgo suite (suites/suites_test.go) runs the specs of every theme
// package (crash, partition, ...). A spec's theme is named by its labels:
// each theme package declares the labels that are its own with Theme, and
// the first of a spec's labels that a theme declared names the spec's
// theme. The theme is the directory of its artifacts
// (artifacts/<theme>/<spec>/), the suite field of its timeline, and the
// group of its row in the run summary.

var (
	themesMu sync.RWMutex
	themes   = map[string]string{} // label → theme
)

// Theme declares that specs labelled with any of labels belong to theme.
// Call it once at the top level of the theme package:
//
//	var _ = kit.Theme("process", "pause", "slow")
//
// A label declared by two themes is a programming error and panics.
func Theme(theme string, labels ...string) bool {
	themesMu.Lock()
	defer themesMu.Unlock()
	for _, l := range labels {
		if t, ok := themes[l]; ok && t != theme {
			panic("kit.Theme: label " + l + " is declared by themes " + t + " and " + theme)
		}
		themes[l] = theme
	}
	return true
}

// ThemeOf returns the theme of a spec with these labels (in Ginkgo's order:
// outer containers first, the It last): the theme of the first label a
// theme declared, or RunName() when none did.
func ThemeOf(labels []string) string {
	themesMu.RLock()
	defer themesMu.RUnlock()
	for _, l := range labels {
		if t, ok := themes[l]; ok {
			return t
		}
	}
	return RunName()
}

// currentTheme is the theme of the running spec.
func currentTheme() string { return ThemeOf(CurrentSpecReport().Labels()) }

// EnvRun names the run: the Makefile sets it to chaos, smoke, scale or soak.
const EnvRun = "CHAOS_RUN"

// RunName names this run's summary (reports/<run>-summary.md): $CHAOS_RUN,
// or "suites" when unset (a plain `ginkgo run suites`).
func RunName() string {
	if r := os.Getenv(EnvRun); r != "" {
		return r
	}
	return "suites"
}
