#!/bin/sh
# Cross-architecture bit identity: builds the C test suite statically for AArch64 (NEON GEMM
# path) and s390x (big endian) and runs it under qemu-user, then runs the x86-64 build under
# qemu-x86_64 -cpu Nehalem (no AVX: scalar GEMM) and -cpu Haswell (AVX2+FMA). The golden
# hashes (tests/golden.h, tests/test_mathf.c) must match on every path.
# Usage: sh tests/cross/run.sh [test-name filters...]  (default: the portability subset)
# Each target is skipped with a message when its compiler or qemu is missing
# (Debian: gcc-aarch64-linux-gnu gcc-s390x-linux-gnu qemu-user).
set -e
cd "$(dirname "$0")/../.."
B=build/cross
mkdir -p "$B"
FILTERS=${*:-"golden mathf_golden gemm_ragged gemm_transposes gemm_k_zero io_roundtrip io_resume io_weights train_reproducible threads_training_bit_identical_on_every_isa"}
CFLAGS="-std=c11 -O2 -Wall -Wextra -Wpedantic -ffp-contract=off -fno-math-errno -Iinclude -Ilib -Itests"
# s390x GCC evaluates float in double under -std=c11 (FLT_EVAL_METHOD 1); lib/core/mathf.h refuses that
S390X_FLAGS="-fexcess-precision=fast"
SRC="$(ls lib/*/*.c tests/*.c)"
status=0
ran=""

have() { command -v "$1" >/dev/null 2>&1; }

run_one() { # name qemu-command...
    name=$1
    shift
    printf '%-22s ' "$name:"
    if "$@" $FILTERS > "$B/$name.log" 2>&1; then
        echo "$(tail -n 1 "$B/$name.log")  [$(grep -E 'hash|weights|isa' "$B/$name.log" | tr -s ' ' | tr '\n' ';')]"
        ran="$ran $name"
    else
        echo "FAILED"
        cat "$B/$name.log"
        status=1
    fi
}

build() { # compiler output [extra flags]
    "$1" $CFLAGS $3 -static -o "$2" $SRC -lm -lpthread
}

# build the targets in parallel, then run them one by one
pids=""
targets=""
for t in aarch64 s390x; do
    cc_=$t-linux-gnu-gcc
    q=$(command -v qemu-$t || command -v qemu-$t-static || true)
    if ! have "$cc_" || [ -z "$q" ]; then
        echo "cross $t: SKIPPED ($cc_ or qemu-$t not installed)"
        continue
    fi
    extra=""
    [ $t = s390x ] && extra=$S390X_FLAGS
    build "$cc_" "$B/run_tests_$t" "$extra" &
    pids="$pids $!"
    targets="$targets $t"
done
qx=$(command -v qemu-x86_64 || command -v qemu-x86_64-static || true)
if [ "$(uname -m)" = x86_64 ] && [ -n "$qx" ]; then
    build "${CC:-cc}" "$B/run_tests_x86_64" &
    pids="$pids $!"
fi
for p in $pids; do wait "$p" || { echo "cross: build failed"; exit 1; }; done
for t in $targets; do
    q=$(command -v qemu-$t || command -v qemu-$t-static)
    run_one "$t" "$q" "$B/run_tests_$t"
done

q=$qx
if [ "$(uname -m)" = x86_64 ] && [ -n "$q" ]; then
    run_one "x86_64-Nehalem" "$q" -cpu Nehalem "$B/run_tests_x86_64"
    run_one "x86_64-Haswell" "$q" -cpu Haswell "$B/run_tests_x86_64"
else
    echo "cross x86_64 (qemu -cpu Nehalem/Haswell): SKIPPED (not an x86-64 host or qemu-x86_64 missing)"
fi
[ $status -eq 0 ] && echo "cross: OK (${ran# }): golden hashes identical on every path"
exit $status
