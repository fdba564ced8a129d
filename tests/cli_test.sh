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
for key in estimator value std_error lower upper ceiling kind n_samples seconds status warnings truth; do
  check "toy json has $key" grep -q "\"$key\": " <<<"$out"
done
check "toy value is a real number" grep -Eq '"value": [0-9]+\.[0-9]{6}' <<<"$out"
check "toy seconds is a real number" grep -Eq '"seconds": [0-9.e-]+,' <<<"$out"
check "toy noise variance printed" grep -q '"noise_variance": 0.1' <<<"$out"
check "toy dropout-mc kind" grep -q '"kind": "point_estimate"' <<<"$out"
check "toy ceiling is log 200" grep -q '"ceiling": 5.298317366548' <<<"$out"

# The two targets: the dataset view's keys as before, the population bracket beside them, and
# --confidence's intervals computed from them (z = 1.959963984540054 at 0.95).
out=$("$bin" toy --estimator dropout-mc --n 200 --m 3 --d 2 --noise-var 0.1 --seed 1 --confidence 0.95)
check "toy json names the dataset target" grep -q '"target": "dataset"' <<<"$out"
check "toy intervals from the result's own numbers" /usr/bin/python3 -c '
import json, sys
j = json.loads(sys.argv[1]); z = 1.959963984540054
assert j["confidence"] == 0.95
lo, hi = j["dataset_interval"]
assert abs(lo - (j["value"] - z * j["std_error"])) < 1e-12 and abs(hi - (j["value"] + z * j["std_error"])) < 1e-12
plo, phi = j["population_interval"]
assert abs(plo - (j["population_lower"] - z * j["population_lower_std_error"])) < 1e-12
assert abs(phi - (j["population_upper"] + z * j["population_upper_std_error"])) < 1e-12
assert j["population_lower"] == j["value"] and j["upper_source"] in ("leave-one-out", "gaussian")
assert j["population_lower_std_error"] > j["std_error"] > 0  # the points sampling adds to the noise
' "$out"
# A ReLU-like representation whose every row has its own zero pattern: no upper bound from these data.
tmp=$(mktemp -d)
/usr/bin/python3 -c '
import numpy as np, sys
f = np.ones((6, 6)) * 0.5 + np.arange(36).reshape(6, 6) / 100.0
f[np.arange(6), np.arange(6)] = 0.0
np.save(sys.argv[1], f)' "$tmp/relu.npy"
out=$("$bin" dropout --estimator dropout-mc --means "$tmp/relu.npy" --noise-var 0.1 --m 2)
check "no upper bound: population_upper is the string inf" grep -q '"population_upper": "inf"' <<<"$out"
check "no upper bound: upper_source none" grep -q '"upper_source": "none"' <<<"$out"
check "no upper bound: leave-one-out inf, not null" grep -q '"upper": "inf"' <<<"$out"
rm -rf "$tmp"

out=$("$bin" --version)
check "--version names the version and the kernels' instruction set" grep -Eq '^infoplane [0-9]+\.[0-9]+\.[0-9]+ \(kernels built for [a-z0-9+_]+\)$' <<<"$out"

out=$("$bin" toy --estimator dropout-gauss-bound --n 200 --m 3 --d 2 --noise-std 0.3)
check "gauss bound kind" grep -q '"kind": "upper_bound"' <<<"$out"
check "gauss bound std_error null" grep -q '"std_error": null' <<<"$out"

same1=$("$bin" toy --estimator dropout-mc --n 300 --m 2 --d 3 --noise-var 0.4 --seed 7 --threads 1 | sed 's/"seconds": [^,]*,//')
same2=$("$bin" toy --estimator dropout-mc --n 300 --m 2 --d 3 --noise-var 0.4 --seed 7 --threads 2 | sed 's/"seconds": [^,]*,//')
check "thread count does not change output" test "$same1" = "$same2"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'x\n' > "$tmp/x.csv"; printf 'y\n' > "$tmp/y.csv"; printf 'label\n' > "$tmp/labels.csv"
for i in $(seq 1 200); do
  v=$(( (i * 37) % 101 ))
  echo "$v" >> "$tmp/x.csv"; echo "$(( v + (i % 7) ))" >> "$tmp/y.csv"; echo $(( v % 2 )) >> "$tmp/labels.csv"
  echo "0.$v,1.$(( i % 9 ))" >> "$tmp/means.csv"
