# libnn: build with `make`, test with `make test`, demo with `make run`.
# Sources are found by wildcard: a new layer or optimizer is one new file.

VERSION      := 0.1.0
SOVERSION    := 0
PREFIX       ?= /usr/local
LIBDIR       ?= $(PREFIX)/lib
INCLUDEDIR   ?= $(PREFIX)/include
BUILD        ?= build

CC           ?= cc
CXX          ?= c++
OPT          ?= -O2 -g
WARN         := -Wall -Wextra -Wpedantic
# -ffp-contract=off: the compiler must not fuse a*b+c on its own; every FMA
# is an explicit fmaf so all SIMD paths and architectures agree bit for bit.
NUMERIC      := -ffp-contract=off -fno-math-errno
LIB_CFLAGS   := -std=c11 $(OPT) $(WARN) $(NUMERIC) -fPIC -fvisibility=hidden -Iinclude -Ilib $(CFLAGS)
TEST_CFLAGS  := -std=c11 $(OPT) $(WARN) $(NUMERIC) -Iinclude -Ilib -Itests $(CFLAGS)
LDLIBS_LIB   := -lm -pthread

LIB_SRC      := $(sort $(wildcard lib/*/*.c))
LIB_OBJ      := $(LIB_SRC:%.c=$(BUILD)/%.o)
TEST_SRC     := $(sort $(wildcard tests/*.c))
TEST_OBJ     := $(TEST_SRC:%.c=$(BUILD)/%.o)
TEST_CXX     := $(sort $(wildcard tests/*.cpp))
TEST_CXX_OBJ := $(TEST_CXX:%.cpp=$(BUILD)/%.o)
EX_SRC       := $(sort $(wildcard examples/*.c))
EX_BIN       := $(EX_SRC:examples/%.c=$(BUILD)/examples/%)

STATIC       := $(BUILD)/libnn.a
SHARED_REAL  := $(BUILD)/libnn.so.$(VERSION)
SHARED_SO    := $(BUILD)/libnn.so.$(SOVERSION)
SHARED_DEV   := $(BUILD)/libnn.so

.PHONY: all lib test test-sanitize test-bigendian test-cross abi-update abi-check firmware test-firmware run examples install uninstall clean check-exports

all: lib examples $(BUILD)/run_tests

lib: $(STATIC) $(SHARED_DEV)

$(BUILD)/lib/%.o: lib/%.c include/nn.h $(wildcard lib/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(LIB_CFLAGS) -c $< -o $@

$(STATIC): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(SHARED_REAL): $(LIB_OBJ) lib/libnn.map
	$(CC) -shared -Wl,-soname,libnn.so.$(SOVERSION) -Wl,--version-script=lib/libnn.map \
	    -Wl,--no-undefined -o $@ $(LIB_OBJ) $(LDLIBS_LIB) $(LDFLAGS)

$(SHARED_SO): $(SHARED_REAL)
	ln -sf libnn.so.$(VERSION) $@
$(SHARED_DEV): $(SHARED_SO)
	ln -sf libnn.so.$(SOVERSION) $@

$(BUILD)/tests/%.o: tests/%.c include/nn.h $(wildcard tests/*.h) $(wildcard lib/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -c $< -o $@

$(BUILD)/tests/%.o: tests/%.cpp include/nn.h tests/harness.h
	@mkdir -p $(dir $@)
	$(CXX) -std=c++11 $(OPT) $(WARN) -Iinclude -Itests -c $< -o $@

$(BUILD)/run_tests: $(TEST_OBJ) $(TEST_CXX_OBJ) $(STATIC)
	$(CXX) -o $@ $(TEST_OBJ) $(TEST_CXX_OBJ) $(STATIC) -lm -pthread $(LDFLAGS)

$(BUILD)/examples/%: examples/%.c $(wildcard examples/*.h) $(STATIC)
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(OPT) $(WARN) -Iinclude -o $@ $< $(STATIC) -lm -pthread $(LDFLAGS)

examples: $(EX_BIN)

test: all check-exports
	$(BUILD)/run_tests

# Exported symbols must match the allow-list abi/exports.txt exactly (all nn_*), and the .so
# must need only libc/libm. Adding a function on purpose: `make abi-update`, commit abi/.
EXPORTS_NOW = nm -D --defined-only $(SHARED_REAL) | awk '{print $$3}' | sed 's/@.*//' | grep -vE '^(_init|_fini|_edata|_end|__bss_start)$$' | LC_ALL=C sort -u
check-exports: $(SHARED_REAL)
	@bad=$$($(EXPORTS_NOW) | grep -v '^nn_' || true); \
	if [ -n "$$bad" ]; then echo "non-nn_ exports: $$bad"; exit 1; fi
	@$(EXPORTS_NOW) > $(BUILD)/exports.txt; \
	if ! diff -u abi/exports.txt $(BUILD)/exports.txt; then \
	    echo "check-exports: exported symbols differ from abi/exports.txt (- missing, + extra)."; \
	    echo "  Removing or renaming an export breaks the ABI. If you added a function on purpose,"; \
	    echo "  run 'make abi-update' and commit abi/exports.txt (and abi/libnn.abi)."; exit 1; fi
	@deps=$$(ldd $(SHARED_REAL) 2>/dev/null | grep -vE 'linux-vdso|libc\.so|libm\.so|ld-linux|libpthread' || true); \
	if [ -n "$$deps" ]; then echo "unexpected dependencies: $$deps"; exit 1; fi
	@echo "exports: exactly abi/exports.txt ($$(wc -l < abi/exports.txt) nn_ symbols); dependencies: libc, libm"

# ABI baseline (abigail-tools): abi/libnn.abi is `abidw` of a -g build, public types only.
# abi-check fails on anything abidiff reports except pure additions (new functions/variables).
# The baseline is refreshed at release time with `make abi-update` (docs/ABI.md).
ABIDW_FLAGS = --headers-dir include --no-corpus-path --drop-private-types
abi-update: $(SHARED_REAL)
	@mkdir -p abi
	$(EXPORTS_NOW) > abi/exports.txt
	abidw $(ABIDW_FLAGS) --out-file abi/libnn.abi $(SHARED_REAL)
	@echo "abi: updated abi/exports.txt and abi/libnn.abi; review and commit them"

abi-check: $(SHARED_REAL)
	@command -v abidiff >/dev/null 2>&1 || { echo "abi-check: abidiff not found (Debian: apt-get install abigail-tools)"; exit 1; }
	@readelf -S $(SHARED_REAL) | grep -q '\.debug_info' || \
	    { echo "abi-check: $(SHARED_REAL) has no debug info; build with OPT containing -g"; exit 1; }
	@rc=0; abidiff --headers-dir2 include --drop-private-types abi/libnn.abi $(SHARED_REAL) \
	    > $(BUILD)/abidiff.txt 2>&1 || rc=$$?; \
	cat $(BUILD)/abidiff.txt; \
	if [ $$rc -eq 0 ]; then echo "abi-check: identical to abi/libnn.abi"; exit 0; fi; \
	if [ $$((rc & 3)) -ne 0 ]; then echo "abi-check: abidiff failed (exit $$rc)"; exit 1; fi; \
	if [ $$((rc & 8)) -ne 0 ]; then echo "abi-check: INCOMPATIBLE ABI change (abidiff exit $$rc)"; exit 1; fi; \
	if grep -E 'changes summary: ' $(BUILD)/abidiff.txt | grep -vqE ': 0 Removed(.*)?, 0 Changed'; then \
	    echo "abi-check: ABI change other than additions (abidiff exit $$rc)"; exit 1; fi; \
	echo "abi-check: only additions relative to abi/libnn.abi (allowed)"

# ASan + UBSan; the build folder is a parameter so gcc and clang builds can coexist:
# make test-sanitize CC=clang CXX=clang++ SAN_BUILD=build-san-clang. Also replays the fuzz corpora.
SAN_BUILD    ?= build-san
SAN_OPT      := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
test-sanitize:
	$(MAKE) BUILD=$(SAN_BUILD) OPT="$(SAN_OPT)" LDFLAGS="-fsanitize=address,undefined" $(SAN_BUILD)/run_tests
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 $(SAN_BUILD)/run_tests
	$(MAKE) fuzz-replay

# Files written here must read bit-identically on big-endian s390x (qemu);
# skipped with a message when the cross compiler or qemu is missing.
test-bigendian:
	sh tests/bigendian/run.sh

test: test-bigendian

# Bit identity across architectures: the portability subset of the suite (golden hashes, GEMM,
# files, training) as static builds under qemu-aarch64 (NEON), qemu-s390x (big endian) and
# qemu-x86_64 -cpu Nehalem (scalar) / Haswell (AVX2); FILTER="..." picks other tests.
test-cross:
	sh tests/cross/run.sh $(FILTER)

# Cortex-M4 firmware (arm-none-eabi-gcc, newlib nano, NN_NO_FILEIO + NN_NO_THREADS): build/m4/libnn.a
# and the XOR program; test-firmware runs it under qemu-system-arm -M mps2-an386 (docs/firmware.md).
firmware:
	sh tests/firmware/run.sh

test-firmware:
	sh tests/firmware/run.sh run

run: $(BUILD)/examples/digits
	$(BUILD)/examples/digits examples/data/digits.csv

install: lib
	install -d $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(LIBDIR)/pkgconfig
	install -m 644 include/nn.h $(DESTDIR)$(INCLUDEDIR)/nn.h
	install -m 644 $(STATIC) $(DESTDIR)$(LIBDIR)/libnn.a
	install -m 755 $(SHARED_REAL) $(DESTDIR)$(LIBDIR)/libnn.so.$(VERSION)
	ln -sf libnn.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libnn.so.$(SOVERSION)
	ln -sf libnn.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libnn.so
	sed -e 's|@prefix@|$(PREFIX)|' -e 's|@libdir@|$(LIBDIR)|' -e 's|@includedir@|$(INCLUDEDIR)|' \
	    -e 's|@version@|$(VERSION)|' pkgconfig/nn.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/nn.pc

uninstall:
	rm -f $(DESTDIR)$(INCLUDEDIR)/nn.h $(DESTDIR)$(LIBDIR)/libnn.a $(DESTDIR)$(LIBDIR)/libnn.so* \
	    $(DESTDIR)$(LIBDIR)/pkgconfig/nn.pc

clean:
	rm -rf build build-san build-san-clang build-tsan build-fuzz build-analyze

# ---- Bindings, C++ example, command-line trainer, docs ----------------------
# Added as separate rules (extra prerequisites of all/test) so they merge cleanly.
PYTHON       ?= python3
CARGO        ?= cargo
CXX_EX_SRC   := $(sort $(wildcard examples/*.cpp))
CXX_EX_BIN   := $(CXX_EX_SRC:examples/%.cpp=$(BUILD)/examples/%)

.PHONY: test-python test-rust test-cpp test-cli docs

all: $(CXX_EX_BIN)
examples: $(CXX_EX_BIN)
test: test-python test-rust test-cpp

$(BUILD)/examples/%: examples/%.cpp include/nn.h $(STATIC)
	@mkdir -p $(dir $@)
	$(CXX) -std=c++11 $(OPT) $(WARN) -Iinclude -o $@ $< $(STATIC) -lm -pthread $(LDFLAGS)

# Python binding (python/libnn): unittest suite; skipped when python3 is missing.
test-python: $(SHARED_DEV)
	@if command -v $(PYTHON) >/dev/null 2>&1; then \
	    NN_LIBRARY=$(abspath $(SHARED_DEV)) PYTHONPATH=python $(PYTHON) -m unittest discover -s python/tests; \
	else echo "test-python: skipped ($(PYTHON) not found)"; fi

# C++ RAII example: builds with the C API and std::unique_ptr, must run cleanly.
test-cpp: $(CXX_EX_BIN)
	@for b in $(CXX_EX_BIN); do echo "$$b"; $$b > $(BUILD)/$$(basename $$b).out || exit 1; tail -n 3 $(BUILD)/$$(basename $$b).out; done

# Rust crate (examples/rust, no dependencies): links build/libnn.a; skipped without cargo.
test-rust: $(STATIC)
	@if command -v $(CARGO) >/dev/null 2>&1; then \
	    env -u MAKEFLAGS -u MFLAGS CARGO_TARGET_DIR=$(abspath $(BUILD))/rust NN_LIB_DIR=$(abspath $(BUILD)) \
	        $(CARGO) test --offline --quiet --manifest-path examples/rust/Cargo.toml; \
	else echo "test-rust: skipped (cargo not found)"; fi

# Command-line trainer (tools/nn_train/*.c -> build/bin/nn-train), installed into $(PREFIX)/bin.
BINDIR       ?= $(PREFIX)/bin
NN_TRAIN_SRC := $(sort $(wildcard tools/nn_train/*.c))
NN_TRAIN     := $(BUILD)/bin/nn-train

all: $(NN_TRAIN)
test: test-cli

$(NN_TRAIN): $(NN_TRAIN_SRC) $(wildcard tools/nn_train/*.h) include/nn.h $(STATIC)
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(OPT) $(WARN) -Iinclude -o $@ $(NN_TRAIN_SRC) $(STATIC) -lm -pthread $(LDFLAGS)

test-cli: $(NN_TRAIN)
	@NN_TRAIN=$(NN_TRAIN) BUILD=$(BUILD) sh tests/cli/test_nn_train.sh

install: install-bin
.PHONY: install-bin
install-bin: $(NN_TRAIN)
	install -d $(DESTDIR)$(BINDIR)
	install -m 755 $(NN_TRAIN) $(DESTDIR)$(BINDIR)/nn-train
uninstall: uninstall-bin
.PHONY: uninstall-bin
uninstall-bin:
	rm -f $(DESTDIR)$(BINDIR)/nn-train

# API reference with Doxygen into build/docs when doxygen is installed (never required).
docs:
	@if command -v doxygen >/dev/null 2>&1; then doxygen docs/Doxyfile && echo "docs: build/docs/html/index.html"; \
	else echo "docs: skipped (doxygen not installed); see docs/guide.md and include/nn.h"; fi

include tests/bench/Makefile.inc

# End-to-end speed against PyTorch and FANN on the same data (tests/bench/).
# BENCH_ARGS: -q quick smoke run, -w ID only matching workloads, --no-torch, --no-fann.
BENCH_DEFS   := $(shell grep -q 'nn_model_set_threads' include/nn.h && echo -DBENCH_HAVE_THREADS)
$(BUILD)/bench/bench_train: tests/bench/bench_train.c include/nn.h $(STATIC)
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(OPT) $(WARN) $(NUMERIC) -Iinclude $(BENCH_DEFS) -o $@ $< $(STATIC) -ldl -lm -lpthread $(LDFLAGS)
.PHONY: bench-train
bench-train: $(BUILD)/bench/bench_train
	$(BUILD)/bench/bench_train -d $(BUILD)/bench $(BENCH_ARGS)
include tests/reliability.mk
