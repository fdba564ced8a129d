#!/usr/bin/env bash
# The bad-input battery of the infoplane program (issue 16): one row per case. Each case must
# exit non-zero and not by a signal (status < 128), name the offending flag, file or value in
# its message on stderr (the row's text, matched literally; the usage text that follows does not
# count), and print nothing on stdout (usage goes to stderr).
#   bash tests/cli_bad_input.sh path/to/infoplane
set -u
bin="$1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
cases=0

# Input files: good ones, and one of each way a file goes wrong.
for i in $(seq 0 49); do
  echo "0.$(( (i * 37) % 97 + 1 )),1.$(( i % 9 ))" >> "$tmp/means.csv"
  echo "$(( i % 2 ))" >> "$tmp/labels.csv"
  echo "$(( (i * 13) % 50 )).5" >> "$tmp/x.csv"
done
head -n 20 "$tmp/labels.csv" > "$tmp/short.csv"
paste -d, "$tmp/labels.csv" "$tmp/labels.csv" > "$tmp/two_columns.csv"
: > "$tmp/empty.csv"
printf '1.0,2.0\n1.5,abc\n2.0,3.0\n' > "$tmp/malformed.csv"
printf '1.0,2.0\n1.5\n2.0,3.0\n' > "$tmp/ragged.csv"
printf '1e-310,2e-310\n3e-310,1e-309\n2e-310,5e-310\n' > "$tmp/subnormal.csv"
sed 's/^0$/0.5/' "$tmp/labels.csv" > "$tmp/fractional_labels.csv"
# .npy files, written byte by byte: float16 (refused, cast first) and one cut short.
/usr/bin/python3 - "$tmp" <<'PY'
import struct, sys
d = sys.argv[1]
def npy(descr, shape, payload):
    h = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape)
    h += ' ' * ((64 - (10 + len(h) + 1) % 64) % 64) + '\n'
    return b'\x93NUMPY\x01\x00' + struct.pack('<H', len(h)) + h.encode() + payload
open(f'{d}/half.npy', 'wb').write(npy('<f2', '(50, 2)', b'\0' * 200))
open(f'{d}/cut.npy', 'wb').write(npy('<f8', '(50, 2)', b'\0' * 80))
open(f'{d}/bad_magic.npy', 'wb').write(b'NOTNUMPY' + b'\0' * 100)
open(f'{d}/labels50.npy', 'wb').write(npy('<i8', '(50,)', struct.pack('<50q', *[i % 2 for i in range(50)])))
PY
# Folders in the seed layout (CSV contents under .npy names are not .npy: "malformed").
mkdir -p "$tmp/empty_run" "$tmp/run" "$tmp/run_no_labels" "$tmp/run_bad_ce" "$tmp/run_bad_labels"
for d in run run_no_labels run_bad_ce run_bad_labels; do
  cp "$tmp/cut.npy" "$tmp/$d/no_noise_train_representations_0.npy"
done
cp "$tmp/labels50.npy" "$tmp/run/train_labels.npy"
cp "$tmp/labels50.npy" "$tmp/run_bad_ce/train_labels.npy"
printf 'epoch,split,cross_entropy\n0,train,-1\n' > "$tmp/run_bad_ce/cross_entropy.csv"
cp "$tmp/half.npy" "$tmp/run_bad_labels/train_labels.npy"
touch "$tmp/not_a_folder"

