package kit

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/streamsocial/feedchaos/fixtures"
)

// The chaos suite is one Ginkgo suite: suites/suites_test.go imports every
// theme package, whose plain .go files register specs. A spec written in a
// theme package's _test.go file, or a theme package the suite does not
// import, would never run, and nothing else would say so.
func TestEveryThemePackageIsInTheOneSuite(t *testing.T) {
	root, err := fixtures.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	suites := filepath.Join(root, "suites")
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(suites, "suites_test.go"), nil, parser.ImportsOnly)
	if err != nil {
		t.Fatalf("the suite's file: %v", err)
	}
	imported := map[string]bool{}
	for _, im := range f.Imports {
		p, _ := strconv.Unquote(im.Path.Value)
		imported[p] = true
	}
	entries, err := os.ReadDir(suites)
	if err != nil {
		t.Fatal(err)
	}
	themes := 0
	for _, e := range entries {
		if !e.IsDir() || e.Name() == "internal" {
			continue
		}
		dir := filepath.Join(suites, e.Name())
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		if len(files) == 0 {
			continue
		}
		themes++
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				t.Errorf("%s: a theme package's specs go in plain .go files; specs in a _test.go file are not part of the suite", strings.TrimPrefix(file, root+"/"))
			}
		}
		if pkg := "github.com/streamsocial/feedchaos/suites/" + e.Name(); !imported[pkg] {
			t.Errorf("suites/suites_test.go does not import %s: its specs never run", pkg)
		}
	}
	if themes == 0 {
		t.Fatalf("no theme packages under %s", suites)
	}
}
