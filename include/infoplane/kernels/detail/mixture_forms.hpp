#pragma once
// Form policies of the mixture kernel: how a d-term h (z - mu)^2 is stored and accumulated.
// The tile driver (mixture_tiles.hpp) owns the loops; a form says what one component unit and
// one sample unit pack into, how a register tile takes one unit, and how a finished
// accumulator becomes a double log-weight.
//
// expanded (double): (z - mu)^2 h = h z^2 - 2 h mu z + h mu^2: two FMAs per d-term. The
//         accumulator starts at the component's constant -(L_j - sum_k h mu^2), so it ends at
//         -log N_j(z). Cancellation is harmless where it matters: for components near the
//         maximum every term is O(1 / s^2).
// sqrt (float): (a z - b)^2 with a = sqrt(h), b = a mu: two fused operations per d-term, all
//         terms >= 0, no cancellation in 24-bit storage; the negligibility test runs in float
//         with a safety slack, and only live blocks are widened. The log-sum-exp itself always
//         runs in double.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <type_traits>
#include <vector>
#include <xsimd/xsimd.hpp>

#include "infoplane/kernels/detail/codegen.hpp"
#include "infoplane/kernels/detail/simd_arch.hpp"

INFOPLANE_KERNEL_DIAGNOSTICS_BEGIN

namespace infoplane::detail {

/// A screen's widening of one component's bound: h is multiplied by h_scale and the
/// normaliser raised by `offset`. Without a screen both are neutral (1 and 0), exactly.
struct bound_margin {
  double h_scale = 1.0;
  double offset = 0.0;
};

/// One component, centred, in double: d units of mean and half-precision, and its normaliser.
struct centred_component {
  const double* mean;
  const double* half_prec;
  double log_norm;
  std::size_t d;
};

template <class Arch>
struct expanded_form {
  using value_type = double;
  using arch = Arch;
  using batch = xsimd::batch<double, Arch>;
  static constexpr std::size_t lanes = batch::size;
  static constexpr std::size_t zstride = 2;  // packed sample values per unit: z, z^2 (+ extra)
  static constexpr std::size_t cols = 3;     // component blocks per register tile
  static constexpr bool takes_extra = true;  // the z^2 slot carries a per-sample variance
  static constexpr double init_padding = std::numeric_limits<double>::infinity();  // never live
  static constexpr double off_padding = 0.0;

  /// Packs one component into lane 0 of `panel` (unit k at k * 2 * lanes: h, then -2 h mu),
  /// its accumulator start and, per chunk of `chunk` units, the offset that turns the partial
  /// accumulator into a bound: the constants of the units not yet summed, added back.
  /// `c` is scratch of chunks + 1 doubles.
  static void pack(const centred_component& cc, bound_margin mg, std::size_t chunk, std::size_t chunks,
                   double* panel, double& init, double* off, std::vector<double>& c) {
    std::fill(c.begin(), c.end(), 0.0);  // c[ch + 1]: sum of h mu^2 over the units up to chunk ch
    for (std::size_t k = 0; k < cc.d; ++k) {
      const double mu = cc.mean[k], h = cc.half_prec[k] * mg.h_scale;
      double* at = panel + k * 2 * lanes;
      at[0] = h;
      at[lanes] = -2.0 * h * mu;
      c[k / chunk + 1] += h * mu * mu;
    }
    for (std::size_t ch = 0; ch < chunks; ++ch) c[ch + 1] += c[ch];
    for (std::size_t ch = 0; ch < chunks; ++ch) off[ch * lanes] = c[chunks] - c[ch + 1];
    init = c[chunks] - (cc.log_norm + mg.offset);
  }

  /// Sample unit `at`: z and z^2 (+ its extra variance).
  template <class S>
  static void pack_sample(double* at, double z, const S* extra) noexcept {
    at[0] = z;
    at[1] = extra ? z * z + static_cast<double>(*extra) : z * z;
  }

  /// One unit for an R x C register tile: h z^2 for the whole tile, then -2 h mu z, so that
  /// only C parameter registers are live at a time.
  template <std::size_t R, std::size_t C>
  static INFOPLANE_ALWAYS_INLINE void unit(const double* pk, std::size_t bstride, const double* zk,
                                           batch (&q)[C][R]) noexcept {
    batch x[C];
    INFOPLANE_UNROLL
    for (std::size_t c = 0; c < C; ++c) x[c] = batch::load_aligned(pk + c * bstride);
    INFOPLANE_UNROLL
    for (std::size_t r = 0; r < R; ++r) {
      const batch zz(zk[2 * r + 1]);
      INFOPLANE_UNROLL
      for (std::size_t c = 0; c < C; ++c) q[c][r] = xsimd::fma(x[c], zz, q[c][r]);
    }
    INFOPLANE_UNROLL
    for (std::size_t c = 0; c < C; ++c) x[c] = batch::load_aligned(pk + c * bstride + lanes);
    INFOPLANE_UNROLL
    for (std::size_t r = 0; r < R; ++r) {
      const batch z(zk[2 * r]);
      INFOPLANE_UNROLL
      for (std::size_t c = 0; c < C; ++c) q[c][r] = xsimd::fma(x[c], z, q[c][r]);
    }
  }

