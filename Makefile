# StreamSocial feed-fleet chaos suite.
#
#   make chaos   build the images and run every chaos suite (the main job)
#   make test    vet + unit tests + the smoke chaos specs (what CI runs)
#   make clean   remove every container, network and volume the suite made
#
# Every target ends with an exit code that tells the truth; `make test`
# ends with a plain "N passed, N failed" line.

SHELL   := /bin/bash
export PATH := /usr/local/go/bin:$(PATH)
export TESTCONTAINERS_RYUK_DISABLED ?= true

GINKGO    := go tool ginkgo
CHAOSCTL  := go run ./cmd/chaosctl
REPORTS   := reports
UNIT_PKGS  = $(shell go list ./... | grep -v '/suites/') ./suites/internal/kit
# Ginkgo flags shared by the chaos targets: progress per spec, reports for
# humans (summary .md), machines (JSON) and CI (JUnit, with timeline links).
GINKGO_FLAGS = -r --skip-package=internal --keep-going --poll-progress-after=120s --output-dir=$(REPORTS) \
                --json-report=$(1).json --junit-report=$(1).xml
# Parallel Ginkgo processes for `make chaos` (each runs its own broker on its
# own ports).
PROCS ?= 2

.PHONY: help test vet unit smoke chaos scale soak bench images clean clean-all timeline selftest

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/'

vet: ## go vet every package
	go vet ./...

unit: ## unit tests (no Docker): checkers, timeline, graph, bounds, worker logic (and its mutants, -tags mutants), broker
	@mkdir -p $(REPORTS)
	@set -o pipefail; { go test -count=1 -timeout=6m -json $(UNIT_PKGS); a=$$?; \
	  go test -count=1 -timeout=6m -json -tags mutants -run '^TestMutant' ./workers/feed/; b=$$?; \
	  [ $$a -eq 0 ] && [ $$b -eq 0 ]; } | $(CHAOSCTL) testlog $(REPORTS)/unit.json

images: ## build (or reuse) the broker, toxiproxy, worker and worker-mutants images
	$(CHAOSCTL) images

smoke: ## the smoke chaos specs (label "smoke") on the embedded broker
	@mkdir -p $(REPORTS)
	@trap 'true' INT; export CHAOS_OWNER=$${CHAOS_OWNER:-$$$$}; \
	$(GINKGO) $(call GINKGO_FLAGS,smoke) -v --label-filter=smoke --timeout=14m ./suites; rc=$$?; \
	$(CHAOSCTL) clean -owner $$CHAOS_OWNER >/dev/null; exit $$rc

test: ## vet + unit tests + smoke chaos specs; ends with "N passed, N failed"
	@mkdir -p $(REPORTS); rm -f $(REPORTS)/unit.json $(REPORTS)/smoke.json
	@echo "== go vet"; go vet ./... || { echo "0 passed, 1 failed"; exit 1; }
	@bash scripts/ensure-chromium.sh || echo "(no chromium: the timeline browser test will skip)"
	@export CHAOS_OWNER=$$$$; \
	echo "== unit tests"; $(MAKE) --no-print-directory unit; u=$$?; \
	echo "== smoke chaos specs"; $(MAKE) --no-print-directory smoke; s=$$?; \
	echo "== leftovers"; $(CHAOSCTL) leftovers -owner $$CHAOS_OWNER; l=$$?; \
	echo "== tally"; \
	$(CHAOSCTL) tally $(REPORTS)/unit.json $(REPORTS)/smoke.json; t=$$?; \
	[ $$u -eq 0 ] && [ $$s -eq 0 ] && [ $$l -eq 0 ] && [ $$t -eq 0 ]

chaos: images ## every chaos suite on the embedded broker; writes reports/ and artifacts/
	@mkdir -p $(REPORTS)
	@start=$$(date +%s); trap 'true' INT; export CHAOS_OWNER=$$$$; \
	$(GINKGO) $(call GINKGO_FLAGS,chaos) --procs=$(PROCS) --timeout=60m --label-filter='!soak && !ladder' ./suites; rc=$$?; \
	$(CHAOSCTL) clean -owner $$CHAOS_OWNER >/dev/null; \
	echo; echo "== summary"; go run ./cmd/timeline -run-summary $(REPORTS); \
	$(CHAOSCTL) leftovers -owner $$CHAOS_OWNER || rc=1; \
	$(CHAOSCTL) tally $(REPORTS)/chaos.json; \
	echo "make chaos: $$(( $$(date +%s) - start ))s wall"; exit $$rc

selftest: images ## each mutant (workers/feed/mutants) against the specs that must catch it, then the correct worker; SELFTEST_MUTANTS=a,b picks some; reports/selftest.md
	@mkdir -p $(REPORTS)
	@trap 'true' INT; export CHAOS_OWNER=$$$$; \
	go run ./cmd/selftest -reports $(REPORTS) $(SELFTEST_FLAGS); rc=$$?; \
	$(CHAOSCTL) clean -owner $$CHAOS_OWNER >/dev/null; $(CHAOSCTL) leftovers -owner $$CHAOS_OWNER || rc=1; exit $$rc

scale: images ## the 1 -> 100 worker scale suite (label "scale"; its own target: ~3.5 min, 200 containers)
	@mkdir -p $(REPORTS)
	@trap 'true' INT; export CHAOS_OWNER=$$$$; \
	$(GINKGO) $(call GINKGO_FLAGS,scale) -v --label-filter=scale --timeout=90m ./suites/scale; rc=$$?; \
	$(CHAOSCTL) clean -owner $$CHAOS_OWNER >/dev/null; $(CHAOSCTL) leftovers -owner $$CHAOS_OWNER || rc=1; exit $$rc

soak: images ## a seeded random fault schedule for CHAOS_SOAK_DURATION (default 10m); CHAOS_SEED=... replays one
	@mkdir -p $(REPORTS)
	@trap 'true' INT; export CHAOS_OWNER=$$$$; \
	$(GINKGO) $(call GINKGO_FLAGS,soak) -v --label-filter=soak --timeout=4h ./suites/soak; rc=$$?; \
	$(CHAOSCTL) clean -owner $$CHAOS_OWNER >/dev/null; $(CHAOSCTL) leftovers -owner $$CHAOS_OWNER || rc=1; exit $$rc

bench: ## the performance report: reports/bench.md, bench.json and SVG charts
	@mkdir -p $(REPORTS)
	@trap 'true' INT; export CHAOS_OWNER=$$$$; \
	go run ./cmd/bench -out $(REPORTS); rc=$$?; \
	$(CHAOSCTL) clean -owner $$CHAOS_OWNER >/dev/null; exit $$rc

timeline: ## print a timeline: make timeline T=artifacts/<suite>/<spec>/timeline.jsonl
	go run ./cmd/timeline $(or $(T),artifacts)

clean: ## remove every container, network and volume the suite created, and reports
	$(CHAOSCTL) clean
	rm -rf $(REPORTS) artifacts

clean-all: clean ## clean, and remove the suite's images too
	$(CHAOSCTL) clean -images
