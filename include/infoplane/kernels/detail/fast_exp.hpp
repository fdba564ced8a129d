#pragma once
// exp for the log-sum-exp's arguments, which are never positive: no division and no overflow
// handling, so it costs about half of the general xsimd::exp. Relative error < 4e-16 on
// [-708, 0] (a test checks it against std::exp). Arguments below -708, -inf included, return
// exp(-708) ~ 3e-308: next to the sum's largest term, 1, that is below double resolution.
#include <xsimd/xsimd.hpp>

#include "infoplane/kernels/detail/codegen.hpp"

INFOPLANE_KERNEL_DIAGNOSTICS_BEGIN

namespace infoplane::detail {

template <class A>
INFOPLANE_ALWAYS_INLINE xsimd::batch<double, A> exp_nonpositive(xsimd::batch<double, A> x) noexcept {
  using b = xsimd::batch<double, A>;
  x = xsimd::max(x, b(-708.0));
  // Round x log2(e) to an integer by adding 1.5 * 2^52: the sum's low mantissa bits then hold
  // n itself, so 2^n needs no float-to-int conversion (xsimd 8 converts AVX-512 doubles in
  // two halves through memory, which stalls).
  const b shifter(6755399441055744.0);
  const b kd = xsimd::fma(x, b(1.44269504088896340736), shifter);
  const b n = kd - shifter;
  b r = xsimd::fnma(n, b(6.93147180369123816490e-01), x);  // x - n ln2, in two parts (Cody-Waite)
  r = xsimd::fnma(n, b(1.90821492927058770002e-10), r);
  // Taylor series to degree 13 on |r| <= ln2 / 2: truncation error < 5e-18. (Estrin's scheme
  // shortens the dependent chain but costs a bit of accuracy and measured no faster here.)
  b p(1.0 / 6227020800.0);
  p = xsimd::fma(p, r, b(1.0 / 479001600.0));
  p = xsimd::fma(p, r, b(1.0 / 39916800.0));
  p = xsimd::fma(p, r, b(1.0 / 3628800.0));
  p = xsimd::fma(p, r, b(1.0 / 362880.0));
  p = xsimd::fma(p, r, b(1.0 / 40320.0));
  p = xsimd::fma(p, r, b(1.0 / 5040.0));
  p = xsimd::fma(p, r, b(1.0 / 720.0));
  p = xsimd::fma(p, r, b(1.0 / 120.0));
  p = xsimd::fma(p, r, b(1.0 / 24.0));
  p = xsimd::fma(p, r, b(1.0 / 6.0));
  p = xsimd::fma(p, r, b(0.5));
  p = xsimd::fma(p, r, b(1.0));
  p = xsimd::fma(p, r, b(1.0));
  // 2^n from the exponent bits; n lies in [-1022, 0] after the clamp, so the low 12 bits of
  // kd's pattern plus 1023 are exactly the biased exponent.
  using ib = xsimd::batch<xsimd::as_integer_t<double>, A>;
  const ib bits = (xsimd::bitwise_cast<ib>(kd) + ib(1023)) << 52;
  return p * xsimd::bitwise_cast<b>(bits);
}

}  // namespace infoplane::detail

INFOPLANE_KERNEL_DIAGNOSTICS_END