done
# Every registered estimator, from the registry itself.
all=$("$bin" --list-estimators)
check "--list-estimators lists the dropout family" grep -qx "dropout-mc" <<<"$all"
check "--list-estimators lists the neural family" grep -qx "infonce" <<<"$all"
check "--list-estimators --json is valid JSON, one object a line" \
  /usr/bin/python3 -c 'import json,sys; [json.loads(l) for l in sys.stdin]' < <("$bin" --list-estimators --json)
pairs=$("$bin" --list-estimators --json | /usr/bin/python3 -c 'import json,sys; print(" ".join(j["name"] for j in map(json.loads, sys.stdin) if j["input"] == "sample_pairs"))')
noise=$("$bin" --list-estimators --json | /usr/bin/python3 -c 'import json,sys; print(" ".join(j["name"] for j in map(json.loads, sys.stdin) if j["input"] == "noise_model"))')
check "registry has sample-pair and noise-model estimators" test -n "$pairs" -a -n "$noise"
for est in $all; do
  out=$("$bin" toy --estimator "$est" --n 120 --m 2 --d 1 --noise-var 0.1 --seed 1 2>/dev/null)
  check "toy --estimator $est with defaults names itself" grep -q "\"estimator\": \"$est\"" <<<"$out"
done
# --help lists every flag a subcommand accepts: its own, and every option of its estimators.
help_has_all() {  # help_has_all SUB INPUT-KIND...
  local sub="$1"; shift
  local help; help=$("$bin" "$sub" --help)
  "$bin" --list-estimators --json | /usr/bin/python3 -c '
import json, sys
kinds, text = sys.argv[1].split(","), sys.argv[2]
missing = [o["name"] for j in map(json.loads, sys.stdin) if j["input"] in kinds for o in j["options"] if "--" + o["name"] not in text]
sys.exit(1 if missing else 0)' "$(IFS=,; echo "$*")" "$help"
}
check "toy --help lists every estimator option" help_has_all toy sample_pairs noise_model
check "estimate --help lists every sample-pair option" help_has_all estimate sample_pairs
check "dropout --help lists every option" help_has_all dropout sample_pairs noise_model
check "toy-sweep --help lists the noise-model options" help_has_all toy-sweep noise_model
check "benchmark --help lists every estimator option" help_has_all benchmark sample_pairs noise_model
for flag in dir m-train m-test label-estimators bins bin-sizes bounds plot-zy epochs every out seed threads float quiet drop-probability; do
  check "ip --help lists --$flag" grep -q -- "--$flag" < <("$bin" ip --help)
done
check "dropout --help shows the default label estimator" grep -q "label-estimator E=edge" < <("$bin" dropout --help)
check "dropout --help lists --drop-probability" grep -q -- "--drop-probability" < <("$bin" dropout --help)
if [ -n "${2:-}" ]; then  # the README's estimator table is the registry's (infoplane --list-estimators --markdown)
  table=$(sed -n '/<!-- estimators:begin/,/<!-- estimators:end/p' "$2" | grep '^|')
  check "README table matches the registry" test "$table" = "$("$bin" --list-estimators --markdown)"
fi
for est in $pairs; do
  out=$("$bin" estimate --estimator $est --x "$tmp/x.csv" --y "$tmp/y.csv" --seed 1 --steps 50 --batch 16)
  check "estimate $est value" grep -Eq '"value": -?[0-9]+\.[0-9]+' <<<"$out"
  check "estimate $est kind" grep -Eq '"kind": "(point_estimate|lower_bound)"' <<<"$out"
done
out=$("$bin" dropout --estimator dropout-mc --means "$tmp/means.csv" --noise-var 0.1 --m 3 --labels "$tmp/labels.csv" --label-estimator binning --bins 5)
check "dropout has I(X;Z)" grep -Eq '"value": [0-9]+\.[0-9]+' <<<"$out"
check "dropout has I(Z;Y)" grep -Eq '"i_zy": [0-9]+\.[0-9]+' <<<"$out"
for est in pairwise-kl pairwise-bd dropout-gauss-bound; do
  out=$("$bin" dropout --estimator $est --means "$tmp/means.csv" --noise-std 0.3)
  check "dropout $est value" grep -Eq '"value": [0-9]+\.[0-9]+' <<<"$out"
