# StreamSocial feed-fleet chaos suite.
#
#   make chaos   build the images and run the chaos suite (the main job)
#   make test    vet + actionlint + unit tests + the smoke chaos specs (what CI runs on a PR)
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
# Unit tests: every package but the chaos suite (suites/ and its theme
# packages hold specs that start Docker), plus kit's own tests.
UNIT_PKGS  = $(shell go list ./... | grep -v -E '/suites(/|$$)') ./suites/internal/kit
# The label filter of `make chaos`: every spec but the long soak and the
# scale ladder (their own targets). LABEL_FILTER='crash || pause' make chaos
# runs a subset.
LABEL_FILTER ?= !soak && !ladder
ifeq ($(strip $(LABEL_FILTER)),)
override LABEL_FILTER := !soak && !ladder
endif
# Parallel Ginkgo processes for `make chaos` (each runs its own broker on its
# own ports).
PROCS ?= 2
# One Ginkgo run over the one suite at suites/: $(1) names the run (its
# reports: $(1).json, $(1).xml, $(1)-summary.md), $(2) is the label filter,
# $(3) more Ginkgo flags. Ginkgo prints a failing spec in full (with its
# container lines) and a passing one only if it measured something; the
# suite appends one line per finished spec to $(1)-progress.log, which is
# printed as it grows. The run's containers are swept afterwards.
define RUN_SUITE
	@mkdir -p $(REPORTS); trap 'true' INT; \
	export CHAOS_OWNER=$${CHAOS_OWNER:-$$$$} CHAOS_RUN=$(1) CHAOS_PROGRESS=$(CURDIR)/$(REPORTS)/$(1)-progress.log; \
	: > $$CHAOS_PROGRESS; tail -n +1 -F $$CHAOS_PROGRESS 2>/dev/null & tailpid=$$!; \
	start=$$(date +%s); \
	$(GINKGO) --succinct --silence-skips --poll-progress-after=120s --output-dir=$(REPORTS) --json-report=$(1).json --junit-report=$(1).xml \
		--label-filter='$(2)' $(3) ./suites; rc=$$?; \
	sleep 1; kill $$tailpid 2>/dev/null; \
	$(CHAOSCTL) clean -owner $$CHAOS_OWNER >/dev/null; \
	echo; echo "== summary"; go run ./cmd/timeline -run-summary $(REPORTS)/$(1)-summary.json || rc=1; \
	$(CHAOSCTL) leftovers -owner $$CHAOS_OWNER || rc=1; \
	$(CHAOSCTL) tally $(REPORTS)/$(1).json; \
	echo "make $(1): $$(( $$(date +%s) - start ))s wall"; exit $$rc
endef

.PHONY: help test vet lint-ci unit smoke conformance selftest chaos scale soak bench images franz-image franz franz-specs clean clean-all timeline external external-specs kraft-standin

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/'

vet: ## go vet every package
	go vet ./...

lint-ci: ## check .github/workflows with actionlint (a Go tool in go.mod); writes reports/lint-ci.json for the tally
	@mkdir -p $(REPORTS)
	@if go tool actionlint; then r=pass; else r=fail; fi; \
	printf '{"Action":"%s","Package":"ci","Test":"actionlint .github/workflows"}\n' $$r > $(REPORTS)/lint-ci.json; \
	echo "actionlint: $$r"; [ $$r = pass ]

unit: ## unit tests (no Docker): checkers, timeline, graph, bounds, worker logic (and its mutants, -tags mutants), broker
	@mkdir -p $(REPORTS)
	@set -o pipefail; { go test -count=1 -timeout=6m -json $(UNIT_PKGS); a=$$?; \
	  go test -count=1 -timeout=6m -json -tags mutants -run '^TestMutant' ./workers/feed/; b=$$?; \
	  [ $$a -eq 0 ] && [ $$b -eq 0 ]; } | $(CHAOSCTL) testlog $(REPORTS)/unit.json

images: ## build (or reuse) the broker, toxiproxy, worker and worker-mutants images
	$(CHAOSCTL) images

franz-image: ## build (or reuse) the franz-go worker's image (workers/franzfeed) and print its tag
	@$(CHAOSCTL) image franzfeed

franz: ## the franz-go worker (written from the contract alone) through make conformance and the smoke, crash, partition and delivery specs (FRANZ_LABELS)
	@img=$$($(CHAOSCTL) image franzfeed) || exit 1; echo "WORKER_IMAGE=$$img"; \
	WORKER_IMAGE=$$img $(MAKE) --no-print-directory conformance; c=$$?; \
	WORKER_IMAGE=$$img $(MAKE) --no-print-directory franz-specs; s=$$?; \
	[ $$c -eq 0 ] && [ $$s -eq 0 ]

# The label filter of `make franz`'s specs.
# The exactly-once zombie spec is left out: franzfeed's exactly-once worker
# does not rejoin after a long freeze (README, "Bringing your own worker").
FRANZ_LABELS ?= (smoke || crash || partition || delivery) && !zombie
franz-specs:
	$(call RUN_SUITE,franz,$(FRANZ_LABELS),--procs=$(PROCS) --timeout=45m)

smoke: ## the smoke chaos specs (label "smoke") in $(PROCS) processes
	$(call RUN_SUITE,smoke,smoke,--procs=$(PROCS) --timeout=14m)

