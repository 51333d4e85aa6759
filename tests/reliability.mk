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
