#!/bin/sh
# Drives build/bin/nn-train on examples/data: usage, argument errors (exit 2, one line),
# training with plot, save -> predict (in a second process) -> summary, missing values.
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
expect_usage_error predict a.nn b.csv --bogus
expect_usage_error examples/data/iris.csv --loss sparse_categorical_crossentropy --scale-target standard
"$NN_TRAIN" examples/data/iris.csv --target nope --epochs 1 >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] && grep -q 'target column "nope"' "$tmp/err" && [ "$(wc -l <"$tmp/err")" -eq 1 ] && ok || bad "unknown target column: $(cat "$tmp/err")"
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

# regression on diabetes, saved; predict in a second process must reproduce the training
# process's predictions exactly (input scaler and weights travel in the model file)
"$NN_TRAIN" examples/data/diabetes.csv --target target --layers 32:relu,1 --loss mse --optimizer adam:1e-2 \
    --epochs 30 --batch 32 --val 0.2 --scale standard --seed 42 --save "$tmp/model.nn" \
    --predictions "$tmp/train_pred.csv" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] && grep -q "^saved: " "$tmp/out" && grep -q "original units" "$tmp/out" && ok || bad "diabetes training rc $rc: $(cat "$tmp/err")"
"$NN_TRAIN" predict "$tmp/model.nn" examples/data/diabetes.csv >"$tmp/pred" 2>"$tmp/err"
rc=$?
rows=$(wc -l <"$tmp/pred")
[ $rc -eq 0 ] && [ "$rows" -eq 443 ] && [ "$(head -n 1 "$tmp/pred")" = prediction ] && ok || bad "predict rc $rc: $rows lines, $(cat "$tmp/err")"
cmp -s "$tmp/pred" "$tmp/train_pred.csv" && ok || bad "predictions of the loaded model differ from the training process's"
# the same file without its target column gives the same predictions
cut -d, -f1-10 examples/data/diabetes.csv >"$tmp/new.csv"
"$NN_TRAIN" predict "$tmp/model.nn" "$tmp/new.csv" >"$tmp/pred2" 2>"$tmp/err" && cmp -s "$tmp/pred" "$tmp/pred2" && ok || bad "predict without the target column: $(cat "$tmp/err")"
# target named explicitly (index or name), placed first
awk -F, -v OFS=, '{ t = $11; $11 = ""; sub(/,$/, ""); print t, $0 }' examples/data/diabetes.csv >"$tmp/first.csv"
"$NN_TRAIN" predict "$tmp/model.nn" "$tmp/first.csv" --target target >"$tmp/pred3" 2>"$tmp/err" && cmp -s "$tmp/pred" "$tmp/pred3" && ok || bad "predict --target target: $(cat "$tmp/err")"
"$NN_TRAIN" predict "$tmp/model.nn" "$tmp/first.csv" --target 0 >"$tmp/pred3" 2>"$tmp/err" && cmp -s "$tmp/pred" "$tmp/pred3" && ok || bad "predict --target 0: $(cat "$tmp/err")"
cut -d, -f1-5 examples/data/diabetes.csv >"$tmp/narrow.csv"
"$NN_TRAIN" predict "$tmp/model.nn" "$tmp/narrow.csv" >/dev/null 2>"$tmp/err"; [ $? -eq 1 ] && grep -q "has no column 's2' (the model was trained on 10 named features; 5 of them are here)" "$tmp/err" && ok || bad "predict with too few columns: $(cat "$tmp/err")"
# the model keeps its column names: columns in another order (and extra ones) are matched by name
awk -F, -v OFS=, '{ print $11, $10, $9, $8, $7, $6, $5, $4, $3, $2, $1, (NR == 1 ? "extra" : 0) }' examples/data/diabetes.csv >"$tmp/shuffled.csv"
"$NN_TRAIN" predict "$tmp/model.nn" "$tmp/shuffled.csv" >"$tmp/pred4" 2>"$tmp/err" && cmp -s "$tmp/pred" "$tmp/pred4" && ok || bad "predict with reordered columns: $(cat "$tmp/err")"
# a header that names none of them: by position, with a note
{ echo "c1,c2,c3,c4,c5,c6,c7,c8,c9,c10"; tail -n +2 "$tmp/new.csv"; } >"$tmp/renamed.csv"
"$NN_TRAIN" predict "$tmp/model.nn" "$tmp/renamed.csv" >"$tmp/pred5" 2>"$tmp/err" && cmp -s "$tmp/pred" "$tmp/pred5" && grep -q "using the columns by position" "$tmp/err" && ok || bad "predict by position: $(cat "$tmp/err")"
"$NN_TRAIN" summary "$tmp/model.nn" >"$tmp/out" 2>"$tmp/err" && grep -q "Total params" "$tmp/out" && grep -q "input scaler: StandardScaler" "$tmp/out" && grep -q "^Feature names: age, sex, bmi, bp, s1, s2, s3, s4, s5, s6$" "$tmp/out" && grep -q "^Output names: target$" "$tmp/out" && ok || bad "summary: $(cat "$tmp/out" "$tmp/err")"
"$NN_TRAIN" predict "$tmp/nope.nn" examples/data/diabetes.csv >/dev/null 2>&1; [ $? -eq 1 ] && ok || bad "predict with a missing model"
"$NN_TRAIN" summary "$tmp/nope.nn" >/dev/null 2>&1; [ $? -eq 1 ] && ok || bad "summary with a missing model"
printf 'not a model\n' >"$tmp/junk.nn"
"$NN_TRAIN" summary "$tmp/junk.nn" >/dev/null 2>"$tmp/err"; [ $? -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && ok || bad "summary of a damaged file: $(cat "$tmp/err")"

# target scaler (regression): history in scaled units, predictions in original units
"$NN_TRAIN" examples/data/diabetes.csv --layers 16:relu,1 --epochs 20 --scale standard --scale-target standard \
    --save "$tmp/ts.nn" >"$tmp/out" 2>"$tmp/err" && grep -q "scaled target units" "$tmp/out" && ok || bad "--scale-target: $(cat "$tmp/err")"
"$NN_TRAIN" predict "$tmp/ts.nn" examples/data/diabetes.csv >"$tmp/pred" 2>"$tmp/err" &&
    awk -F, 'NR > 1 { s += $1; n++ } END { exit !(s / n > 100 && s / n < 200) }' "$tmp/pred" && ok || bad "target-scaled predictions not in original units"

# training doctor: on by default (findings on stderr), off with --no-doctor
"$NN_TRAIN" examples/data/diabetes.csv --layers 8:relu,1 --epochs 3 >/dev/null 2>"$tmp/err" &&
    grep -q "^doctor: warning unscaled_targets" "$tmp/err" && ok || bad "doctor findings: $(cat "$tmp/err")"
"$NN_TRAIN" examples/data/diabetes.csv --layers 8:relu,1 --epochs 3 --no-doctor >/dev/null 2>"$tmp/err" &&
    ! grep -q "^doctor:" "$tmp/err" && ok || bad "--no-doctor: $(cat "$tmp/err")"

# missing values: rows without a target dropped, missing features imputed (also in predict)
printf 'a,b,y\n1,2,3\n,4,5\n2,NA,6\n3,3,\n1,1,4\n2,2,5\n3,1,7\n4,2,8\n1,3,4\n2,4,6\n' >"$tmp/miss.csv"
"$NN_TRAIN" "$tmp/miss.csv" --layers 4:relu,1 --epochs 5 --scale standard --save "$tmp/miss.nn" >"$tmp/out" 2>"$tmp/err" &&
    grep -q "1 rows without a target dropped, 2 feature cells imputed" "$tmp/out" && ok || bad "missing values: $(cat "$tmp/out" "$tmp/err")"
printf 'a,b\n1,?\n,2\n' >"$tmp/miss_new.csv"
"$NN_TRAIN" predict "$tmp/miss.nn" "$tmp/miss_new.csv" >"$tmp/pred" 2>"$tmp/err" && [ "$(wc -l <"$tmp/pred")" -eq 3 ] && ! grep -qi nan "$tmp/pred" && ok || bad "predict with missing values: $(cat "$tmp/err")"
"$NN_TRAIN" "$tmp/miss.csv" --layers 4:relu,1 --epochs 5 --save "$tmp/miss2.nn" >/dev/null 2>"$tmp/err" &&
    "$NN_TRAIN" predict "$tmp/miss2.nn" "$tmp/miss_new.csv" >"$tmp/pred" 2>>"$tmp/err" && ! grep -qi nan "$tmp/pred" && ok || bad "missing values with the model's imputer: $(cat "$tmp/err")"
"$NN_TRAIN" "$tmp/miss.csv" --layers 4:relu,1 --epochs 5 --scale minmax >/dev/null 2>"$tmp/err"; [ $? -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && ok || bad "minmax with missing values should fail in one line"

# search: a small random search with 3-fold CV; shards 0/2 + 1/2 merged equal the unsharded run
S="examples/data/iris.csv --loss sparse_categorical_crossentropy --space units=8..64:log,lr=1e-3..1e-1:log,dropout=0|0.2 --strategy random --trials 6 --folds 3 --epochs 10 --batch 16 --scale standard --seed 3"
"$NN_TRAIN" search $S --results "$tmp/all.csv" --save "$tmp/best.nn" >"$tmp/out" 2>"$tmp/err" &&
    grep -q "^best hyper-parameters (trial [0-9]*, score" "$tmp/out" && grep -q "^saved: " "$tmp/out" &&
    [ "$(wc -l <"$tmp/all.csv")" -eq 7 ] && head -n 1 "$tmp/all.csv" | grep -q "^trial,units,lr,dropout,score" && ok || bad "search: $(cat "$tmp/err")"
"$NN_TRAIN" predict "$tmp/best.nn" examples/data/iris.csv >"$tmp/pred" 2>"$tmp/err" && [ "$(wc -l <"$tmp/pred")" -eq 151 ] && ok || bad "predict with the searched model: $(cat "$tmp/err")"
"$NN_TRAIN" search $S --results "$tmp/s0.csv" --trial-shard 0/2 >/dev/null 2>"$tmp/err" &&
    "$NN_TRAIN" search $S --results "$tmp/s1.csv" --trial-shard 1/2 >/dev/null 2>>"$tmp/err" &&
    "$NN_TRAIN" search-merge "$tmp/merged.csv" "$tmp/s0.csv" "$tmp/s1.csv" >/dev/null 2>>"$tmp/err" && ok || bad "sharded search: $(cat "$tmp/err")"
# the same table except the timing column
cut -d, -f1-7 "$tmp/all.csv" >"$tmp/a"; cut -d, -f1-7 "$tmp/merged.csv" >"$tmp/b"
[ "$(wc -l <"$tmp/s0.csv")" -eq 4 ] && cmp -s "$tmp/a" "$tmp/b" && ok || bad "shards + merge differ from the unsharded search"
# the merged file resumes with nothing left to train and picks the same best trial
"$NN_TRAIN" search $S --results "$tmp/merged.csv" >"$tmp/out2" 2>"$tmp/err" &&
    [ "$(grep '^best hyper' "$tmp/out")" = "$(grep '^best hyper' "$tmp/out2")" ] && ok || bad "search on the merged file: $(cat "$tmp/err")"
# grid over a template --layers, hyperband on diabetes
"$NN_TRAIN" search examples/data/diabetes.csv --layers units:act,dropout,1 --space "units=4|8,activation=relu|tanh,dropout=0|0.3" \
    --strategy grid --epochs 3 --scale standard >"$tmp/out" 2>"$tmp/err" && [ "$(grep -c '^[0-9]' "$tmp/out")" -eq 8 ] && ok || bad "grid search: $(cat "$tmp/out" "$tmp/err")"
"$NN_TRAIN" search examples/data/diabetes.csv --space "layers=1..2,batch_norm=bool,optimizer=adam|sgd,lr=1e-3..1e-2:log" \
    --strategy hyperband --epochs 9 --scale standard >"$tmp/out" 2>"$tmp/err" && grep -q "^best hyper" "$tmp/out" && ok || bad "hyperband search: $(cat "$tmp/err")"
expect_usage_error search examples/data/iris.csv --space "units=8..x"
expect_usage_error search examples/data/iris.csv --space "foo=1..3"
expect_usage_error search examples/data/iris.csv --space "activation=relu|nope"
expect_usage_error search examples/data/iris.csv
expect_usage_error search examples/data/iris.csv --space units=8..16 --trial-shard 2/2
expect_usage_error search examples/data/iris.csv --space units=8..16 --strategy hyperband --trial-shard 0/2
expect_usage_error search examples/data/iris.csv --space layers=1..2 --layers units:relu,1
# text columns (an id, a name): refused with a hint, skipped with --ignore; predict then picks the
# model's columns by name and never reads the text
printf 'id,a,b,name,y\nr1,1,2,Ann,3\nr2,2,1,Bo,4\nr3,3,3,Cy,6\nr4,4,1,Di,5\nr5,5,2,Ed,7\nr6,1,1,Fi,2\n' >"$tmp/text.csv"
"$NN_TRAIN" "$tmp/text.csv" --epochs 1 >/dev/null 2>"$tmp/err"; [ $? -eq 1 ] && grep -q "skip a text column with --ignore NAME" "$tmp/err" && ok || bad "text column without --ignore: $(cat "$tmp/err")"
"$NN_TRAIN" "$tmp/text.csv" --ignore id,name --layers 4:relu,1 --epochs 3 --val 0 --no-doctor --save "$tmp/text.nn" \
    --predictions "$tmp/text_train_pred.csv" >"$tmp/out" 2>"$tmp/err" && grep -q "2 features" "$tmp/out" &&
    "$NN_TRAIN" predict "$tmp/text.nn" "$tmp/text.csv" >"$tmp/pred" 2>>"$tmp/err" && cmp -s "$tmp/pred" "$tmp/text_train_pred.csv" &&
    ok || bad "--ignore and predict by name over text columns: $(cat "$tmp/out" "$tmp/err")"
expect_usage_error "$tmp/text.csv" --ignore ""
"$NN_TRAIN" "$tmp/text.csv" --ignore nope --epochs 1 >/dev/null 2>"$tmp/err"; [ $? -eq 1 ] && grep -q 'ignored column "nope" is not in the header' "$tmp/err" && ok || bad "--ignore of an unknown column: $(cat "$tmp/err")"
# search on data with missing cells: each trial's model imputes its own training rows' mean
"$NN_TRAIN" search "$tmp/miss.csv" --space "units=4|8" --strategy grid --folds 3 --epochs 3 --batch 4 --scale standard \
    --save "$tmp/miss_s.nn" >"$tmp/out" 2>"$tmp/err" && grep -q "^saved: " "$tmp/out" && ! grep -q failed "$tmp/out" &&
    "$NN_TRAIN" predict "$tmp/miss_s.nn" "$tmp/miss_new.csv" >"$tmp/pred" 2>>"$tmp/err" && [ "$(wc -l <"$tmp/pred")" -eq 3 ] &&
    ! grep -qi nan "$tmp/pred" && ok || bad "search with missing values: $(cat "$tmp/out" "$tmp/err")"
"$NN_TRAIN" search "$tmp/miss.csv" --space "units=4|8" --epochs 3 --scale minmax >/dev/null 2>"$tmp/err"; [ $? -eq 1 ] &&
    [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "use --scale standard or none" "$tmp/err" && ok || bad "search, minmax with missing values: $(cat "$tmp/err")"
# the options search shares with train are checked the same way
expect_usage_error search examples/data/iris.csv --space units=8..16 --optimizer nope
expect_usage_error search examples/data/iris.csv --space units=8..16 --seed -1
expect_usage_error search examples/data/iris.csv --space units=8..16 --batch 0
expect_usage_error search examples/data/iris.csv --space units=8..16 --loss categorical_crossentropy
expect_usage_error search-merge only_out.csv
"$NN_TRAIN" search-merge "$tmp/x.csv" "$tmp/none.csv" >/dev/null 2>"$tmp/err"; [ $? -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && ok || bad "search-merge of a missing file"

echo "nn-train: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