case_() {  # case_ NAME EXPECTED-STDERR-TEXT ARGS...
  local name="$1" expected="$2"; shift 2
  cases=$((cases + 1))
  local out err rc why=""
  out=$("$bin" "$@" 2>"$tmp/stderr"); rc=$?
  # The message, without the usage text (which names every flag of the subcommand).
  err=$(grep -v -e '^usage:' -e '^  infoplane ' "$tmp/stderr")
  if [ "$rc" -eq 0 ]; then why="exit status 0"
  elif [ "$rc" -ge 128 ]; then why="killed by a signal (status $rc)"
  elif ! grep -qF -- "$expected" <<<"$err"; then why="stderr does not name '$expected'"
  elif [ -n "$out" ]; then why="stdout is not empty"
  fi
  if [ -z "$why" ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAILED: $name: $why"
    echo "  command: infoplane $*"
    sed 's/^/  stderr: /' <<<"$err" | head -n 4
  fi
}

toy=(toy --estimator dropout-mc --n 40 --d 2 --noise-var 0.1)
means=(--means "$tmp/means.csv")
run=(ip --dir "$tmp/run" --noise-var 0.1 --quiet)

# The command line itself.
case_ "no subcommand" "give a subcommand"
case_ "unknown subcommand" "frobnicate" frobnicate
case_ "--json without --list-estimators" "--json" --json
case_ "--json and --markdown" "--markdown" --list-estimators --json --markdown
case_ "--list-estimators with a subcommand" "--list-estimators" --list-estimators toy --estimator dropout-mc --n 4 --d 1 --noise-var 0.1
case_ "unknown flag" "--bogus" "${toy[@]}" --bogus 1
case_ "unknown estimator" "nope" toy --estimator nope --n 40 --d 2 --noise-var 0.1
case_ "missing required flag" "--n" toy --estimator dropout-mc --d 2 --noise-var 0.1

# Every numeric flag of toy: missing value, non-number, negative or zero, NaN, Inf, out of range.
case_ "toy --n missing value" "--n" toy --estimator dropout-mc --d 2 --noise-var 0.1 --n
case_ "toy --n not a number" "--n" toy --estimator dropout-mc --n ten --d 2 --noise-var 0.1
case_ "toy --n trailing junk" "--n" toy --estimator dropout-mc --n 10x --d 2 --noise-var 0.1
case_ "toy --n negative" "--n" toy --estimator dropout-mc --n -5 --d 2 --noise-var 0.1
case_ "toy --n zero" "--n" toy --estimator dropout-mc --n 0 --d 2 --noise-var 0.1
case_ "toy --n beyond 64 bits" "--n" toy --estimator dropout-mc --n 99999999999999999999999 --d 2 --noise-var 0.1
case_ "toy --d zero" "--d" toy --estimator dropout-mc --n 40 --d 0 --noise-var 0.1
case_ "toy --d not a number" "--d" toy --estimator dropout-mc --n 40 --d two --noise-var 0.1
case_ "toy --m zero" "--m" "${toy[@]}" --m 0
case_ "toy --m negative" "--m" "${toy[@]}" --m -3
case_ "toy --m a fraction" "--m" "${toy[@]}" --m 2.5
case_ "toy --seed negative" "--seed" "${toy[@]}" --seed -1
case_ "toy --confidence 1" "--confidence" "${toy[@]}" --confidence 1
case_ "toy --confidence negative" "--confidence" "${toy[@]}" --confidence -0.5
case_ "toy --confidence not a number" "--confidence" "${toy[@]}" --confidence high
case_ "toy --confidence NaN" "--confidence" "${toy[@]}" --confidence nan
case_ "toy --population-se unknown" "population-se" "${toy[@]}" --population-se jackknife
case_ "toy --noise-var missing value" "--noise-var" toy --estimator dropout-mc --n 40 --d 2 --noise-var
case_ "toy --noise-var NaN" "nan" toy --estimator dropout-mc --n 40 --d 2 --noise-var nan
case_ "toy --noise-var Inf" "inf" toy --estimator dropout-mc --n 40 --d 2 --noise-var inf
case_ "toy --noise-var 1e999" "--noise-var" toy --estimator dropout-mc --n 40 --d 2 --noise-var 1e999
case_ "toy --noise-var negative" "-0.1" toy --estimator dropout-mc --n 40 --d 2 --noise-var -0.1
case_ "toy --noise-std zero" "0" toy --estimator dropout-mc --n 40 --d 2 --noise-std 0
case_ "toy --drop-probability 1" "1" toy --estimator dropout-mc --n 40 --d 2 --drop-probability 1
case_ "toy --drop-probability 1.5" "1.5" toy --estimator dropout-mc --n 40 --d 2 --drop-probability 1.5
case_ "toy two noise flags" "--noise-var" "${toy[@]}" --noise-std 0.1
case_ "toy no noise flag" "--noise-var" toy --estimator dropout-mc --n 40 --d 2
case_ "toy --threads negative" "--threads" "${toy[@]}" --threads -1
case_ "toy --components zero" "components" "${toy[@]}" --components 0
case_ "toy --components above N" "components" "${toy[@]}" --components 41
case_ "toy --kernel unknown word" "--kernel" "${toy[@]}" --kernel fast
case_ "toy --k zero (ksg)" "k" toy --estimator ksg --n 40 --d 1 --noise-var 0.1 --k 0
case_ "toy --lr NaN (doe)" "lr" toy --estimator doe --n 40 --d 1 --noise-var 0.1 --lr nan
case_ "toy --holdout out of range" "holdout" toy --estimator infonce --n 40 --d 1 --noise-var 0.1 --holdout 1.5

# estimate: files missing, empty, malformed, ragged, cut short, float16, mismatched length.
case_ "estimate --x missing file" "$tmp/nope.csv" estimate --estimator ksg --x "$tmp/nope.csv" --y "$tmp/x.csv"
case_ "estimate --x missing value" "--x" estimate --estimator ksg --y "$tmp/x.csv" --x
case_ "estimate --x empty file" "$tmp/empty.csv" estimate --estimator ksg --x "$tmp/empty.csv" --y "$tmp/x.csv"
case_ "estimate --x malformed CSV" "abc" estimate --estimator ksg --x "$tmp/malformed.csv" --y "$tmp/x.csv"
case_ "estimate --y ragged CSV" "$tmp/ragged.csv" estimate --estimator ksg --x "$tmp/x.csv" --y "$tmp/ragged.csv"
case_ "estimate --x a folder" "$tmp/run" estimate --estimator ksg --x "$tmp/run" --y "$tmp/x.csv"
case_ "estimate --x .npy cut short" "$tmp/cut.npy" estimate --estimator ksg --x "$tmp/cut.npy" --y "$tmp/x.csv"
case_ "estimate --x .npy bad magic" "$tmp/bad_magic.npy" estimate --estimator ksg --x "$tmp/bad_magic.npy" --y "$tmp/x.csv"
case_ "estimate --x float16 .npy" "float16" estimate --estimator ksg --x "$tmp/half.npy" --y "$tmp/x.csv"
case_ "estimate mismatched lengths" "rows" estimate --estimator ksg --x "$tmp/x.csv" --y "$tmp/short.csv"
case_ "estimate noise-model estimator" "--estimator" estimate --estimator dropout-mc --x "$tmp/x.csv" --y "$tmp/x.csv"
case_ "estimate --k not a number" "--k" estimate --estimator ksg --x "$tmp/x.csv" --y "$tmp/x.csv" --k three
case_ "estimate --bins zero" "bins" estimate --estimator binning --x "$tmp/x.csv" --y "$tmp/x.csv" --bins 0
case_ "estimate --bin-size negative" "bin-size" estimate --estimator binning --x "$tmp/x.csv" --y "$tmp/x.csv" --bin-size -1
case_ "estimate --steps zero" "steps" estimate --estimator infonce --x "$tmp/x.csv" --y "$tmp/x.csv" --steps 0

# dropout: --means and --labels files, counts, flags that do nothing.
case_ "dropout --means missing file" "$tmp/nope.csv" dropout --estimator dropout-mc --means "$tmp/nope.csv" --noise-var 0.1
case_ "dropout --means empty" "$tmp/empty.csv" dropout --estimator dropout-mc --means "$tmp/empty.csv" --noise-var 0.1
case_ "dropout --means malformed" "abc" dropout --estimator dropout-mc --means "$tmp/malformed.csv" --noise-var 0.1
case_ "dropout --means missing value" "--means" dropout --estimator dropout-mc --noise-var 0.1 --means
case_ "dropout --labels too short" "--labels" dropout --estimator dropout-mc "${means[@]}" --noise-var 0.1 --labels "$tmp/short.csv"
case_ "dropout --labels two columns" "--labels" dropout --estimator dropout-mc "${means[@]}" --noise-var 0.1 --labels "$tmp/two_columns.csv"
case_ "dropout --labels missing file" "$tmp/nope.csv" dropout --estimator dropout-mc "${means[@]}" --noise-var 0.1 --labels "$tmp/nope.csv"
case_ "dropout --labels not integers (binning, discrete)" "integer labels" dropout --estimator dropout-mc "${means[@]}" --noise-var 0.1 --labels "$tmp/fractional_labels.csv" --label-estimator binning --discrete-y
case_ "dropout --m zero" "--m" dropout --estimator dropout-mc "${means[@]}" --noise-var 0.1 --m 0
case_ "dropout --label-estimator without --labels" "--label-estimator" dropout --estimator dropout-mc "${means[@]}" --noise-var 0.1 --label-estimator ksg
case_ "dropout noise-model label estimator" "--label-estimator" dropout --estimator dropout-mc "${means[@]}" --noise-var 0.1 --labels "$tmp/labels.csv" --label-estimator dropout-mc
case_ "dropout --means subnormal values" "underflows" dropout --estimator dropout-mc --means "$tmp/subnormal.csv" --noise-var 0.1
case_ "dropout --noise-std Inf" "inf" dropout --estimator dropout-mc "${means[@]}" --noise-std inf
case_ "dropout --covariance unknown" "--covariance" dropout --estimator dropout-gauss-bound "${means[@]}" --noise-var 0.1 --covariance exact

# ip: the folder, its files, and every list flag.
case_ "ip --dir missing folder" "$tmp/nope" ip --dir "$tmp/nope" --noise-var 0.1
case_ "ip --dir a file" "$tmp/not_a_folder" ip --dir "$tmp/not_a_folder" --noise-var 0.1
case_ "ip --dir empty folder" "no representation files" ip --dir "$tmp/empty_run" --noise-var 0.1
case_ "ip --dir missing value" "--dir" ip --noise-var 0.1 --dir
case_ "ip labels file missing" "train_labels.npy" ip --dir "$tmp/run_no_labels" --noise-var 0.1
case_ "ip labels file float16" "float16" ip --dir "$tmp/run_bad_labels" --noise-var 0.1
case_ "ip cross_entropy negative" "cross_entropy" ip --dir "$tmp/run_bad_ce" --noise-var 0.1
case_ "ip representation cut short" "no_noise_train_representations_0.npy" "${run[@]}"
case_ "ip --m-train zero" "--m-train" "${run[@]}" --m-train 0
case_ "ip --m-test not a number" "--m-test" "${run[@]}" --m-test six
case_ "ip --bins zero" "--bins" "${run[@]}" --bins 0
case_ "ip --bins empty item" "--bins" "${run[@]}" --bins 10,,30
case_ "ip --bin-sizes negative" "--bin-sizes" "${run[@]}" --bin-sizes -0.1
case_ "ip --bin-sizes NaN" "--bin-sizes" "${run[@]}" --bin-sizes nan
case_ "ip --bins and --bin-sizes" "--bin-sizes" "${run[@]}" --bins 3 --bin-sizes 0.5
case_ "ip --label-estimators unknown" "nope" "${run[@]}" --label-estimators mixture,nope
case_ "ip --bounds unknown" "--bounds" "${run[@]}" --bounds gauss,exact
case_ "ip --plot-zy unknown" "--plot-zy" "${run[@]}" --plot-zy best
case_ "ip --epochs and --every" "--every" "${run[@]}" --epochs 0 --every 2
case_ "ip --label-prior-weight 1" "--label-prior-weight" "${run[@]}" --label-prior-weight 1
case_ "ip --label-prior-weight NaN" "--label-prior-weight" "${run[@]}" --label-prior-weight nan
case_ "ip --epochs not in the folder" "--epochs" "${run[@]}" --epochs 5
case_ "ip --every not a number" "--every" "${run[@]}" --every often
case_ "ip --threads negative" "--threads" "${run[@]}" --threads -2
case_ "ip --noise-var NaN" "nan" ip --dir "$tmp/run" --noise-var nan

# Working memory beyond INFOPLANE_MEMORY_LIMIT (a job's memory cap) is refused before anything is
# allocated, with the estimate; a malformed limit is an error naming it, never silently ignored.
over="of working memory, more than INFOPLANE_MEMORY_LIMIT's"
INFOPLANE_MEMORY_LIMIT=1K case_ "estimate beyond INFOPLANE_MEMORY_LIMIT" "$over" estimate --estimator ksg --x "$tmp/x.csv" --y "$tmp/x.csv"
INFOPLANE_MEMORY_LIMIT=1K case_ "dropout beyond INFOPLANE_MEMORY_LIMIT" "$over" dropout --estimator pairwise-kl "${means[@]}" --noise-var 0.1
INFOPLANE_MEMORY_LIMIT=1K case_ "trained estimator beyond INFOPLANE_MEMORY_LIMIT" "$over" estimate --estimator infonce --x "$tmp/x.csv" --y "$tmp/x.csv"
INFOPLANE_MEMORY_LIMIT=lots case_ "INFOPLANE_MEMORY_LIMIT not a byte count" "INFOPLANE_MEMORY_LIMIT: not a byte count: 'lots'" estimate --estimator ksg --x "$tmp/x.csv" --y "$tmp/x.csv"
INFOPLANE_MEMORY_LIMIT=1.5G case_ "INFOPLANE_MEMORY_LIMIT fractional" "'1.5G'" dropout --estimator dropout-mc "${means[@]}" --noise-var 0.1

# benchmark and toy-sweep.
case_ "benchmark --seeds zero" "--seeds" benchmark --quick --seeds 0
case_ "benchmark --seeds beyond any run" "--seeds" benchmark --quick --seeds 99999999999
case_ "benchmark --n not a number" "--n" benchmark --quick --n many
case_ "benchmark --n zero" "--n" benchmark --quick --n 0
case_ "benchmark --estimators unknown" "nope" benchmark --quick --estimators ksg,nope
case_ "benchmark --quick and --tasks" "--tasks" benchmark --quick --tasks bmi
case_ "benchmark --time-limit negative" "--time-limit" benchmark --quick --time-limit -1 --estimators infonce
case_ "benchmark --time-limit, nothing trained" "--time-limit" benchmark --quick --time-limit 5 --estimators ksg
case_ "toy-sweep --n zero" "--n" toy-sweep --n 0
case_ "toy-sweep --n not a number" "--n" toy-sweep --n lots

echo "cli_bad_input: $cases cases, $pass passed, $fail failed"
test "$fail" -eq 0
