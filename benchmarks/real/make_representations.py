"""Train the seed repository's Fashion-MNIST networks with Gaussian dropout and save the
noise-free activations of the dropout layer every K epochs, in the seed repository's layout.

usage: /usr/bin/python3 make_representations.py --arch fc|lenet --out DIR
           [--epochs E] [--every K] [--noise-var V] [--train N] [--test N] [--seed S]
           [--threads T] [--data DIR] [--mc-passes P]

Writes to DIR:
  no_noise_{train,test}_representations_{epoch}.npy  f(x) of the dropout layer before the noise,
      network in eval mode, float32, N x d (epoch 0 = before training; the last epoch is always saved)
  {train,test}_labels.npy   int64
  cross_entropy.csv         epoch,split,cross_entropy (nats)
  training_log.csv          per epoch: loss, accuracies, wall and CPU seconds of the training pass
Inputs are pixel / 255 in [0, 1], no mean/std normalisation. The first N images of each split
are used. Everything is fixed by --seed (and --threads, which can change float summation order).
"""
import argparse
import csv
import gzip
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_idx(path):
    """IDX: big-endian magic (0, 0, type 0x08 = uint8, ndim), ndim uint32 sizes, then data."""
    with gzip.open(path, "rb") as fh:
        raw = fh.read()
    if raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != math.prod(shape):
        raise ValueError(f"{path}: {data.size} bytes of data for shape {shape}")
    return data.reshape(shape)


