# Thin wrapper over CMake for developers. The README's quick start is
# tools/dev.sh (which installs the Debian packages first and then calls this).
#   make demo   builds and runs the demo in ./demo
#   make test   builds and runs every test (ctest: unit, e2e, browser, sanitizer build)
#   make bench  builds and runs the benchmarks, which print their figures
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
SHARED ?= $(abspath ../shared)
export FATURO_XSD_DIR ?= $(SHARED)/tiss/4.01.00

.PHONY: all deps build demo test clean bench

all: build

deps:
	@bash tools/install-deps.sh

build:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_ARGS)
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	mkdir -p demo
	cd demo && rm -f faturo.db faturo.db-wal faturo.db-shm && ../$(BUILD)/faturo demo

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -LE bench $(CTEST_ARGS)

bench: build
	cd $(BUILD) && ctest -L bench --output-on-failure -V

clean:
	rm -rf $(BUILD)
