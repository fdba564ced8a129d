"""Arrays are read in place where they can be: float32/float64, C or Fortran order; one copy for
views, other dtypes and mismatched pairs; PyTorch CPU tensors through the array protocol."""
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import infoplane as ip
from conftest import toy_f


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("order", ["C", "F"])
def test_contiguous_arrays_are_not_copied(dtype, order):
    a = np.asarray(toy_f(50, 3), dtype=dtype, order=order)
    v = ip._view(a)
    assert v["address"] == a.ctypes.data and not v["copied"]
    assert v["order"] == order and v["dtype"] == np.dtype(dtype).name and v["shape"] == (50, 3)


def test_read_only_and_one_dimensional_arrays_are_not_copied():
    a = toy_f(40, 1)[:, 0].copy()
    a.setflags(write=False)
    v = ip._view(a)
    assert v["address"] == a.ctypes.data and not v["copied"] and v["shape"] == (40, 1)


def test_views_and_other_dtypes_are_copied_once():
    base = toy_f(60, 6)
    view = base[::2, 1::2]
    v = ip._view(view)
    assert v["copied"] and v["shape"] == (30, 3)
    assert ip.dropout_mc(view, noise_var=0.1).value == ip.dropout_mc(np.ascontiguousarray(view), noise_var=0.1).value
    for dt in (np.int16, np.uint8, np.float16, ">f8"):
        assert ip._view(np.ones((5, 2), dtype=dt))["copied"]


def test_every_layout_gives_the_same_value():
    f = toy_f(400, 4, seed=8)
    ref = ip.dropout_mc(f, noise_var=0.25, m=3)
    for a in (np.asfortranarray(f), f[:, :], np.hstack([f, f])[:, :4], f.tolist()):
        assert ip.dropout_mc(a, noise_var=0.25, m=3).value == ref.value
    f32 = f.astype(np.float32)
    ref32 = ip.dropout_mc(f32, noise_var=0.25, m=3).value
    assert ip.dropout_mc(np.asfortranarray(f32), noise_var=0.25, m=3).value == ref32
    assert ip.dropout_mc(f32.astype(np.float64), noise_var=0.25, m=3).value == ref32  # float32 -> float64 is exact


def test_pairs_of_mixed_types_and_orders():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((300, 2))
    y = x[:, :1] + rng.standard_normal((300, 1))
    ref = ip.ksg(x, y, seed=1).value
    for xx, yy in ((np.asfortranarray(x), y), (x.astype(np.float32).astype(np.float64), y),
                   (x, y[:, 0]), (np.asfortranarray(x), np.ascontiguousarray(y).T.copy().T)):
        assert ip.ksg(xx, yy, seed=1).value == ref
    assert ip.ksg(x.astype(np.float32), y, seed=1).value == ip.ksg(x.astype(np.float32).astype(np.float64), y,
                                                                     seed=1).value


def test_a_large_array_is_not_copied_peak_rss():
    # A fresh interpreter: its peak RSS grows by the array, and would grow again by a copy.
    code = textwrap.dedent("""
        import resource, numpy as np, infoplane as ip
        a = np.ones((2_500_000, 16), order="F")      # 320 MB
        a[-1, -1] = np.nan                            # validation reads it all, then refuses
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        try:
            ip.dropout_mc(a, noise_var=0.1)
        except ValueError as e:
            assert "non-finite" in str(e), e
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print((after - before) * 1024 / a.nbytes)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=None)
    assert out.returncode == 0, out.stderr
    assert float(out.stdout) < 0.05


def test_torch_cpu_tensors():
    torch = pytest.importorskip("torch")
    f = toy_f(300, 3, seed=4)
    ref = ip.dropout_mc(f, noise_var=0.25, m=2).value
    t = torch.from_numpy(f)
    assert ip._view(t)["address"] == t.data_ptr() and not ip._view(t)["copied"]
    assert ip.dropout_mc(t, noise_var=0.25, m=2).value == ref
    assert ip.dropout_mc(t.t().contiguous().t(), noise_var=0.25, m=2).value == ref  # Fortran order
    g = t.clone().requires_grad_(True)
    assert ip.dropout_mc(g * 1.0, noise_var=0.25, m=2).value == ref  # read through .detach()
    t32 = t.float()
    assert ip._view(t32)["address"] == t32.data_ptr()
    assert ip.dropout_mc(t32, noise_var=0.25, m=2).value == ip.dropout_mc(t32.numpy(), noise_var=0.25, m=2).value
    labels = torch.randint(0, 3, (300,))
    assert np.isfinite(ip.ksg(t, labels, discrete_y=True).value)


class FakeCudaTensor:
    is_cuda = True

    class device:
        type = "cuda"

    def __array__(self, dtype=None):
        raise AssertionError("must not be read")


def test_cuda_tensors_are_refused_with_the_fix():
    with pytest.raises(TypeError, match=r"CUDA.*\.cpu\(\)"):
        ip.dropout_mc(FakeCudaTensor(), noise_var=0.1)
    with pytest.raises(TypeError, match=r"y: a CUDA tensor"):
        ip.ksg(np.ones((5, 1)), FakeCudaTensor())
