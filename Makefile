# Whittle: set-up, build, run, test, benchmarks, fuzzing and experiments.
#
#   make run [FILE=x.wh]   set up, build release, open the prompt (or run FILE)
#   make test              set up, build and run the whole test suite
#   make bench             release benchmarks (scripts/bench/*), one `BENCH name value unit` line each
#   make fuzz              FUZZ_CALL_SECONDS of generated built-in calls, FUZZ_LOADER_FILES mutated files
#                          per loader (safetensors, IDX, CSV, JSON), then FUZZ_RUNS libFuzzer inputs
#                          (default 1,000,000) on a sandboxed Session
#   make experiments       every saved experiment (scripts/*.wh)
#   make repro-iht         the IHT paper's IRIS experiment (RUNS=100 per s; RUNS=1000 is the paper's)
#   make repro-rvsm        RVSM on the no-overlap teacher and on Fashion-MNIST (EPOCHS=5)
#   make repro-adaptive    the thesis' chapter 6 (adaptive optimizers): §6.5.1 and Fashion-MNIST
#                          (REPRO_FLAGS="--set steps=10000 --set seeds=1" for a quick look)
#   make repro-cs          continuous sparsification: ticket search and one-shot pruning (SEEDS=1)
#   make repro-hrco        the HRCO paper's Lasso and pruning experiments (FULL=1: full-size Lasso)
#   make repro-sharing     soft parameter sharing (thesis ch. 3): WRN vs SWRN on Fashion-MNIST, shortest paths
#   make repro-shrink      ShrinkNets: against group lasso on synthetic regression; the Fashion-MNIST MLP and
#                          W1 CNN with switches (EPOCHS=5)
#   make repro-smol        SMOL mixed precision (thesis ch. 5) on the Fashion-MNIST CNN against uniform 8/4/2 bits

SHELL := /bin/bash
SWIFT ?= swift
APT_PACKAGES := libedit-dev libopenblas-dev zlib1g-dev dataset-fashion-mnist librsvg2-bin pkg-config slurm-wlm munge
PIP_PACKAGES := numpy safetensors
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
WHITTLE := .build/release/whittle
FILE ?=
FUZZ_RUNS ?= 1000000
FUZZ_SECONDS ?= 3600
FUZZ_WORKERS ?= $(shell nproc)
FUZZ_CALL_SECONDS ?= 600
FUZZ_LOADER_FILES ?= 10000
TEST_FLAGS ?=

RUNS ?= 100
EPOCHS ?= 5

.PHONY: all setup build run test bench fuzz experiments repro-iht repro-rvsm repro-adaptive repro-cs repro-hrco repro-sharing repro-shrink repro-smol clean

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

# Long runs of the bounded fuzz tests that `make test` runs briefly, then libFuzzer.
fuzz: setup
	$(SWIFT) build --build-tests
	WHITTLE_CALLS_SECONDS=$(FUZZ_CALL_SECONDS) $(SWIFT) test --skip-build --filter GeneratedCallTests
	WHITTLE_LOADER_FILES=$(FUZZ_LOADER_FILES) $(SWIFT) test --skip-build --filter LoaderMutationTests
	FUZZ_WORKERS=$(FUZZ_WORKERS) bash fuzz/run.sh $(FUZZ_RUNS) $(FUZZ_SECONDS)

experiments: build
	@shopt -s nullglob; files=(scripts/*.wh); \
	if [ $${#files[@]} -eq 0 ]; then echo "experiments: no scripts/*.wh yet"; exit 0; fi; \
	for f in "$${files[@]}"; do echo "# $$f"; $(WHITTLE) "$$f" || exit $$?; done

repro-iht: build
	$(WHITTLE) --set runs=$(RUNS) scripts/iht_iris.wh

repro-rvsm: build
	$(WHITTLE) scripts/rvsm_teacher.wh
	$(WHITTLE) --set epochs=$(EPOCHS) scripts/rvsm_fmnist.wh

REPRO_FLAGS ?=
repro-adaptive: build
	$(WHITTLE) $(REPRO_FLAGS) scripts/adam_nonconvergence.wh
	$(WHITTLE) $(REPRO_FLAGS) scripts/optimizers_fmnist.wh

SEEDS ?= 1

# The thesis' chapter 4 at CPU scale (issue 9): tickets on LeNet-300-100, one-shot pruning of W1's CNN.
repro-cs: build
	$(WHITTLE) --set seeds=$(SEEDS) scripts/cs_tickets.wh
	$(WHITTLE) scripts/cs_pruning.wh

# Writes sharing_fmnist_out/ and sharing_paths_out/ (SVGs); `--set` smaller settings for a smoke run.
repro-sharing: build
	$(WHITTLE) scripts/sharing_fmnist.wh
	$(WHITTLE) scripts/sharing_paths.wh

# Writes smol_fmnist_out/ (an SVG of accuracy against bits, a JSON Lines record); REPRO_FLAGS for
# shorter runs, e.g. REPRO_FLAGS="--set epochs=1 --set smol_epochs=1".
repro-smol: build
	$(WHITTLE) $(REPRO_FLAGS) scripts/smol_fmnist.wh

clean:
	rm -rf .build-fuzz
	$(SWIFT) package clean

# The HRCO paper's two experiments (scripts/hrco_lasso.wh, scripts/hrco_prune.wh); FULL=1 for the
# paper's full-size Lasso problem.
repro-hrco: build
	$(WHITTLE) $(if $(FULL),--set full=true) scripts/hrco_lasso.wh
	$(WHITTLE) scripts/hrco_prune.wh

# ShrinkNets (issue 12): writes shrink_regression_out/ and shrink_fmnist_out/ (SVGs, JSON Lines).
repro-shrink: build
	$(WHITTLE) scripts/shrink_regression.wh
	$(WHITTLE) --set epochs=$(EPOCHS) scripts/shrink_fmnist.wh
