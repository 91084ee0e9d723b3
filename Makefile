# rules_pex developer entry points. `make example` builds and runs an example
# archive; `make test` runs every test (what CI runs). See README.md.
SHELL := /bin/bash
export PATH := /usr/local/go/bin:$(PATH)
GO ?= go
BIN := $(CURDIR)/bin
WHEELHOUSE := $(CURDIR)/wheelhouse
FUZZTIME ?= 3s
GOFLAGS_STATIC := CGO_ENABLED=0
LDFLAGS := -s -w

.PHONY: all deps tools cross example wheelhouse test unit fuzz bench-pack clean

all: tools

deps:
	scripts/install-deps

# bin/packer and bin/launcher, static and stripped.
tools:
	@mkdir -p $(BIN)
	$(GOFLAGS_STATIC) $(GO) build -trimpath -ldflags='$(LDFLAGS)' -o $(BIN)/packer ./tools/packer
	$(GOFLAGS_STATIC) $(GO) build -trimpath -ldflags='$(LDFLAGS)' -o $(BIN)/launcher ./launcher

wheelhouse: deps
	scripts/wheelhouse/make-wheelhouse $(WHEELHOUSE)

example: deps tools wheelhouse
	scripts/example

# Every test: the wheelhouse checks, unit tests of every library (with the
# real wheelhouse and interpreters), the packer and launcher end to end
# (tests/), and a short fuzzing pass over every fuzz target.
test: deps wheelhouse tools cross
	$(GO) vet ./...
	scripts/wheelhouse/make-wheelhouse --verify --no-build $(WHEELHOUSE)
	/usr/bin/python3.11 -m pytest -q -p no:cacheprovider scripts/wheelhouse/tests
	RULES_PEX_WHEELHOUSE=$(WHEELHOUSE) $(GO) test -count=1 ./...
	$(MAKE) fuzz

# The launcher and the packer build static for linux/darwin x amd64/arm64.
cross:
	@for os in linux darwin; do for arch in amd64 arm64; do \
	  echo "cross: $$os/$$arch"; \
	  GOOS=$$os GOARCH=$$arch $(GOFLAGS_STATIC) $(GO) build -trimpath -ldflags='$(LDFLAGS)' -o /dev/null ./launcher || exit 1; \
	  GOOS=$$os GOARCH=$$arch $(GOFLAGS_STATIC) $(GO) build -trimpath -ldflags='$(LDFLAGS)' -o /dev/null ./tools/packer || exit 1; \
	  GOOS=$$os GOARCH=$$arch $(GO) vet ./launcher/... ./internal/... >/dev/null || exit 1; \
	done; done

unit:
	RULES_PEX_WHEELHOUSE=$(WHEELHOUSE) $(GO) test ./...

fuzz:
	scripts/fuzz-all $(FUZZTIME)

bench-pack: deps tools wheelhouse
	BIN=$(BIN) WHEELHOUSE=$(WHEELHOUSE) scripts/bench-pack

clean:
	rm -rf $(BIN) out
