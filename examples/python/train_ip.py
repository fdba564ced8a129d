#!/usr/bin/python3
"""Information plane of a dropout network, computed inside the PyTorch training loop.

Trains the seed repository's Fashion-MNIST FC network (784-512-128-32-10, softplus, Gaussian
dropout eps ~ N(1, 0.25) on the 32-unit layer; SGD momentum 0.9, lr 0.1, weight decay 1e-3,
cosine annealing, batch 256) and after every epoch (and before the first), on the train and the
test split, estimates from the noise-free 32-unit activations, in nats:

  I(X;Z)  infoplane.dropout_mc: the plug-in value and its [plug-in, leave-one-out] bracket
  I(Z;Y)  infoplane.information_plane (the mixture with the labels) where the module has it,
          else infoplane.ksg with discrete_y (Ross) on one noisy draw per point
          (up to --pairs points), next to the cross-entropy lower bound H(Y) - CE

and plots the plane to OUT/information_plane.png (x = I(X;Z) with its bracket, y = I(Z;Y),
colour = epoch), with the numbers in OUT/information_plane.csv. No files are passed to the
library and nothing runs in a subprocess.

  PYTHONPATH=build/python /usr/bin/python3 examples/python/train_ip.py --quick      (a few minutes)
  PYTHONPATH=build/python /usr/bin/python3 examples/python/train_ip.py --epochs 10  (full data)
"""
import argparse
import csv
import math
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

try:
    import infoplane as ip
except ImportError as e:
    sys.exit(f"{e}: build the module and put it on PYTHONPATH (README, 'Python'): "
             "cmake --build build --target infoplane_python && export PYTHONPATH=$PWD/build/python")

# The network, its Gaussian dropout and the IDX reader are the seed's, as the real-data
# benchmark trains them (one definition for both).
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks" / "real"))
from make_representations import FC, features_of, head, load_split  # noqa: E402


def label_entropy(y):
    p = np.bincount(y) / len(y)
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


def plane_point(f, labels, ce, args, epoch, split, gen):
    """One point of the plane from the noise-free activations f (a torch tensor, read in place)."""
    t0 = time.perf_counter()
    row = {"epoch": epoch, "split": split, "n": len(labels)}
    m = args.m_train if split == "train" else args.m_test
    r = ip.dropout_mc(f, noise_var=args.noise_var, m=m, seed=epoch, threads=args.threads)
    row.update(i_xz=r.value, i_xz_lower=r.lower, i_xz_upper=r.upper, i_xz_se=r.std_error, ceiling=r.ceiling,
               i_xz_status=r.status)
    h_y = label_entropy(labels.numpy())
    row.update(h_y=h_y, ce_bound=h_y - ce)
    if hasattr(ip, "information_plane"):
        p = ip.information_plane(f, labels, noise_var=args.noise_var, noise_draws=m, seed=args.seed, epoch=epoch,
                                 split=split, cross_entropy=ce, threads=args.threads)
        row.update(i_zy=p["i_zy_mixture"].value, i_zy_estimator="information_plane (mixture)")
    else:
        # One noisy draw per point, as the network sees the layer; a seeded subset for KSG's O(N^2 d).
        idx = torch.randperm(len(labels), generator=gen)[:args.pairs]
        z = f[idx] * (1.0 + math.sqrt(args.noise_var) * torch.randn(f[idx].shape, generator=gen))
        k = ip.ksg(z, labels[idx], discrete_y=True, seed=epoch, threads=args.threads)
        row.update(i_zy=k.value, i_zy_estimator=f"ksg discrete_y, {len(idx)} noisy draws")
    row["seconds"] = time.perf_counter() - t0
    return row


