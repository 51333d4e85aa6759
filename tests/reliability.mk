# ---- Reliability: fuzzing, ThreadSanitizer, valgrind, static analysis ----------------
# Included from the Makefile. See docs/robustness.md.
.PHONY: fuzz fuzz-build fuzz-replay fuzz-corpus test-tsan test-valgrind analyze test-crash

FUZZERS      := load_model load_weights csv train
FUZZ_SECONDS ?= 60
FUZZ_BUILD   ?= build-fuzz
FUZZ_CC      ?= clang
FUZZ_OPT     := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_ARGS    ?= -timeout=10 -rss_limit_mb=2048 -max_len=4096 -print_final_stats=1

# libFuzzer harnesses (clang): the library instrumented for coverage, one binary per input kind.
fuzz-build:
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) OPT="$(FUZZ_OPT) -fsanitize=fuzzer-no-link" $(FUZZ_BUILD)/libnn.a
	@for h in $(FUZZERS); do \
	    echo "$(FUZZ_CC) -fsanitize=fuzzer ... -o $(FUZZ_BUILD)/fuzz_$$h"; \
	    $(FUZZ_CC) -std=c11 $(FUZZ_OPT) -fsanitize=fuzzer $(WARN) -Iinclude -Ilib tests/fuzz/fuzz_$$h.c \
	        $(FUZZ_BUILD)/libnn.a -o $(FUZZ_BUILD)/fuzz_$$h -lm -pthread || exit 1; \
	done

# Fuzz each harness for FUZZ_SECONDS, starting from the committed seeds; new inputs collect in
# $(FUZZ_BUILD)/corpus/<harness>, crashes in $(FUZZ_BUILD)/crash-<harness>-*.
fuzz: fuzz-build
	@for h in $(FUZZERS); do \
	    mkdir -p $(FUZZ_BUILD)/corpus/$$h; \
	    echo "== fuzz_$$h for $(FUZZ_SECONDS) s"; \
	    $(FUZZ_BUILD)/fuzz_$$h $(FUZZ_ARGS) -max_total_time=$(FUZZ_SECONDS) \
	        -artifact_prefix=$(FUZZ_BUILD)/crash-$$h- $(FUZZ_BUILD)/corpus/$$h tests/fuzz/corpus/$$h \
	        2>$(FUZZ_BUILD)/fuzz_$$h.log || { tail -n 60 $(FUZZ_BUILD)/fuzz_$$h.log; exit 1; }; \
	    grep -E "stat::number_of_executed_units|Done [0-9]+ runs" $(FUZZ_BUILD)/fuzz_$$h.log | tail -n 2; \
	done

# Replay the committed corpora once (no fuzzing, no libFuzzer needed: any compiler, ASan + UBSan).
fuzz-replay:
	$(MAKE) BUILD=$(SAN_BUILD) OPT="$(SAN_OPT)" $(SAN_BUILD)/libnn.a
	@for h in $(FUZZERS); do \
	    $(CC) -std=c11 $(SAN_OPT) $(WARN) -Iinclude -Ilib tests/fuzz/replay_main.c tests/fuzz/fuzz_$$h.c \
	        $(SAN_BUILD)/libnn.a -o $(SAN_BUILD)/replay_$$h -lm -pthread || exit 1; \
	    printf 'fuzz-replay %-13s ' $$h; \
	    ASAN_OPTIONS=detect_leaks=1 $(SAN_BUILD)/replay_$$h tests/fuzz/corpus/$$h/* || exit 1; \
	done

# Regenerate the valid seed files (model files are produced by the library itself).
fuzz-corpus: $(STATIC)
	$(CC) -std=c11 $(OPT) $(WARN) -Iinclude tests/fuzz/gen_corpus.c $(STATIC) -o $(BUILD)/gen_corpus -lm -pthread
	mkdir -p $(FUZZERS:%=tests/fuzz/corpus/%)
	$(BUILD)/gen_corpus

# ThreadSanitizer on the parallel-training test (several models in threads, threaded GEMM) and the
# thread-count determinism tests; the whole suite is built, only those tests run. NN_NO_CLONES:
# GCC's target_clones ifunc resolvers run before the TSan runtime is initialised and crash.
TSAN_BUILD   ?= build-tsan
test-tsan:
	$(MAKE) BUILD=$(TSAN_BUILD) OPT="-O1 -g -fsanitize=thread -DNN_NO_CLONES" LDFLAGS="-fsanitize=thread" $(TSAN_BUILD)/run_tests
	TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" $(TSAN_BUILD)/run_tests parallel_ threads_training_bit_identical

# valgrind memcheck over a fast subset, on the AVX2 and the scalar GEMM paths (valgrind cannot
# execute AVX-512). Skipped when valgrind is missing.
VALGRIND_TESTS ?= mem_ io_ csv_ scalers_ split_ err_ sweep_ gemm_ragged
test-valgrind: $(BUILD)/run_tests
	@if ! command -v valgrind >/dev/null 2>&1; then echo "test-valgrind: skipped (valgrind not installed)"; exit 0; fi; \
	for isa in avx2 scalar; do \
	    echo "== valgrind memcheck, NN_ISA=$$isa"; \
	    NN_ISA=$$isa valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
	        $(BUILD)/run_tests $(VALGRIND_TESTS) || exit 1; \
	done

# Static analysis, low-noise profile: gcc -fanalyzer over lib/ and cppcheck (warnings, portability).
# Findings are fixed, or suppressed inline with a justification (// cppcheck-suppress ...).
ANALYZE_BUILD ?= build-analyze
analyze:
	@mkdir -p $(ANALYZE_BUILD)
	@echo "== gcc -fanalyzer lib/"
	@fail=0; for f in $(LIB_SRC); do \
	    gcc -std=c11 -O1 -fanalyzer $(WARN) -Werror -Iinclude -Ilib -c $$f -o $(ANALYZE_BUILD)/a.o || fail=1; \
	done; test $$fail = 0
	@if command -v cppcheck >/dev/null 2>&1; then \
	    echo "== cppcheck lib/"; \
	    cppcheck -q --std=c11 --enable=warning,portability --inline-suppr --error-exitcode=1 \
	        --suppress=missingIncludeSystem -Iinclude -Ilib -j2 lib; \
	else echo "analyze: cppcheck skipped (not installed)"; fi