done
err=$("$bin" estimate --estimator ksg --x "$tmp/missing.npy" --y "$tmp/y.csv" 2>&1 >/dev/null); rc=$?
check "missing file exits non-zero" test $rc -ne 0
check "missing file is named" grep -q "missing.npy: cannot open" <<<"$err"
printf '1,2\n3\n' > "$tmp/ragged.csv"
printf '1\n0\n1\n' > "$tmp/short.csv"
err=$("$bin" estimate --estimator binning --x "$tmp/ragged.csv" --y "$tmp/y.csv" 2>&1 >/dev/null); rc=$?
check "malformed file exits non-zero" test $rc -ne 0
check "malformed file is named" grep -q "ragged.csv: line 2" <<<"$err"

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
bad "estimate: negative lr" estimate --estimator doe --x "$tmp/x.csv" --y "$tmp/y.csv" --lr -1
bad "estimate: zero steps" estimate --estimator infonce --x "$tmp/x.csv" --y "$tmp/y.csv" --steps 0
out=$("$bin" toy --estimator dropout-mc --n 100 --m 2 --d 1 --drop-probability 0.2)
check "--drop-probability p gives variance p/(1-p)" grep -q '"noise_variance": 0.25' <<<"$out"
err=$("$bin" estimate --estimator binning --x "$tmp/x.csv" --y "$tmp/y.csv" --k 5 2>&1 >/dev/null)
check "a flag the estimator does not take is reported" grep -q -- "--k does not apply to binning" <<<"$err"
# Work sized before it is allocated: refused with the sizes and the memory needed, no bad_alloc.
for args in "toy --estimator ksg --n 100 --m 99999999999999 --d 1 --noise-var 0.1" \
            "toy --estimator dropout-mc --n 100000000000 --m 2 --d 1 --noise-var 0.1" \
            "dropout --estimator dropout-mc --means $tmp/means.csv --noise-var 0.1 --m 99999999999999"; do
  err=$($bin $args 2>&1 >/dev/null); rc=$?
  check "too large ($args) exits non-zero, not a signal" test "$rc" -ne 0 -a "$rc" -lt 128
  check "too large ($args) names the sizes and the memory" grep -Eq "(N x|M = ).* needs .* GiB of working memory" <<<"$err"
  check "too large ($args) is not a raw bad_alloc" test -z "$(grep bad_alloc <<<"$err")"
done
# A zero pattern with one member: no other component can explain its draws, so the
# leave-one-out upper bound is +infinity, printed as the string "inf" (null means "does not apply").
printf '0,1.5\n1.0,2.0\n1.2,2.2\n0.9,1.8\n' > "$tmp/relu.csv"
out=$("$bin" dropout --estimator dropout-mc --means "$tmp/relu.csv" --noise-var 0.1 --m 2)
check "an infinite upper bound prints as \"inf\"" grep -q '"upper": "inf"' <<<"$out"
check "the leave-one-out lower end stays a number" grep -Eq '"lower": [0-9.e-]+,' <<<"$out"
mkdir -p "$tmp/we\"ird"
cp "$tmp/x.csv" "$tmp/we\"ird/x.csv"
out=$("$bin" estimate --estimator binning --x "$tmp/we\"ird/x.csv" --y "$tmp/y.csv")
check "a path with a quote still gives valid JSON" /usr/bin/python3 -c 'import json,sys; assert "we\"ird" in json.loads(sys.stdin.read())["x"]' <<<"$out"
# ip on a small folder in the seed layout, written by NumPy.
if /usr/bin/python3 -c "import numpy" 2>/dev/null; then
  /usr/bin/python3 - "$tmp/run" <<'PY'
import numpy as np, os, sys
d = sys.argv[1]; os.makedirs(d)
rng = np.random.default_rng(0)
y = rng.integers(0, 3, 60)
for e in (0, 2):
    f = (np.exp(y[:, None] + 0.3 * rng.normal(size=(60, 4)))).astype(np.float32)
    np.save(f"{d}/no_noise_train_representations_{e}.npy", f)
    np.save(f"{d}/no_noise_test_representations_{e}.npy", f[:30])