def plot(rows, path, args):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    epochs = sorted({r["epoch"] for r in rows})
    cmap = plt.get_cmap("viridis")
    norm = matplotlib.colors.Normalize(vmin=min(epochs), vmax=max(max(epochs), 1))
    fig, ax = plt.subplots(figsize=(7, 5))
    for split, marker in (("train", "o"), ("test", "s")):
        pts = [r for r in rows if r["split"] == split]
        xs = np.array([r["i_xz"] for r in pts])
        ys = np.array([r["i_zy"] for r in pts])
        lo = np.array([r["i_xz_lower"] for r in pts])
        hi = np.array([r["i_xz_upper"] if r["i_xz_upper"] is not None else r["i_xz"] for r in pts])
        for x, y, l, h, r in zip(xs, ys, lo, hi, pts):
            ax.plot([l, h], [y, y], color=cmap(norm(r["epoch"])), lw=1.5, alpha=0.7)  # the bracket
        ax.plot(xs, ys, color="0.7", lw=0.8, zorder=1)
        sc = ax.scatter(xs, ys, c=[r["epoch"] for r in pts], cmap=cmap, norm=norm, marker=marker, s=45,
                        edgecolors="k", linewidths=0.5, zorder=3, label=f"{split} (N = {pts[0]['n']})")
        ax.axvline(pts[0]["ceiling"], color="0.5", ls=":" if split == "train" else "--", lw=0.8)
    ax.axhline(rows[0]["h_y"], color="0.5", ls="-.", lw=0.8)
    ax.text(ax.get_xlim()[0], rows[0]["h_y"], " H(Y)", va="bottom", fontsize=8, color="0.4")
    fig.colorbar(sc, ax=ax, label="epoch", ticks=epochs)
    ax.set_xlabel("I(X;Z) (nats): dropout_mc plug-in value, line = [plug-in, leave-one-out] bracket")
    ax.set_ylabel(f"I(Z;Y) (nats): {rows[0]['i_zy_estimator'].split(',')[0]}")
    ax.set_title(f"FC 784-512-128-32-10, Gaussian dropout s² = {args.noise_var} (dotted/dashed: log N)", fontsize=9)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="10000 train / 2000 test images, 4 epochs")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--train", type=int, default=60000)
    p.add_argument("--test", type=int, default=10000)
    p.add_argument("--noise-var", type=float, default=0.25)
    p.add_argument("--m-train", type=int, default=1, help="noisy draws per point for I(X;Z) on train (paper: 1)")
    p.add_argument("--m-test", type=int, default=6, help="... on test (paper: 6)")
    p.add_argument("--pairs", type=int, default=4000, help="noisy draws for the KSG fallback of I(Z;Y)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=2, help="torch's and the estimators' threads")
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--out", default="out/python")
    a = p.parse_args()
    if a.quick:
        a.epochs, a.train, a.test = min(a.epochs, 4), min(a.train, 10000), min(a.test, 2000)

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    os.makedirs(a.out, exist_ok=True)
    xtr, ytr = load_split(a.data, "train", a.train)
    xte, yte = load_split(a.data, "t10k", a.test)
    model = FC(a.noise_var)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(a.epochs, 1))
    shuffle_gen = torch.Generator().manual_seed(a.seed)
    noise_gen = torch.Generator().manual_seed(a.seed + 1)
    print(f"infoplane {ip.__version__} ({ip.kernel_instruction_set()}); I(Z;Y) by "
          f"{'information_plane' if hasattr(ip, 'information_plane') else 'ksg (information_plane not built)'}")

    rows = []
    for epoch in range(a.epochs + 1):
        if epoch > 0:
            model.train()
            t0 = time.perf_counter()
            perm = torch.randperm(a.train, generator=shuffle_gen)
            for i in range(0, a.train, 256):
                idx = perm[i:i + 256]
                loss = F.cross_entropy(head(model, model.features(xtr[idx]), True, noise_gen), ytr[idx])
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
            sched.step()
            train_s = time.perf_counter() - t0
        else:
            train_s = 0.0
        eval_gen = torch.Generator().manual_seed(a.seed * 1000003 + epoch)
        for split, x, y in (("train", xtr, ytr), ("test", xte, yte)):
            f = features_of(model, x)  # noise-free 32-unit activations, network in eval mode
            with torch.no_grad():
                ce = F.cross_entropy(head(model, f, True, eval_gen), y).item()  # noise on: CE of q(y|z)
                acc = (head(model, f, False).argmax(1) == y).double().mean().item()
            row = plane_point(f, y, ce, a, epoch, split, eval_gen)
            row.update(accuracy=acc, cross_entropy=ce, train_seconds=train_s)
            rows.append(row)
            print(f"epoch {epoch} {split:5s}: acc {acc:.3f}  I(X;Z) {row['i_xz']:.3f} "
                  f"[{row['i_xz_lower']:.3f}, {row['i_xz_upper'] if row['i_xz_upper'] is None else round(row['i_xz_upper'], 3)}]"
                  f" (log N {row['ceiling']:.3f})  I(Z;Y) {row['i_zy']:.3f}  H(Y)-CE {row['ce_bound']:.3f}  "
                  f"estimators {row['seconds']:.1f} s, training {train_s:.1f} s", flush=True)

    with open(os.path.join(a.out, "information_plane.csv"), "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    plot(rows, os.path.join(a.out, "information_plane.png"), a)
    print(f"wrote {a.out}/information_plane.png and information_plane.csv")


if __name__ == "__main__":
    main()
