#!/usr/bin/env bash
# Checks of the infoplane program's contract: JSON keys, and usage errors on stderr with a
# non-zero exit for every kind of bad flag or value.
set -u
bin="$1"
fail=0
pass=0
check() {  # check NAME CONDITION...
  local name="$1"; shift
  if "$@"; then pass=$((pass + 1)); else echo "FAILED: $name"; fail=$((fail + 1)); fi
}

out=$("$bin" toy --estimator dropout-mc --n 200 --m 3 --d 2 --noise-var 0.1 --seed 1 --threads 2)
for key in estimator value std_error lower upper ceiling kind n_samples seconds status truth; do
  check "toy json has $key" grep -q "\"$key\": " <<<"$out"
done
check "toy value is a real number" grep -Eq '"value": [0-9]+\.[0-9]{6}' <<<"$out"
check "toy seconds is a real number" grep -Eq '"seconds": [0-9.e-]+,' <<<"$out"
check "toy noise variance printed" grep -q '"noise_variance": 0.1' <<<"$out"
check "toy dropout-mc kind" grep -q '"kind": "point_estimate"' <<<"$out"
check "toy ceiling is log 200" grep -q '"ceiling": 5.298317366548' <<<"$out"

out=$("$bin" toy --estimator dropout-gauss-bound --n 200 --m 3 --d 2 --noise-std 0.3)
check "gauss bound kind" grep -q '"kind": "upper_bound"' <<<"$out"
check "gauss bound std_error null" grep -q '"std_error": null' <<<"$out"

same1=$("$bin" toy --estimator dropout-mc --n 300 --m 2 --d 3 --noise-var 0.4 --seed 7 --threads 1 | sed 's/"seconds": [^,]*,//')
same2=$("$bin" toy --estimator dropout-mc --n 300 --m 2 --d 3 --noise-var 0.4 --seed 7 --threads 2 | sed 's/"seconds": [^,]*,//')
check "thread count does not change output" test "$same1" = "$same2"

bad() {  # bad NAME ARGS...: must exit non-zero and print usage on stderr
  local name="$1"; shift
  local err rc
  err=$("$bin" "$@" 2>&1 >/dev/null); rc=$?
  check "$name exits non-zero" test "$rc" -ne 0
  check "$name prints usage" grep -q "usage" <<<"$err"
}
bad "no subcommand"
bad "unknown subcommand" frobnicate
bad "unknown flag" toy --estimator dropout-mc --n 10 --m 2 --d 1 --noise-var 0.1 --bogus 1
bad "unknown estimator" toy --estimator nope --n 10 --m 2 --d 1 --noise-var 0.1
bad "missing n" toy --estimator dropout-mc --m 2 --d 1 --noise-var 0.1
bad "both noise flags" toy --estimator dropout-mc --n 10 --m 2 --d 1 --noise-var 0.1 --noise-std 0.1
bad "no noise flag" toy --estimator dropout-mc --n 10 --m 2 --d 1
bad "negative noise" toy --estimator dropout-mc --n 10 --m 2 --d 1 --noise-var -0.1
bad "zero noise" toy --estimator dropout-mc --n 10 --m 2 --d 1 --noise-std 0
bad "non-numeric n" toy --estimator dropout-mc --n ten --m 2 --d 1 --noise-var 0.1
bad "trailing junk" toy --estimator dropout-mc --n 10x --m 2 --d 1 --noise-var 0.1
bad "m zero" toy --estimator dropout-mc --n 10 --m 0 --d 1 --noise-var 0.1
bad "n zero" toy --estimator dropout-mc --n 0 --m 2 --d 1 --noise-var 0.1
bad "components above n" toy --estimator dropout-mc --n 10 --m 2 --d 1 --noise-var 0.1 --components 11
bad "missing value" toy --estimator dropout-mc --n

echo "$pass passed, $fail failed"
test "$fail" -eq 0
