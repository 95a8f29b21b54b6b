# Thin wrapper over CMake. The two quick-start commands:
#   make demo   installs what is missing (Debian 12), builds, runs the demo
#   make test   installs what is missing, builds, runs every test (ctest)
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
SHARED ?= $(abspath ../shared)
export FATURO_XSD_DIR ?= $(SHARED)/tiss/4.01.00

.PHONY: all deps build demo test clean bench

all: build

deps:
	@bash tools/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_ARGS)
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	mkdir -p demo
	cd demo && ../$(BUILD)/faturo demo

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

bench: build
	cd $(BUILD) && ctest -L bench --output-on-failure -V

clean:
	rm -rf $(BUILD)
