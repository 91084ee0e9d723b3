# rules_pex developer entry points. `make example` builds and runs an example
# archive; `make test` runs every test (what CI runs). See README.md.
SHELL := /bin/bash
export PATH := /usr/local/go/bin:$(PATH)
GO ?= go
BIN := $(CURDIR)/bin
WHEELHOUSE := $(CURDIR)/wheelhouse
FUZZTIME ?= 20000x
GOFLAGS_STATIC := CGO_ENABLED=0
LDFLAGS := -s -w

.PHONY: all deps tools cross example example-cli wheelhouse test unit fuzz bazel-e2e gazelle docs release bench bench-run bench-pack bench-smoke clean

all: tools

deps:
	scripts/install-deps

# bin/packer and bin/launcher (the two-stage launcher: scripts/build-launcher),
# static and stripped.
tools:
	@mkdir -p $(BIN)
	$(GOFLAGS_STATIC) $(GO) build -trimpath -ldflags='$(LDFLAGS)' -o $(BIN)/packer ./tools/packer
	scripts/build-launcher $(BIN)/launcher

wheelhouse: deps
	scripts/wheelhouse/make-wheelhouse $(WHEELHOUSE)

# Builds and runs examples/bazel-wheels (numpy and cryptography from the
# wheelhouse) with Bazel, then runs the built file outside Bazel too.
example: deps wheelhouse
	scripts/example-bazel

# The same without Bazel: the packer CLI on examples/hello.
example-cli: deps tools wheelhouse
	scripts/example

# Every test: the wheelhouse checks, unit tests of every library (with the
# real wheelhouse and interpreters), the packer and launcher end to end
# (tests/), and a short fuzzing pass over every fuzz target.
test: deps wheelhouse tools cross
	$(GO) vet ./...
	$(MAKE) bench-smoke
	scripts/wheelhouse/make-wheelhouse --verify --no-build $(WHEELHOUSE)
	/usr/bin/python3.11 -m pytest -q -p no:cacheprovider scripts/wheelhouse/tests
	RULES_PEX_WHEELHOUSE=$(WHEELHOUSE) $(GO) test -count=1 ./...
	$(GO) test -C tests/bazel/cacheserver -count=1 ./...
	$(MAKE) fuzz
	$(MAKE) bazel-e2e

# The launcher and the packer build static for linux/darwin x amd64/arm64.
cross:
	@for os in linux darwin; do for arch in amd64 arm64; do \
	  echo "cross: $$os/$$arch"; \
	  GOOS=$$os GOARCH=$$arch scripts/build-launcher $(BIN)/.cross-launcher || exit 1; \
	  GOOS=$$os GOARCH=$$arch $(GOFLAGS_STATIC) $(GO) build -trimpath -ldflags='$(LDFLAGS)' -o /dev/null ./tools/packer || exit 1; \
	  GOOS=$$os GOARCH=$$arch $(GO) vet ./launcher/... ./tools/packer/... ./internal/... >/dev/null || exit 1; \
	done; done; rm -f $(BIN)/.cross-launcher

unit:
	RULES_PEX_WHEELHOUSE=$(WHEELHOUSE) $(GO) test ./...

fuzz:
	scripts/fuzz-all $(FUZZTIME)

# The Bazel side end to end: lint, Gazelle, docs, Starlark unit tests,
# analysis errors, every example, per-platform and universal files,
# reproducibility, a remote cache over HTTP and gRPC (tests/bazel/cacheserver,
# built from the module proxy), Build without the Bytes, incremental builds
# and a release made by make release and installed through file:// URLs by
# the README's WORKSPACE lines.
# `tests/bazel/run STEP...` runs some steps only.
bazel-e2e: deps wheelhouse
	RULES_PEX_WHEELHOUSE=$(WHEELHOUSE) tests/bazel/run

# Regenerates the Go BUILD.bazel files with Gazelle.
gazelle:
	scripts/update-build-files

# Regenerates docs/rules.md from docs/rules.md.tmpl and the doc strings of
# rules/*.bzl (tools/dev/docgen; `tests/bazel/run docs` checks it).
docs:
	$(GO) run -C tools/dev ./docgen -root $(CURDIR)

# Cross-builds both tools for linux/darwin x amd64/arm64 and writes the
# release archive with sha256 pins into OUTDIR, and prints the WORKSPACE lines
# for it: make release VERSION=0.1.0 [BASE_URL=URL] [OUTDIR=DIR]. BASE_URL is
# where the binaries will be published (the pins in the archive's
# rules/private/versions.bzl point there); empty means the GitHub release of
# VERSION. tests/bazel/run release passes file://OUTDIR.
VERSION ?= 0.0.0-dev
BASE_URL ?=
OUTDIR ?= out/release
release:
	scripts/make-release '$(VERSION)' '$(OUTDIR)' $(if $(BASE_URL),'$(BASE_URL)')

# Benchmarks (not tests): docs/BENCHMARKS.md against pex and shiv (give
# PEX_SRC=DIR and SHIV_SRC=DIR checkouts), zipapp, Bazel's zip and the floors;
# its plots and raw results go to docs/bench/ (bench.py --render
# docs/bench/results.json writes them all again without measuring).
bench: deps tools wheelhouse
	/usr/bin/python3.11 bench/bench.py --bin $(BIN) --wheelhouse $(WHEELHOUSE)

# The launcher's start-up against the floors: trivial, heavy and 40 MB .so apps.
bench-run: deps tools wheelhouse
	/usr/bin/python3.11 bench/bench.py --bin $(BIN) --wheelhouse $(WHEELHOUSE) --cases trivial,heavy,bigso --tools rules_pex,floors --out -

# The smallest benchmark case, run by make test so the harness cannot rot.
bench-smoke: tools wheelhouse
	/usr/bin/python3.11 -m pytest -q -p no:cacheprovider bench/test_bench.py
	@mkdir -p $(CURDIR)/out
	/usr/bin/python3.11 bench/bench.py --bin $(BIN) --wheelhouse $(WHEELHOUSE) --cases trivial --tools rules_pex,zipapp,floors --quick --out $(CURDIR)/out/bench-smoke.md

bench-pack: deps tools wheelhouse
	BIN=$(BIN) WHEELHOUSE=$(WHEELHOUSE) scripts/bench-pack

clean:
	rm -rf $(BIN) out
