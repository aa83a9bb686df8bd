# Whittle: set-up, build, run, test, benchmarks, fuzzing and experiments.
#
#   make run [FILE=x.wh]   set up, build release, open the prompt (or run FILE)
#   make test              set up, build and run the whole test suite
#   make bench             release benchmarks (scripts/bench/*), one `BENCH name value unit` line each
#   make fuzz              libFuzzer on a sandboxed Session for FUZZ_SECONDS (default 60)
#   make experiments       every saved experiment (scripts/*.wh)
#   make repro-sharing     soft parameter sharing (thesis ch. 3): WRN vs SWRN on Fashion-MNIST, shortest paths

SHELL := /bin/bash
SWIFT ?= swift
APT_PACKAGES := libedit-dev libopenblas-dev zlib1g-dev dataset-fashion-mnist librsvg2-bin pkg-config slurm-wlm munge
PIP_PACKAGES := numpy safetensors
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
WHITTLE := .build/release/whittle
FILE ?=
FUZZ_SECONDS ?= 60
TEST_FLAGS ?=

.PHONY: all setup build run test bench fuzz experiments repro-sharing clean

all: build

# Installs only what is missing: apt-get update runs only when a package has to be installed.
setup:
	@command -v $(SWIFT) >/dev/null || { echo "setup: '$(SWIFT)' not found; install Swift 6.3 (https://swift.org/install) and retry" >&2; exit 1; }
	@missing=""; \
	for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "setup: installing$$missing"; \
	  $(SUDO) apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends $$missing; \
	fi
	@missing=""; \
	for m in $(PIP_PACKAGES); do python3 -c "import $$m" 2>/dev/null || missing="$$missing $$m"; done; \
	if [ -n "$$missing" ]; then \
	  echo "setup: pip installing$$missing"; \
	  python3 -m pip install -q $$missing || python3 -m pip install -q --break-system-packages $$missing; \
	fi

# The Swift runtime and Foundation are linked statically: resolving their symbols at every start
# cost about 20 ms of the 50 ms start-up budget (`whittle -e 1`: 50 ms dynamic, 28 ms static).
build: setup
	$(SWIFT) build -c release --product whittle --static-swift-stdlib

run: build
	@$(WHITTLE) $(FILE)

# The tests build (in debug) and run the whittle they test; a release build would only cost time.
test: setup
	$(SWIFT) test $(TEST_FLAGS)

bench: build
	@for f in scripts/bench/*; do \
	  case "$$f" in \
	    *.wh) echo "# $$f"; $(WHITTLE) --quiet "$$f" || exit $$?;; \
	    *.sh) echo "# $$f"; WHITTLE=$(WHITTLE) bash "$$f" || exit $$?;; \
	  esac; \
	done

fuzz: setup
	bash fuzz/run.sh $(FUZZ_SECONDS)

experiments: build
	@shopt -s nullglob; files=(scripts/*.wh); \
	if [ $${#files[@]} -eq 0 ]; then echo "experiments: no scripts/*.wh yet"; exit 0; fi; \
	for f in "$${files[@]}"; do echo "# $$f"; $(WHITTLE) "$$f" || exit $$?; done

# Writes sharing_fmnist_out/ and sharing_paths_out/ (SVGs); `--set` smaller settings for a smoke run.
repro-sharing: build
	$(WHITTLE) scripts/sharing_fmnist.wh
	$(WHITTLE) scripts/sharing_paths.wh

clean:
	rm -rf .build-fuzz
	$(SWIFT) package clean