  /// A lane is live when (accumulator - off) <= limit(m): within the cutoff of the maximum m.
  static batch limit(double cutoff, double m) noexcept { return batch(cutoff - m); }

  /// The offset of the complete sum: zero, the accumulator already carries the constant.
  static batch final_off(const double*) noexcept { return batch(0.0); }

  /// The finished accumulator is -log N_j(z).
  template <class DB, std::size_t H>
  static INFOPLANE_ALWAYS_INLINE void log_weights(const batch& q, const double*, DB (&w)[H]) noexcept {
    static_assert(H == 1);
    w[0] = -q;
  }
};

/// The float form: (z - mu)^2 h = (a z - b)^2 with a = sqrt(h), b = a mu, two fused
/// operations per d-term (z - mu, squared, times h took three). Rounding a and b costs about
/// u (|a z| + |b|) in a z - b, the same order as rounding z and mu to float does in z - mu;
/// the float screen's margin covers it (docs/design.md).
template <class Arch>
struct sqrt_form {
  using value_type = float;
  using arch = Arch;
  using batch = xsimd::batch<float, Arch>;
  using dbatch = xsimd::batch<double, Arch>;
  static constexpr std::size_t lanes = batch::size;
  static constexpr std::size_t dlanes = dbatch::size;
  static constexpr std::size_t zstride = 1;   // packed sample values per unit: z
  static constexpr std::size_t cols = 3;     // component blocks per register tile
  static constexpr bool takes_extra = false;  // callers send work with `extra` elsewhere
  static constexpr float init_padding = 0.0f;
  static constexpr float off_padding = -std::numeric_limits<float>::infinity();  // never live

  /// Packs one component into lane 0 of `panel` (unit k at k * 2 * lanes: a = sqrt(h), then
  /// b = a mu, each computed in double and rounded once); every chunk's offset is the
  /// normaliser (plus the margin), the accumulator starts at 0.
  static void pack(const centred_component& cc, bound_margin mg, std::size_t, std::size_t chunks, float* panel,
                   float&, float* off, std::vector<double>&) {
    for (std::size_t k = 0; k < cc.d; ++k) {
      const double a = std::sqrt(cc.half_prec[k] * mg.h_scale);
      float* at = panel + k * 2 * lanes;
      at[0] = static_cast<float>(a);
      at[lanes] = static_cast<float>(a * cc.mean[k]);
    }
    for (std::size_t ch = 0; ch < chunks; ++ch) off[ch * lanes] = static_cast<float>(cc.log_norm + mg.offset);
  }

  template <std::size_t R, std::size_t C>
  static INFOPLANE_ALWAYS_INLINE void unit(const float* pk, std::size_t bstride, const float* zk,
                                           batch (&q)[C][R]) noexcept {
    batch a[C], b[C];
    INFOPLANE_UNROLL
    for (std::size_t c = 0; c < C; ++c) {
      a[c] = batch::load_aligned(pk + c * bstride);
      b[c] = batch::load_aligned(pk + c * bstride + lanes);
    }
    INFOPLANE_UNROLL
    for (std::size_t r = 0; r < R; ++r) {
      const batch z(zk[r]);
      INFOPLANE_UNROLL
      for (std::size_t c = 0; c < C; ++c) {
        const batch t = xsimd::fms(z, a[c], b[c]);
        q[c][r] = xsimd::fma(t, t, q[c][r]);
      }
    }
  }

  template <class S>
  static void pack_sample(float* at, double z, const S*) noexcept {
    at[0] = static_cast<float>(z);
  }

  /// The limit carries a slack far above float rounding of values near 100, so "negligible"
  /// is only claimed when it also holds in double.
  static batch limit(double cutoff, double m) noexcept {
    return batch(static_cast<float>(cutoff + 1e-3 * (1.0 + std::abs(m)) - m));
  }

  static batch final_off(const float* off) noexcept { return batch::load_aligned(off); }

  /// log N_j(z) = L_j - q, widened to double half by half.
  template <std::size_t H>
  static INFOPLANE_ALWAYS_INLINE void log_weights(const batch& q, const double* lnorm, dbatch (&w)[H]) noexcept {
    alignas(Arch::alignment()) float qs[lanes];
    q.store_aligned(qs);
    INFOPLANE_UNROLL
    for (std::size_t h = 0; h < H; ++h)
      w[h] = dbatch::load_aligned(lnorm + h * dlanes) - simd::widen<Arch>(qs + h * dlanes, Arch{});
  }
};

/// The form a kernel of storage type T uses.
template <class T, class Arch>
using form_for = std::conditional_t<std::is_same_v<T, double>, expanded_form<Arch>, sqrt_form<Arch>>;

}  // namespace infoplane::detail

INFOPLANE_KERNEL_DIAGNOSTICS_END