np.save(f"{d}/train_labels.npy", y); np.save(f"{d}/test_labels.npy", y[:30])
PY
  out=$("$bin" ip --dir "$tmp/run" --noise-var 0.1 --quiet --seed 1)
  check "ip prints a JSON summary" /usr/bin/python3 -c 'import json,sys; json.loads(sys.stdin.read())' <<<"$out"
  check "ip writes information_plane.csv with a row per epoch and split" \
    test "$(wc -l < "$tmp/run/ip/information_plane.csv")" -eq 5
  # --float: the same draws in float32 storage; I(X;Z) within float rounding of float64's, and said.
  "$bin" ip --dir "$tmp/run" --noise-var 0.1 --quiet --seed 1 --float --out "$tmp/run/ip_float" > /dev/null
  check "ip --float: I(X;Z) and its bracket within 1e-5 relative of float64's" /usr/bin/python3 -c '
import csv, sys
a, b = (list(csv.DictReader(open(p))) for p in sys.argv[1:])
assert len(a) == len(b) == 4
for r, s in zip(a, b):
    for k in ("i_xz", "i_xz_lower", "i_xz_upper", "i_zy"):
        x, y = float(r[k]), float(s[k])
        assert x > 0 and abs(x - y) <= 1e-5 * abs(x), (k, x, y)
' "$tmp/run/ip/information_plane.csv" "$tmp/run/ip_float/information_plane.csv"
  check "ip --float is recorded in information_plane.json" /usr/bin/python3 -c '
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
assert a["options"]["storage"] == "float64" and b["options"]["storage"] == "float32"
' "$tmp/run/ip/information_plane.json" "$tmp/run/ip_float/information_plane.json"
  # ip computes an epoch's two splits at once: each row must be the one it gets alone, also when
  # the halved memory budget refuses a split (it is then computed again alone).
  check "ip: both splits at once give each split's rows alone, and a split refused for half the memory is computed alone" \
    /usr/bin/python3 - "$bin" "$tmp/run" <<'PY'
import csv, os, re, subprocess, sys
bin, run = sys.argv[1:]
def ip(folder, out, limit=None):
    env = dict(os.environ)
    if limit: env["INFOPLANE_MEMORY_LIMIT"] = str(limit)
    return subprocess.run([bin, "ip", "--dir", folder, "--noise-var", "0.1", "--quiet", "--seed", "1",
                           "--label-estimators", "mixture,ksg", "--out", out], env=env, capture_output=True, text=True)
def rows(out):
    return [{k: v for k, v in r.items() if k != "seconds"} for r in csv.DictReader(open(out + "/information_plane.csv"))]
alone = {}
for split in ("train", "test"):
    folder = f"{run}_{split}"
    os.makedirs(folder, exist_ok=True)
    for name in os.listdir(run):
        if split in name and not os.path.exists(f"{folder}/{name}"): os.symlink(f"{run}/{name}", f"{folder}/{name}")
    # The least memory limit with which this split runs alone: raise it to each refusal's need.
    limit = 1024
    for _ in range(40):
        r = ip(folder, f"{folder}/ip", limit)
        if r.returncode == 0: break
        need = re.search(r"needs ([0-9.e+-]+) GiB of working memory", r.stderr)
        assert need, r.stderr
        limit = int(float(need.group(1)) * 1.001 * 2**30) + 1024
    assert r.returncode == 0, r.stderr
    alone[split] = (limit, rows(f"{folder}/ip"))
r = ip(run, run + "/ip_both")
assert r.returncode == 0, r.stderr
both = rows(run + "/ip_both")
assert [x for x in both if x["split"] == "train"] == alone["train"][1]
assert [x for x in both if x["split"] == "test"] == alone["test"][1]
# Enough for each split alone, not for both at once: the same rows, nothing failed.
limit = max(alone["train"][0], alone["test"][0])
r = ip(run, run + "/ip_tight", limit)
assert r.returncode == 0, r.stderr
assert rows(run + "/ip_tight") == both
PY
  bad "ip: both bins and bin sizes" ip --dir "$tmp/run" --noise-var 0.1 --bins 3 --bin-sizes 0.5
  bad "ip: unknown label estimator" ip --dir "$tmp/run" --noise-var 0.1 --label-estimators nope