def load_split(folder, prefix, n):
    images = read_idx(os.path.join(folder, f"{prefix}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(folder, f"{prefix}-labels-idx1-ubyte.gz"))
    if n > len(labels):
        raise ValueError(f"{prefix}: asked for {n} images, the file has {len(labels)}")
    x = torch.from_numpy(images[:n].astype(np.float32) / 255.0).unsqueeze(1)   # N x 1 x 28 x 28
    y = torch.from_numpy(labels[:n].astype(np.int64))
    return x, y


class GaussianDropout(nn.Module):
    """z = f * eps, eps ~ N(1, var) per unit: the variance, not the std, is the parameter
    (the seed repository's code used the std; the library and the paper's maths use variance)."""

    def __init__(self, var):
        super().__init__()
        self.std = math.sqrt(var)

    def forward(self, f, generator=None):
        eps = torch.randn(f.shape, generator=generator, dtype=f.dtype) * self.std + 1.0
        return f * eps


class FC(nn.Module):
    """784-512-128-32-10, softplus; the dropout layer is the 32-unit layer."""

    def __init__(self, var):
        super().__init__()
        self.l1, self.l2, self.l3 = nn.Linear(784, 512), nn.Linear(512, 128), nn.Linear(128, 32)
        self.drop, self.out = GaussianDropout(var), nn.Linear(32, 10)

    def features(self, x):
        h = F.softplus(self.l1(x.flatten(1)))
        h = F.softplus(self.l2(h))
        return F.softplus(self.l3(h))


class LeNet(nn.Module):
    """conv 6@5x5, pool 2, conv 16@5x5, pool 2 (no padding: 28 -> 24 -> 12 -> 8 -> 4), fc 120,
    fc 84 (the dropout layer), fc 10; softplus."""

    def __init__(self, var):
        super().__init__()
        self.c1, self.c2 = nn.Conv2d(1, 6, 5), nn.Conv2d(6, 16, 5)
        self.f1, self.f2 = nn.Linear(16 * 4 * 4, 120), nn.Linear(120, 84)
        self.drop, self.out = GaussianDropout(var), nn.Linear(84, 10)

    def features(self, x):
        h = F.max_pool2d(F.softplus(self.c1(x)), 2)
        h = F.max_pool2d(F.softplus(self.c2(h)), 2)
        h = F.softplus(self.f1(h.flatten(1)))
        return F.softplus(self.f2(h))


def head(model, f, noise, generator=None):
    return model.out(model.drop(f, generator) if noise else f)


@torch.no_grad()
def features_of(model, x, batch=2000):
    model.eval()
    return torch.cat([model.features(x[i:i + batch]) for i in range(0, len(x), batch)])


@torch.no_grad()
def evaluate(model, x, y, mc_passes, generator):
    """Noise-free features, accuracy and CE without noise, and the MC-dropout CE: the mean over
    `mc_passes` noisy passes of each pass's CE, i.e. the CE of q(y|z) with z the noisy layer, so
    H(Y) - CE is a variational lower bound on I(Z;Y) for the Z the estimators see."""
    f = features_of(model, x)
    logits = head(model, f, noise=False)
    ce_plain = F.cross_entropy(logits, y).item()
    acc = (logits.argmax(1) == y).double().mean().item()
    ce_mc = float(np.mean([F.cross_entropy(head(model, f, True, generator), y).item()
                           for _ in range(mc_passes)]))
    mc_acc = float(np.mean([(head(model, f, True, generator).argmax(1) == y).double().mean().item()
                            for _ in range(mc_passes)]))
    return f, ce_plain, acc, ce_mc, mc_acc


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--arch", choices=["fc", "lenet"], required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--every", type=int, default=1, help="save every K epochs (and epoch 0 and the last)")
    p.add_argument("--noise-var", type=float, default=0.25, help="variance of eps ~ N(1, var)")
    p.add_argument("--train", type=int, default=60000)
    p.add_argument("--test", type=int, default=10000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--mc-passes", type=int, default=5, help="noisy passes for the test cross-entropy")
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--batch", type=int, default=256)
    a = p.parse_args()
    if a.epochs < 0 or a.every < 1 or a.noise_var < 0 or a.train < 1 or a.test < 1 or a.mc_passes < 1:
        p.error("need --epochs >= 0, --every >= 1, --noise-var >= 0, --train, --test, --mc-passes >= 1")

    torch.set_num_threads(a.threads)
    torch.use_deterministic_algorithms(True)
    torch.manual_seed(a.seed)
    os.makedirs(a.out, exist_ok=True)

    xtr, ytr = load_split(a.data, "train", a.train)
    xte, yte = load_split(a.data, "t10k", a.test)
    np.save(os.path.join(a.out, "train_labels.npy"), ytr.numpy())
    np.save(os.path.join(a.out, "test_labels.npy"), yte.numpy())

    model = (FC if a.arch == "fc" else LeNet)(a.noise_var)
    opt = torch.optim.SGD(model.parameters(), lr=a.lr, momentum=0.9, weight_decay=1e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(a.epochs, 1))
    # Separate streams: saving more or fewer epochs, or more MC passes, leaves training unchanged.
    shuffle_gen = torch.Generator().manual_seed(a.seed)
    noise_gen = torch.Generator().manual_seed(a.seed + 1)

    ce_file = open(os.path.join(a.out, "cross_entropy.csv"), "w", newline="")
    log_file = open(os.path.join(a.out, "training_log.csv"), "w", newline="")
    ce_csv, log_csv = csv.writer(ce_file), csv.writer(log_file)
    ce_csv.writerow(["epoch", "split", "cross_entropy"])
    log_csv.writerow(["epoch", "loss", "train_accuracy", "test_accuracy", "test_accuracy_mc",
                      "train_ce", "test_ce_no_noise", "test_ce_mc", "seconds", "cpu_seconds"])

    def record(epoch, loss, seconds, cpu):
        eval_gen = torch.Generator().manual_seed(a.seed * 1000003 + epoch)
        ftr, ce_tr, acc_tr, _, _ = evaluate(model, xtr, ytr, 1, eval_gen)
        fte, ce_te, acc_te, ce_te_mc, acc_te_mc = evaluate(model, xte, yte, a.mc_passes, eval_gen)
        # Train CE: noise-free network in eval mode, the one that produced the saved features.
        ce_csv.writerow([epoch, "train", f"{ce_tr:.6f}"])
        ce_csv.writerow([epoch, "test", f"{ce_te_mc:.6f}"])
        log_csv.writerow([epoch, f"{loss:.6f}", f"{acc_tr:.4f}", f"{acc_te:.4f}", f"{acc_te_mc:.4f}",
                          f"{ce_tr:.6f}", f"{ce_te:.6f}", f"{ce_te_mc:.6f}", f"{seconds:.2f}", f"{cpu:.2f}"])
        ce_file.flush(), log_file.flush()
        if epoch % a.every == 0 or epoch == a.epochs:
            np.save(os.path.join(a.out, f"no_noise_train_representations_{epoch}.npy"), ftr.numpy().astype(np.float32))
            np.save(os.path.join(a.out, f"no_noise_test_representations_{epoch}.npy"), fte.numpy().astype(np.float32))
        print(f"epoch {epoch}: loss {loss:.4f}  train acc {acc_tr:.4f}  test acc {acc_te:.4f} "
              f"(MC {acc_te_mc:.4f})  test CE MC {ce_te_mc:.4f}  train {seconds:.2f} s ({cpu:.2f} CPU s)", flush=True)

    record(0, float("nan"), 0.0, 0.0)
    times, cpus = [], []
    for epoch in range(1, a.epochs + 1):
        model.train()
        t0, c0 = time.perf_counter(), time.process_time()
        perm = torch.randperm(a.train, generator=shuffle_gen)
        total, count = 0.0, 0
        for i in range(0, a.train, a.batch):
            idx = perm[i:i + a.batch]
            logits = head(model, model.features(xtr[idx]), True, noise_gen)
            loss = F.cross_entropy(logits, ytr[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
            count += len(idx)
        sched.step()
        # CPU seconds too: on a shared machine they are less disturbed by others than wall time.
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
        record(epoch, total / count, times[-1], cpus[-1])
    ce_file.close(), log_file.close()
    if times:
        print(f"{a.arch}: {np.mean(times):.2f} s per training epoch (min {min(times):.2f}; "
              f"{np.mean(cpus):.2f} CPU s; {a.threads} threads, N = {a.train}, batch {a.batch})")


if __name__ == "__main__":
    sys.exit(main())