conformance: ## check WORKER_IMAGE (else the bundled worker) against the worker contract, no faults: a PASS/FAIL line per clause (~2 min)
	@trap 'true' INT; export CHAOS_OWNER=$${CHAOS_OWNER:-$$$$}; \
	go run ./cmd/conformance; rc=$$?; \
	$(CHAOSCTL) clean -owner $$CHAOS_OWNER >/dev/null; exit $$rc

test: ## vet + actionlint + unit tests + smoke chaos specs + the fast mutants; ends with "N passed, N failed"
	@mkdir -p $(REPORTS); rm -f $(REPORTS)/lint-ci.json $(REPORTS)/unit.json $(REPORTS)/smoke.json $(REPORTS)/selftest-tests.json
	@echo "== go vet"; go vet ./... || { echo "0 passed, 1 failed"; exit 1; }
	@bash scripts/ensure-chromium.sh || echo "(no chromium: the timeline browser test will skip)"
	@export CHAOS_OWNER=$$$$; \
	echo "== lint-ci"; $(MAKE) --no-print-directory lint-ci; c=$$?; \
	echo "== unit tests"; $(MAKE) --no-print-directory unit; u=$$?; \
	echo "== smoke chaos specs"; $(MAKE) --no-print-directory smoke; s=$$?; \
	echo "== fast mutants (make selftest SELFTEST_FLAGS=-fast)"; $(MAKE) --no-print-directory selftest SELFTEST_FLAGS=-fast; m=$$?; \
	echo "== leftovers"; $(CHAOSCTL) leftovers -owner $$CHAOS_OWNER; l=$$?; \
	echo "== tally"; \
	files=""; missing=0; for f in lint-ci unit smoke selftest-tests; do \
	  if [ -f $(REPORTS)/$$f.json ]; then files="$$files $(REPORTS)/$$f.json"; else echo "no $(REPORTS)/$$f.json: that step did not report"; missing=1; fi; done; \
	$(CHAOSCTL) tally $$files; t=$$?; [ $$missing -eq 0 ] || t=1; \
	[ $$c -eq 0 ] && [ $$u -eq 0 ] && [ $$s -eq 0 ] && [ $$m -eq 0 ] && [ $$l -eq 0 ] && [ $$t -eq 0 ]

chaos: images ## every chaos spec (LABEL_FILTER, default '!soak && !ladder') in $(PROCS) processes; writes reports/ and artifacts/
	$(call RUN_SUITE,chaos,$(LABEL_FILTER),--procs=$(PROCS) --timeout=60m)

selftest: images ## each mutant (workers/feed/mutants) against the specs that must catch it, then the correct worker; SELFTEST_MUTANTS=a,b picks some; reports/selftest.md
	@mkdir -p $(REPORTS)
	@trap 'true' INT; export CHAOS_OWNER=$$$$; \
	go run ./cmd/selftest -reports $(REPORTS) -jobs $(PROCS) $(SELFTEST_FLAGS); rc=$$?; \
	$(CHAOSCTL) clean -owner $$CHAOS_OWNER >/dev/null; $(CHAOSCTL) leftovers -owner $$CHAOS_OWNER || rc=1; exit $$rc

external: ## the crash, partition and heartbeat specs against a broker started outside the suite (KAFKA_BOOTSTRAP), removed afterwards
	@bash scripts/external-cluster.sh

kraft-standin: ## build streamsocial/kraft-standin:dev, a stand-in for apache/kafka honouring its KRaft environment (not Kafka)
	@d=$$(mktemp -d); trap 'rm -rf $$d' EXIT; \
	CGO_ENABLED=0 go build -o $$d/kraftstandin ./cmd/kraftstandin && \
	DOCKER_BUILDKIT=0 docker build -q --label streamsocial.chaos=1 -f docker/kraft-standin/Dockerfile -t streamsocial/kraft-standin:dev $$d >/dev/null && \
	echo "built streamsocial/kraft-standin:dev: KAFKA_IMAGE=streamsocial/kraft-standin:dev runs the KAFKA_IMAGE wiring on it"

# make external's run, with KAFKA_BOOTSTRAP set by scripts/external-cluster.sh.
EXTERNAL_LABELS ?= crash || partition || heartbeat
external-specs:
	$(call RUN_SUITE,external,$(EXTERNAL_LABELS),--procs=$(PROCS) --timeout=40m)

scale: images ## the 1 -> 100 worker scale specs (label "scale"; its own target: ~5 min, 200 containers)
	$(call RUN_SUITE,scale,scale,--timeout=90m)

soak: images ## a seeded random fault schedule for CHAOS_SOAK_DURATION (default 10m); CHAOS_SEED=... replays one
	$(call RUN_SUITE,soak,soak,--timeout=4h)

bench: ## the performance report: reports/bench.md, bench.json and SVG charts
	@mkdir -p $(REPORTS)
	@trap 'true' INT; export CHAOS_OWNER=$$$$; \
	go run ./cmd/bench -out $(REPORTS); rc=$$?; \
	$(CHAOSCTL) clean -owner $$CHAOS_OWNER >/dev/null; exit $$rc

timeline: ## print a timeline: make timeline T=artifacts/<theme>/<spec>/timeline.jsonl
	go run ./cmd/timeline $(or $(T),artifacts)

clean: ## remove every container, network and volume the suite created, and reports
	$(CHAOSCTL) clean
	rm -rf $(REPORTS) artifacts

clean-all: clean ## clean, and remove the suite's images too
	$(CHAOSCTL) clean -images
