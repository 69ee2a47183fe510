package kit

import (
	"log"

	. "github.com/onsi/ginkgo/v2"
	tclog "github.com/testcontainers/testcontainers-go/log"
)

// Quiet when green: testcontainers-go logs every container it creates,
// starts and stops, and a banner about the Docker engine, to stderr. Here
// those lines go to GinkgoWriter, so Ginkgo shows them with the report of a
// spec that failed (or with -v) and drops them for a spec that passed. It
// is set when kit is loaded, before the set-up makes the first Docker
// client (whose banner is the first line).
var _ = func() bool {
	tclog.SetDefault(log.New(GinkgoWriter, "", log.LstdFlags))
	return true
}()
