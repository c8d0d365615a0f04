# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The SeedChip Authors
#
# Top-level entry points. The two that matter:
#   make demo   set everything up (deps, build) and run the demo in a VM
#   make test   set everything up and run the whole test suite
#
# Everything downloaded or extracted lives in $(SEED_CACHE), outside the tree.

SEED_CACHE ?= $(if $(XDG_CACHE_HOME),$(XDG_CACHE_HOME),$(HOME)/.cache)/seedchip
export SEED_CACHE
BUILD_DIR ?= build
export SEED_BUILD_DIR := $(abspath $(BUILD_DIR))
CMAKE_BUILD_TYPE ?= RelWithDebInfo

# Compiler cache: every CMake build made from here (build/, the fuzz and
# build-matrix trees, the Debian package build) goes through ccache, whose
# store is in the cache, so a fresh clone builds in a fraction of the time.
# CMake takes the launcher from the environment when it configures a new
# build tree. (The first run, before `make deps` installs ccache, builds
# without it.)
ifneq ($(shell command -v ccache 2>/dev/null),)
export CMAKE_C_COMPILER_LAUNCHER ?= ccache
export CMAKE_CXX_COMPILER_LAUNCHER ?= ccache
export CCACHE_DIR ?= $(SEED_CACHE)/ccache
export CCACHE_BASEDIR ?= $(CURDIR)
export CCACHE_MAXSIZE ?= 5G
export CCACHE_SLOPPINESS ?= pch_defines,time_macros,include_file_mtime,include_file_ctime
endif

ENV_FILE := $(SEED_CACHE)/env.sh
# Kernel headers resolved by `make deps` (read when the recipe runs, since
# the first run creates them); an explicit KDIR=... wins.
KMAKE = . $(ENV_FILE) && $(MAKE) -C kernel KDIR=$${KDIR:-$$SEED_KHEADERS}

# 1 (default): `make test` also runs the VM suites on the debug kernel
# (KASAN, lockdep, DMA-API debugging, kmemleak, fail_function; see
# docs/testing.md); 0 skips that pass.
SEED_TEST_DEBUG_KERNEL ?= 1
export SEED_TEST_DEBUG_KERNEL

.PHONY: all deps userspace kernel kernel-debug test unit-test vm-test demo bench \
	check fuzz deb build-matrix format clean distclean cache-clean help

all: userspace kernel

help:
	@echo "make deps       install packages, fetch the guest kernel and QEMU (idempotent)"
	@echo "make            build userspace (CMake) and seed.ko (Kbuild)"
	@echo "make demo       deps + build + boot a VM with a SeedChip and show it"
	@echo "make test       deps + build + host unit tests + VM integration tests"
	@echo "make kernel-debug  build the debug guest kernel (once) and seed.ko for it"
	@echo "make unit-test  host unit tests only"
	@echo "make vm-test    VM integration tests only"
	@echo "make check      kernel W=1 + sparse + checkpatch, clang-format check"
	@echo "make fuzz       device-model libFuzzer targets, SEED_FUZZ_SECONDS each (30)"
	@echo "make deb        Debian packages into $(BUILD_DIR)/deb, checked by lintian"
	@echo "make build-matrix  GCC and clang, every build type (MATRIX=gcc-release: one)"
	@echo "make clean      remove build outputs; make cache-clean drops $(SEED_CACHE)"

# The build runs the installer only when its stamp (the env file) is missing
# or older than the installer, which may have learnt to fetch something new;
# the installer itself is idempotent, so `make deps` always re-checks.
deps:
	@tools/seed-deps

$(ENV_FILE): tools/seed-deps
	@tools/seed-deps

$(BUILD_DIR)/build.ninja: | $(ENV_FILE)
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(CMAKE_BUILD_TYPE)

userspace: $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR)

kernel: | $(ENV_FILE)
	@$(KMAKE)

# The debug guest kernel is built once into $(SEED_CACHE) (about half an
# hour on two cores); seed.ko for it goes to $(BUILD_DIR)/kernel-debug/.
kernel-debug: | $(ENV_FILE)
	@tools/seed-debug-kernel --module $(BUILD_DIR)/kernel-debug

unit-test: userspace
	@tools/seed-test --unit

vm-test: all $(if $(filter 1,$(SEED_TEST_DEBUG_KERNEL)),kernel-debug)
	@tools/seed-test --vm

test: all $(if $(filter 1,$(SEED_TEST_DEBUG_KERNEL)),kernel-debug)
	@tools/seed-test

demo: all
	@tools/seed-demo

bench: all
	@tools/seed-bench

check: $(BUILD_DIR)/build.ninja | $(ENV_FILE)
	@tools/seed-deps --lint
	@$(KMAKE) check
	@tools/seed-format --check
	@tests/abi/check-abi
	@cmake --build $(BUILD_DIR) --target seed
	@tests/abi/check-libseed-abi $(BUILD_DIR)

# Separate clang ASan/UBSan build in build-fuzz/; replays kept crash inputs,
# then fuzzes each target from its seed corpus for a bounded time.
fuzz: | $(ENV_FILE)
	@tests/fuzz/run-fuzzers

# Builds with both compilers and every build type into build-matrix/ (warnings
# as errors); MATRIX=gcc-release (or another of its names) picks some.
build-matrix: | $(ENV_FILE)
	@tools/seed-build-matrix $(MATRIX)

# dpkg-buildpackage in a copy of the tree (debian/); see docs/packaging.md.
deb: | $(ENV_FILE)
	@tools/seed-deb $(BUILD_DIR)/deb

format:
	@tools/seed-format

clean:
	rm -rf $(BUILD_DIR) build-fuzz build-matrix
	-@[ -f $(ENV_FILE) ] && $(KMAKE) clean

cache-clean:
	rm -rf $(SEED_CACHE)

distclean: clean cache-clean