fi
err=$("$bin" ip --dir "$tmp/none" --noise-var 0.1 2>&1 >/dev/null); rc=$?
check "ip: a missing folder exits non-zero" test $rc -ne 0
check "ip: a missing folder is named with its flag" grep -q "none: no such folder (--dir)" <<<"$err"
out=$("$bin" benchmark --quick --n 200 --seeds 1 --estimators gaussian-mi,dropout-mc --out "$tmp/bench" --quiet)
check "benchmark --quick writes benchmark.csv" test -s "$tmp/bench/benchmark.csv"
check "benchmark rows name the estimators" grep -q "gaussian-mi" "$tmp/bench/benchmark.csv"
bad "benchmark: unknown estimator" benchmark --quick --estimators nope
bad "estimate: noise-model estimator" estimate --estimator dropout-mc --x "$tmp/x.csv" --y "$tmp/y.csv"
bad "estimate: bins and bin size" estimate --estimator binning --x "$tmp/x.csv" --y "$tmp/y.csv" --bins 3 --bin-size 1
bad "estimate: mismatched rows" estimate --estimator ksg --x "$tmp/x.csv" --y "$tmp/short.csv"
bad "dropout: labels of wrong length" dropout --estimator dropout-mc --means "$tmp/means.csv" --noise-var 0.1 --labels "$tmp/short.csv"
bad "three noise flags" toy --estimator dropout-mc --n 10 --d 1 --noise-var 0.1 --drop-probability 0.5
bad "drop probability 1" toy --estimator dropout-mc --n 10 --d 1 --drop-probability 1
bad "dropout: label estimator without labels" dropout --estimator dropout-mc --means "$tmp/means.csv" --noise-var 0.1 --label-estimator ksg
bad "dropout: noise-model label estimator" dropout --estimator dropout-mc --means "$tmp/means.csv" --noise-var 0.1 --labels "$tmp/labels.csv" --label-estimator dropout-mc
bad "estimate: bad kernel word" toy --estimator dropout-mc --n 10 --d 1 --noise-var 0.1 --kernel fast
bad "dropout: bad edge hashing" dropout --estimator dropout-mc --means "$tmp/means.csv" --noise-var 0.1 --labels "$tmp/labels.csv" --edge-hashing nope

# warnings: a transposed matrix (N < d) and labels passed as a representation, as JSON lists.
/usr/bin/python3 -c '
import random; random.seed(3)
print("\n".join(",".join(str(random.random() + 0.5) for _ in range(40)) for _ in range(6)))' > "$tmp/transposed.csv"
out=$("$bin" dropout --estimator dropout-mc --means "$tmp/transposed.csv" --noise-var 0.1)
check "warnings: N < d suggests a transposed matrix" /usr/bin/python3 -c '
import json, sys; w = json.loads(sys.stdin.read())["warnings"]
assert any("N = 6 rows < d = 40 columns" in s and "transposed" in s for s in w), w' <<<"$out"
out=$("$bin" dropout --estimator dropout-gauss-bound --means "$tmp/labels.csv" --noise-var 0.1)
check "warnings: integer data with two values looks like labels" grep -q "looks like labels" <<<"$out"
out=$("$bin" estimate --estimator ksg --x "$tmp/x.csv" --y "$tmp/labels.csv")
check "warnings: ksg on labels without --discrete-y" grep -q "y has only 2 distinct values among N = 200 samples" <<<"$out"
out=$("$bin" estimate --estimator ksg --x "$tmp/x.csv" --y "$tmp/labels.csv" --discrete-y)
check "warnings: none with --discrete-y" grep -q '"warnings": \[\]' <<<"$out"
# Own flags that would change nothing are reported on stderr, as estimator flags are.
err=$("$bin" dropout --estimator pairwise-kl --means "$tmp/means.csv" --noise-var 0.1 --m 4 2>&1 >/dev/null)
check "dropout --m without --labels, for an estimator without M, is reported" \
  grep -q -- "warning: --m does nothing here: pairwise-kl takes no --m and there are no --labels; ignored" <<<"$err"
err=$("$bin" toy --estimator pairwise-bd --n 20 --d 1 --noise-var 0.1 --m 4 2>&1 >/dev/null)
check "toy --m for an estimator without M is reported" grep -q -- "warning: --m does nothing here: pairwise-bd" <<<"$err"
# The Gaussian bound on constant activations is never negative (it printed -1.2e-13).
for i in $(seq 1 30); do echo "0.3,0.3,0.3"; done > "$tmp/constant.csv"
out=$("$bin" dropout --estimator dropout-gauss-bound --means "$tmp/constant.csv" --noise-var 0.1)
check "gauss bound on constant activations is >= 0" /usr/bin/python3 -c '
import json, sys; v = json.loads(sys.stdin.read())["value"]; assert 0 <= v < 1e-12, v' <<<"$out"

echo "$pass passed, $fail failed"
test "$fail" -eq 0
