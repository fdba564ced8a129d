#!/usr/bin/env bash
# infoplane-mpi against infoplane on the same files: `dropout` and `ip` print the same numbers
# (JSON's shortest round-trip decimals, so equal text is equal bits) under mpirun -np 1, 2
# and 3, with and without exact zeros, --ring with the whole input and rank-local. Then bad
# input on one rank only (an MPMD launch that
# gives rank 1 other files): every rank exits, rank 0 prints the message naming rank 1 and the
# file, and nothing hangs (each run is bounded by `timeout`). Exit 77 (SKIPPED) without NumPy.
# Usage: cli_mpi_test.sh INFOPLANE INFOPLANE_MPI "MPIRUN;FLAGS;...;-n"
set -u
cli=$1
mpicli=$2
IFS=';' read -r -a mpirun <<< "$3"
/usr/bin/python3 -c "import numpy" 2>/dev/null || { echo "SKIPPED: NumPy not found"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

/usr/bin/python3 - "$tmp" <<'EOF'
import sys, numpy as np
d = sys.argv[1]
rng = np.random.default_rng(3)
def rep(n, k, zeros):
    f = 0.2 + 2.0 * rng.random((n, k))
    if zeros:  # ReLU-like: two units off for about half the rows, a third for a few
        f[:, :2][rng.random((n, 2)) < 0.5] = 0.0
        f[::29, 2] = 0.0
    return f
np.save(f"{d}/dense.npy", rep(450, 5, False))
np.save(f"{d}/relu.npy", rep(450, 5, True))
np.save(f"{d}/labels.npy", (np.arange(450) * 7 % 3).astype(np.int64))
import os
os.mkdir(f"{d}/run")
for e in (0, 1):
    np.save(f"{d}/run/no_noise_train_representations_{e}.npy", rep(400, 4, True))
    np.save(f"{d}/run/no_noise_test_representations_{e}.npy", rep(150, 4, e == 1))
np.save(f"{d}/run/train_labels.npy", np.arange(400) % 4)
np.save(f"{d}/run/test_labels.npy", np.arange(150) % 4)
EOF
[ $? -eq 0 ] || { echo "FAIL: could not write the test files"; exit 1; }

# The JSON line without its timing.
strip() { sed -E 's/"(seconds|i_zy_seconds)": [^,}]*(, )?//g'; }
mpi() { local np=$1; shift; timeout 60 "${mpirun[@]}" "$np" "$mpicli" "$@"; }

common=(--noise-var 0.3 --m 3 --seed 5)
for means in dense relu; do
  for e in dropout-mc pairwise-kl pairwise-bd dropout-gauss-bound; do
    extra=(--threads 2)
    [ "$e" = dropout-mc ] && extra+=(--labels "$tmp/labels.npy")
    [ "$e" = dropout-gauss-bound ] && extra=()
    want=$("$cli" dropout --estimator "$e" --means "$tmp/$means.npy" "${common[@]}" "${extra[@]}" | strip)
    [ -n "$want" ] || bad "infoplane dropout --estimator $e printed nothing"
    nps="3"  # mpi_bits compares every rank count; here the program's plumbing, on fewer runs
    [ "$means" = relu ] && nps="2"
    [ "$e" = dropout-mc ] && nps="1 2 3"
    for np in $nps; do
      got=$(mpi "$np" dropout --estimator "$e" --means "$tmp/$means.npy" "${common[@]}" "${extra[@]}" | strip)
      [ "$got" = "$want" ] || bad "$e on $means, $np ranks: got '$got', want '$want'"
    done
  done
done

# --stats: per-rank seconds, bytes and peak memory, and the estimate unchanged.
line=$(mpi 2 dropout --estimator dropout-mc --means "$tmp/relu.npy" "${common[@]}" --stats)
[ "$(echo "$line" | sed -E 's/, "mpi": .*\}$/}/' | strip)" = \
  "$("$cli" dropout --estimator dropout-mc --means "$tmp/relu.npy" "${common[@]}" | strip)" ] ||
  bad "--stats changed the estimate: '$line'"
echo "$line" | grep -q '"mpi": {"ranks":2,"mode":"replicated","per_rank":\[{"rank":0,"seconds":' ||
  bad "--stats: no per-rank line in '$line'"
echo "$line" | grep -Eq '"bytes_received":[1-9]' || bad "--stats: no bytes counted in '$line'"
[ "$(echo "$line" | grep -Eo '"peak_rss_bytes":[1-9][0-9]{6,}' | wc -l)" = 2 ] ||
  bad "--stats: not one peak_rss_bytes (at least a megabyte) per rank in '$line'"

# ip: the same information_plane.json, timings aside, for 1 and 3 ranks.
points() { /usr/bin/python3 -c "
import json, sys
j = json.load(open(sys.argv[1]))
for p in j['points']:
    for k in ('seconds', 'total_seconds'): p.pop(k, None)
    for v in p.values():
        if isinstance(v, dict): v.pop('seconds', None)
print(json.dumps(j['points'], sort_keys=True))" "$1"; }
ipargs=(--noise-var 0.3 --bounds gauss,pairwise --label-estimators mixture,binning --bins 10 --quiet)
"$cli" ip --dir "$tmp/run" "${ipargs[@]}" --out "$tmp/ip1" > /dev/null || bad "infoplane ip failed"
want=$(points "$tmp/ip1/information_plane.json")
for np in 1 3; do
  mpi "$np" ip --dir "$tmp/run" "${ipargs[@]}" --out "$tmp/ipm$np" > "$tmp/ip.out" || bad "infoplane-mpi ip -np $np failed"
  grep -q '"points":4' "$tmp/ip.out" || bad "infoplane-mpi ip -np $np: summary '$(cat "$tmp/ip.out")'"
  [ "$(points "$tmp/ipm$np/information_plane.json")" = "$want" ] || bad "ip, $np ranks: information_plane.json differs"
done

# --ring: dropout-mc's component blocks around the ring, the bits of infoplane with the same
# --component-block (64: several blocks per zero-pattern group, cut at class boundaries).
for means in dense relu; do
  for loo in "" --no-loo; do
    blk=(--component-block 64 --labels "$tmp/labels.npy" $loo)
    want=$("$cli" dropout --estimator dropout-mc --means "$tmp/$means.npy" "${common[@]}" "${blk[@]}" | strip)
    [ -n "$want" ] || bad "infoplane dropout --component-block printed nothing"
    for np in 1 2 3; do
      got=$(mpi "$np" dropout --estimator dropout-mc --means "$tmp/$means.npy" "${common[@]}" "${blk[@]}" --ring | strip)
      [ "$got" = "$want" ] || bad "--ring on $means $loo, $np ranks: got '$got', want '$want'"
    done
  done
done
# The ring's default block is 4096 (one block per group here).
got=$(mpi 2 dropout --estimator dropout-mc --means "$tmp/relu.npy" "${common[@]}" --ring | strip)
[ "$got" = "$("$cli" dropout --estimator dropout-mc --means "$tmp/relu.npy" "${common[@]}" --component-block 4096 | strip)" ] ||
  bad "--ring with the default block: got '$got'"
line=$(mpi 3 dropout --estimator dropout-mc --means "$tmp/relu.npy" "${common[@]}" --component-block 64 --ring --stats)
echo "$line" | grep -q '"mpi": {"ranks":3,"mode":"ring","per_rank":\[{"rank":0,' || bad "--ring --stats: '$line'"
[ "$(echo "$line" | grep -Eo '"ring_bytes_sent":[1-9]' | wc -l)" = 3 ] || bad "--ring --stats: a rank sent no block: '$line'"
[ "$(echo "$line" | grep -Eo '"ring_steps":2' | wc -l)" = 3 ] || bad "--ring --stats: not 2 steps per rank: '$line'"
ipblk=(--component-block 50)
"$cli" ip --dir "$tmp/run" "${ipargs[@]}" "${ipblk[@]}" --out "$tmp/ipb" > /dev/null || bad "infoplane ip --component-block failed"
want=$(points "$tmp/ipb/information_plane.json")
for np in 1 3; do
  mpi "$np" ip --dir "$tmp/run" "${ipargs[@]}" "${ipblk[@]}" --ring --out "$tmp/ipr$np" > /dev/null ||
    bad "infoplane-mpi ip --ring -np $np failed"
  [ "$(points "$tmp/ipr$np/information_plane.json")" = "$want" ] || bad "ip --ring, $np ranks: information_plane.json differs"
done
# ip --ring with the mixture alone, the Gaussian bound and no binning plane: every
# representation file rank-local, and still the bits of infoplane ip --component-block.
iplocal=(--noise-var 0.3 --bounds gauss --label-estimators mixture --quiet --component-block 50)
"$cli" ip --dir "$tmp/run" "${iplocal[@]}" --out "$tmp/ipl" > /dev/null || bad "infoplane ip (mixture alone) failed"
want=$(points "$tmp/ipl/information_plane.json")
for np in 1 2 3; do
  mpi "$np" ip --dir "$tmp/run" "${iplocal[@]}" --ring --stats --out "$tmp/iplr$np" > "$tmp/ip.out" ||
    bad "infoplane-mpi ip --ring (rank-local) -np $np failed: '$(cat "$tmp/ip.out")'"
  grep -q '"input":"rank_local"' "$tmp/ip.out" || bad "ip --ring -np $np: --stats does not say rank_local: '$(cat "$tmp/ip.out")'"
  [ "$(points "$tmp/iplr$np/information_plane.json")" = "$want" ] ||
    bad "ip --ring (rank-local), $np ranks: information_plane.json differs"
done
mpi 2 ip --dir "$tmp/run" "${ipargs[@]}" "${ipblk[@]}" --ring --stats --out "$tmp/ipr2" > "$tmp/ip.out" ||
  bad "infoplane-mpi ip --ring (whole input) -np 2 failed"
grep -q '"input":"whole"' "$tmp/ip.out" || bad "ip --ring with binning: --stats does not say whole: '$(cat "$tmp/ip.out")'"
out=$(mpi 2 dropout --estimator dropout-mc --means "$tmp/relu.npy" "${common[@]}" --ring --component-block 0 2>&1)
rc=$?
[ $rc -ne 0 ] && [ $rc -ne 124 ] && echo "$out" | grep -q -- "--component-block" ||
  bad "--component-block 0: exit $rc, '$out'"

# Rank-local input (--ring with dropout-mc and no --labels): each rank reads only its own rows
# of --means, and the bits are still those of infoplane --component-block (population keys too).
for means in dense relu; do
  # The Gaussian bound, analytic and from its own draws, reads only its rows too.
  for src in "" "--covariance sample"; do
    want=$("$cli" dropout --estimator dropout-gauss-bound --means "$tmp/$means.npy" "${common[@]}" $src | strip)
    for np in 2 3; do
      line=$(mpi "$np" dropout --estimator dropout-gauss-bound --means "$tmp/$means.npy" "${common[@]}" $src --ring --stats)
      echo "$line" | grep -q '"input":"rank_local"' || bad "gauss-bound --ring $src: --stats does not say rank_local: '$line'"
      got=$(echo "$line" | sed -E 's/, "mpi": .*\}$/}/' | strip)
      [ "$got" = "$want" ] || bad "rank-local gauss-bound $src on $means, $np ranks: got '$got', want '$want'"
    done
  done
  for blk in 64 4096; do
    want=$("$cli" dropout --estimator dropout-mc --means "$tmp/$means.npy" "${common[@]}" --component-block $blk | strip)
    for np in 1 2 3; do
      got=$(mpi "$np" dropout --estimator dropout-mc --means "$tmp/$means.npy" "${common[@]}" --component-block $blk --ring | strip)
      [ "$got" = "$want" ] || bad "rank-local on $means, B $blk, $np ranks: got '$got', want '$want'"
    done
  done
done
# The warnings too: 12 rows on 3 ranks are 4 per rank, fewer than d = 5 (the rows alone look
# transposed, the whole does not); integers with 3 distinct values look like labels.
/usr/bin/python3 -c "
import numpy as np, sys
rng = np.random.default_rng(5)
np.save(sys.argv[1], 0.2 + rng.random((12, 5)))
np.save(sys.argv[2], rng.integers(1, 4, (60, 4)).astype(np.float64))" "$tmp/small.npy" "$tmp/ints.npy"
for means in small ints; do  # the ring's default block (4096) keeps the rows' order
  want=$("$cli" dropout --estimator dropout-mc --means "$tmp/$means.npy" "${common[@]}" --component-block 4096 | strip)
  got=$(mpi 3 dropout --estimator dropout-mc --means "$tmp/$means.npy" "${common[@]}" --ring | strip)
  [ "$got" = "$want" ] || bad "rank-local on $means, 3 ranks: got '$got', want '$want'"
done
echo "$want" | grep -q '"means: all values are integers' || bad "ints.npy: no labels warning in '$want'"
line=$(mpi 3 dropout --estimator dropout-mc --means "$tmp/relu.npy" "${common[@]}" --component-block 64 --ring --stats)
echo "$line" | grep -q '"input":"rank_local"' || bad "rank-local: --stats does not say so: '$line'"
line=$(mpi 2 dropout --estimator dropout-mc --means "$tmp/relu.npy" --labels "$tmp/labels.npy" "${common[@]}" --ring --stats)
echo "$line" | grep -q '"input":"whole"' || bad "--ring --labels: --stats does not say the input is whole: '$line'"
# A non-finite value in a row only rank 2 reads (rows 300 to 449 of 450 on 3 ranks): every
# rank exits, rank 0 names rank 2, the file, the row and the column, and nothing hangs.
/usr/bin/python3 -c "
import numpy as np, sys
f = np.load(sys.argv[1]); f[400, 1] = np.nan; np.save(sys.argv[2], f)" "$tmp/relu.npy" "$tmp/relu_nan.npy"
timeout 60 "${mpirun[@]}" 3 "$mpicli" dropout --estimator dropout-mc "${common[@]}" --ring --means "$tmp/relu_nan.npy" \
  > "$tmp/out" 2> "$tmp/err"
rc=$?
[ $rc -ne 0 ] && [ $rc -ne 124 ] || bad "rank-local, NaN in rank 2's rows: exit $rc (124: it hung)"
grep -q "rank 2: .*relu_nan.npy.*row 400, column 1" "$tmp/err" ||
  bad "rank-local, NaN in rank 2's rows: message '$(cat "$tmp/err")'"
[ ! -s "$tmp/out" ] || bad "rank-local, NaN in rank 2's rows: printed '$(cat "$tmp/out")'"
# ... and a truncated file on rank 2 only.
head -c 9000 "$tmp/relu.npy" > "$tmp/relu_cut.npy"
timeout 60 "${mpirun[@]}" 2 "$mpicli" dropout --estimator dropout-mc "${common[@]}" --ring --means "$tmp/relu.npy" : \
  -n 1 "$mpicli" dropout --estimator dropout-mc "${common[@]}" --ring --means "$tmp/relu_cut.npy" > "$tmp/out" 2> "$tmp/err"
rc=$?
[ $rc -ne 0 ] && [ $rc -ne 124 ] || bad "rank-local, truncated file on rank 2: exit $rc (124: it hung)"
grep -q "rank 2: .*relu_cut.npy: truncated" "$tmp/err" || bad "rank-local, truncated file on rank 2: message '$(cat "$tmp/err")'"

# Bad input on rank 1 only. A missing --means file:
args=(dropout --estimator dropout-mc "${common[@]}")
timeout 60 "${mpirun[@]}" 1 "$mpicli" "${args[@]}" --means "$tmp/relu.npy" : \
  -n 1 "$mpicli" "${args[@]}" --means "$tmp/absent.npy" > "$tmp/out" 2> "$tmp/err"
rc=$?
[ $rc -ne 0 ] && [ $rc -ne 124 ] || bad "missing file on rank 1: exit $rc (124: it hung)"
grep -q "rank 1: .*absent.npy" "$tmp/err" || bad "missing file on rank 1: message '$(cat "$tmp/err")'"
[ ! -s "$tmp/out" ] || bad "missing file on rank 1: printed '$(cat "$tmp/out")'"

# ... the same in ring mode (rank-local input), and a file whose contents differ on rank 1 (one
# value changed, in a row rank 1 does not read): every rank stops before the ring starts.
timeout 60 "${mpirun[@]}" 1 "$mpicli" "${args[@]}" --ring --means "$tmp/relu.npy" : \
  -n 1 "$mpicli" "${args[@]}" --ring --means "$tmp/absent.npy" > "$tmp/out" 2> "$tmp/err"
rc=$?
[ $rc -ne 0 ] && [ $rc -ne 124 ] || bad "--ring, missing file on rank 1: exit $rc (124: it hung)"
grep -q "rank 1: .*absent.npy" "$tmp/err" || bad "--ring, missing file on rank 1: message '$(cat "$tmp/err")'"
/usr/bin/python3 -c "
import numpy as np, sys
f = np.load(sys.argv[1]); f[7, 3] += 0.5; np.save(sys.argv[2], f)" "$tmp/relu.npy" "$tmp/relu_other.npy"
timeout 60 "${mpirun[@]}" 1 "$mpicli" "${args[@]}" --ring --means "$tmp/relu.npy" : \
  -n 1 "$mpicli" "${args[@]}" --ring --means "$tmp/relu_other.npy" > "$tmp/out" 2> "$tmp/err"
rc=$?
[ $rc -ne 0 ] && [ $rc -ne 124 ] || bad "--ring, other contents on rank 1: exit $rc (124: it hung)"
grep -q "relu.npy: the processes read different contents" "$tmp/err" ||
  bad "--ring, other contents on rank 1: message '$(cat "$tmp/err")'"
[ ! -s "$tmp/out" ] || bad "--ring, other contents on rank 1: printed '$(cat "$tmp/out")'"

# Less memory on rank 1 only (INFOPLANE_MEMORY_LIMIT, as on a smaller node): rank 1 refuses a
# buffer while rank 0 goes on into the next collective, so they cannot agree in place. Rank 1
# waits INFOPLANE_MPI_AGREE_SECONDS, prints its message and aborts the job: nothing hangs.
/usr/bin/python3 -c "
import numpy as np, sys
np.save(sys.argv[1], 0.2 + 2 * np.random.default_rng(1).random((4000, 16)))" "$tmp/big.npy"
big=(dropout --estimator dropout-mc --means "$tmp/big.npy" --noise-var 0.1)
INFOPLANE_MPI_AGREE_SECONDS=3 timeout 60 "${mpirun[@]}" 1 "$mpicli" "${big[@]}" : \
  -n 1 env INFOPLANE_MEMORY_LIMIT=2000000 "$mpicli" "${big[@]}" > "$tmp/out" 2> "$tmp/err"
rc=$?
[ $rc -ne 0 ] && [ $rc -ne 124 ] || bad "less memory on rank 1: exit $rc (124: it hung)"
grep -q "rank 1: dropout-mc: .*INFOPLANE_MEMORY_LIMIT" "$tmp/err" || bad "less memory on rank 1: message '$(cat "$tmp/err")'"
[ ! -s "$tmp/out" ] || bad "less memory on rank 1: printed '$(cat "$tmp/out")'"
# ... and a malformed INFOPLANE_MPI_AGREE_SECONDS on rank 1: refused on every rank, by name.
timeout 60 "${mpirun[@]}" 1 "$mpicli" "${args[@]}" --means "$tmp/relu.npy" : \
  -n 1 env INFOPLANE_MPI_AGREE_SECONDS=soon "$mpicli" "${args[@]}" --means "$tmp/relu.npy" > "$tmp/out" 2> "$tmp/err"
rc=$?
[ $rc -ne 0 ] && [ $rc -ne 124 ] || bad "malformed INFOPLANE_MPI_AGREE_SECONDS on rank 1: exit $rc (124: it hung)"
grep -q "INFOPLANE_MPI_AGREE_SECONDS: not a positive number of seconds: 'soon'" "$tmp/err" ||
  bad "malformed INFOPLANE_MPI_AGREE_SECONDS on rank 1: message '$(cat "$tmp/err")'"

# ip where rank 1's folder has a truncated epoch file: that point fails on every rank (named in
# information_plane.json), the others are computed, exit 1.
cp -r "$tmp/run" "$tmp/run1"
head -c 100 "$tmp/run/no_noise_train_representations_1.npy" > "$tmp/run1/no_noise_train_representations_1.npy"
timeout 60 "${mpirun[@]}" 1 "$mpicli" ip --dir "$tmp/run" "${ipargs[@]}" --out "$tmp/ipbad" : \
  -n 1 "$mpicli" ip --dir "$tmp/run1" "${ipargs[@]}" --out "$tmp/ipbad1" > "$tmp/out" 2> "$tmp/err"
rc=$?
[ $rc -eq 1 ] || bad "truncated file on rank 1 (ip): exit $rc, want 1 (124: it hung)"
grep -q '"failed":1,.*"points":3' "$tmp/out" || bad "truncated file on rank 1 (ip): summary '$(cat "$tmp/out")'"
grep -q "rank 1: .*run1/no_noise_train_representations_1.npy" "$tmp/ipbad/information_plane.json" ||
  bad "truncated file on rank 1 (ip): information_plane.json does not name it"
# ... and a labels file rank 1 cannot read: every rank stops before the first point.
cp "$tmp/run1/no_noise_train_representations_1.npy" "$tmp/run1/test_labels.npy"
timeout 60 "${mpirun[@]}" 1 "$mpicli" ip --dir "$tmp/run" "${ipargs[@]}" --out "$tmp/ipbad" : \
  -n 1 "$mpicli" ip --dir "$tmp/run1" "${ipargs[@]}" --out "$tmp/ipbad1" > "$tmp/out" 2> "$tmp/err"
rc=$?
[ $rc -ne 0 ] && [ $rc -ne 124 ] || bad "bad labels on rank 1 (ip): exit $rc (124: it hung)"
grep -q "rank 1: .*run1/test_labels.npy" "$tmp/err" || bad "bad labels on rank 1 (ip): message '$(cat "$tmp/err")'"

# ... and a folder whose test labels rank 1 does not see at all.
rm "$tmp/run1/test_labels.npy"
timeout 60 "${mpirun[@]}" 1 "$mpicli" ip --dir "$tmp/run" "${ipargs[@]}" --out "$tmp/ipbad" : \
  -n 1 "$mpicli" ip --dir "$tmp/run1" "${ipargs[@]}" --out "$tmp/ipbad1" > "$tmp/out" 2> "$tmp/err"
rc=$?
[ $rc -ne 0 ] && [ $rc -ne 124 ] || bad "labels missing on rank 1 (ip): exit $rc (124: it hung)"
grep -q "see different representation or label files" "$tmp/err" ||
  bad "labels missing on rank 1 (ip): message '$(cat "$tmp/err")'"

[ $fail -eq 0 ] && echo "cli_mpi_test: all passed"
exit $fail
