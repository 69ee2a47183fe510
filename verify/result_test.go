package verify

import (
	"errors"
	"strings"
	"testing"
	"time"

	ht "github.com/streamsocial/feedchaos/verify/historytest"
)

func TestResultErrorAndVerdict(t *testing.T) {
	ok := Result{Check: "x", Pass: true, Message: "fine"}
	if ok.Error() != nil {
		t.Fatal("passing result returned an error")
	}
	bad := fail("x", ClassLost, "gone.", ht.At(s), []string{"a", "b", "c", "d", "e", "f"}, 8)
	err := bad.Error()
	if err == nil || err.Error() != bad.Message || !IsClass(err, ClassLost) || IsClass(err, ClassDuplicate) {
		t.Fatalf("err %v", err)
	}
	var f *Failure
	if !errors.As(err, &f) || f.Result.Check != "x" {
		t.Fatal("errors.As")
	}
	if len(bad.Examples) != MaxExamples || !strings.HasSuffix(bad.Message, "(3 more)") {
		t.Errorf("examples %q message %q", bad.Examples, bad.Message)
	}
	v := bad.Verdict()
	if v.Pass || v.Class != ClassLost || v.Message != bad.Message || !v.FirstAt.Equal(ht.At(s)) || v.At.IsZero() {
		t.Errorf("verdict %+v", v)
	}
}

func TestSummaryAligned(t *testing.T) {
	out := Summary(
		Result{Check: CheckReassigned, Pass: true, Measured: 4 * s, Bound: 9 * s},
		Result{Check: CheckNoLostUpdates, Class: ClassLost},
	)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("%q", out)
	}
	col := strings.Index(lines[0], "RESULT")
	if strings.Index(lines[1], "pass") != col || strings.Index(lines[2], "FAIL") != col {
		t.Errorf("not aligned:\n%s", out)
	}
	if !strings.Contains(lines[1], "4s") || !strings.Contains(lines[1], "9s") || !strings.Contains(lines[2], ClassLost) {
		t.Errorf("content:\n%s", out)
	}
}

func TestRelAndParts(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{{0, "+0s"}, {12300 * ms, "+12.3s"}, {250 * ms, "+0.25s"}, {-500 * ms, "-0.5s"}} {
		if got := rel(ht.T0, ht.At(c.d)); got != c.want {
			t.Errorf("rel(%v) = %q want %q", c.d, got, c.want)
		}
	}
	if got := parts([]int32{9, 0, 1, 2, 2, 5, 10}); got != "0-2,5,9-10" {
		t.Errorf("parts = %q", got)
	}
}
