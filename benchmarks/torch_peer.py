"""PyTorch peer: the same DoE (Gaussian) and separable-critic InfoNCE training steps as
infoplane, written as a PyTorch user would write them (Adam, clip_grad_norm_, CPU float64).
usage: torch_peer.py DIM HIDDEN BATCH STEPS -> JSON lines with ms per step."""
import json
import math
import sys
import time

import torch

dim, hidden, batch, steps = (int(a) for a in sys.argv[1:5])
torch.manual_seed(0)
torch.set_num_threads(2)
dtype = torch.float64
n = batch * 50
x = torch.randn(n, dim, dtype=dtype)
y = 0.5 * x + math.sqrt(0.75) * torch.randn(n, dim, dtype=dtype)


def mlp(i, o):
    return torch.nn.Sequential(torch.nn.Linear(i, hidden), torch.nn.Tanh(), torch.nn.Linear(hidden, o)).to(dtype)


class DoE(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.mu = torch.nn.Parameter(torch.zeros(dim, dtype=dtype))
        self.ln_var = torch.nn.Parameter(torch.zeros(dim, dtype=dtype))
        self.cond = mlp(dim, 2 * dim)

    def forward(self, xb, yb):
        def nll(mu, ln_var):
            return (0.5 * (yb - mu) ** 2 / ln_var.exp() + 0.5 * ln_var + 0.5 * math.log(2 * math.pi)).sum(1).mean()
        out = self.cond(xb)
        return nll(self.mu, self.ln_var) + nll(out[:, :dim], out[:, dim:])


class InfoNCE(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.g, self.h = mlp(dim, 32), mlp(dim, 32)

    def forward(self, xb, yb):
        s = self.g(xb) @ self.h(yb).T
        return -(s.diag() - torch.logsumexp(s, dim=1)).mean()


for name, model in (("doe", DoE()), ("infonce", InfoNCE())):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    perm = torch.randperm(n)
    t0 = time.perf_counter()
    for step in range(steps):
        idx = perm[(step * batch) % (n - batch):][:batch]
        loss = model(x[idx], y[idx])
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
    ms = 1e3 * (time.perf_counter() - t0) / steps
    print(json.dumps({"impl": "pytorch", "model": name, "ms_per_step": round(ms, 4)}))
