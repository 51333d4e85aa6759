#!/bin/sh
# Drives build/bin/nn-train on examples/data: usage, argument errors (exit 2, one line),
# training with plot, and save/predict/summary when the library can save models.
NN_TRAIN=${NN_TRAIN:-build/bin/nn-train}
BUILD=${BUILD:-build}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/nn-train-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

expect_usage_error() { # args...: exit code 2 and exactly one stderr line
    "$NN_TRAIN" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    lines=$(wc -l <"$tmp/err")
    if [ "$rc" -eq 2 ] && [ "$lines" -eq 1 ]; then ok; else bad "nn-train $* -> rc $rc, $lines stderr lines: $(cat "$tmp/err")"; fi
}

"$NN_TRAIN" --help >"$tmp/out" 2>&1 && grep -q "usage: nn-train DATA.csv --target" "$tmp/out" && ok || bad "--help"
"$NN_TRAIN" >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "no arguments should exit 2"
expect_usage_error examples/data/iris.csv --bogus
expect_usage_error examples/data/iris.csv --epochs abc
expect_usage_error examples/data/iris.csv --epochs
expect_usage_error examples/data/iris.csv --layers 16:bogus,1
expect_usage_error examples/data/iris.csv --loss nope
expect_usage_error examples/data/iris.csv --optimizer adam:x
expect_usage_error examples/data/iris.csv --val 1.5
expect_usage_error examples/data/iris.csv --scale weird
expect_usage_error examples/data/iris.csv --val 0 --early-stop 3
expect_usage_error predict only_one_arg
"$NN_TRAIN" examples/data/iris.csv --target nope --epochs 1 >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "no column 'nope'" "$tmp/err" && ok || bad "unknown target column: $(cat "$tmp/err")"
"$NN_TRAIN" "$tmp/missing.csv" --epochs 1 >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] && ok || bad "missing file"

# classification on iris, with learning curves
"$NN_TRAIN" examples/data/iris.csv --target target --layers noise:0.05,16:relu,bn,16:relu,dropout:0.1,3:softmax \
    --loss sparse_categorical_crossentropy --optimizer adam:1e-2 --epochs 60 --batch 16 --val 0.2 \
    --early-stop 20 --scale standard --seed 1 --plot "$tmp/curves.svg" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq 0 ] && grep -q "val_accuracy" "$tmp/out" && grep -q "best-epoch-marker" "$tmp/curves.svg"; then ok
else bad "iris training rc $rc: $(cat "$tmp/out" "$tmp/err")"; fi
acc=$(awk '$1 == "val_accuracy" { print $7 }' "$tmp/out")
awk -v a="$acc" 'BEGIN { exit !(a >= 0.85) }' && ok || bad "iris val_accuracy $acc < 0.85"

# regression on diabetes, saved, then predict and summary (needs nn_model_save/load)
"$NN_TRAIN" examples/data/diabetes.csv --target target --layers 32:relu,1 --loss mse --optimizer adam:1e-2 \
    --epochs 30 --batch 32 --val 0.2 --scale standard --seed 42 --save "$tmp/model.nn" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq 0 ]; then
    ok
    "$NN_TRAIN" predict "$tmp/model.nn" examples/data/diabetes.csv >"$tmp/pred" 2>"$tmp/err"
    rows=$(wc -l <"$tmp/pred")
    [ $? -eq 0 ] && [ "$rows" -eq 443 ] && ok || bad "predict: $rows lines, $(cat "$tmp/err")"
    "$NN_TRAIN" summary "$tmp/model.nn" >"$tmp/out" 2>"$tmp/err" && grep -q "Total params" "$tmp/out" && ok || bad "summary: $(cat "$tmp/err")"
    "$NN_TRAIN" predict "$tmp/nope.nn" examples/data/diabetes.csv >/dev/null 2>&1; [ $? -eq 1 ] && ok || bad "predict with a missing model"
elif grep -q "no nn_model_save" "$tmp/err"; then
    echo "test-cli: save/predict/summary skipped (library without nn_model_save)"
else
    bad "diabetes training rc $rc: $(cat "$tmp/err")"
fi

echo "nn-train: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
