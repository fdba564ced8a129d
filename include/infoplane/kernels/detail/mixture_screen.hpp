#pragma once
// Screen policies of the mixture kernel's tile driver (mixture_tiles.hpp).
//
// no_screen: the kernel's own log-weights; nothing to add.
// float_screen: a float (sqrt-form) kernel built from a double mixture. Its bounds are
//   widened by a proven margin for float rounding (docs/design.md), so a lane it calls
//   negligible is negligible in exact arithmetic; every lane it leaves live gets a double
//   log-weight from the double mixture. Groups of samples that find many lanes live are
//   handed over to the double kernel; the decision depends on the group's own data only.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>
#include <vector>
#include <xsimd/xsimd.hpp>

#include "infoplane/kernels/detail/codegen.hpp"
#include "infoplane/kernels/detail/mixture_forms.hpp"
#include "infoplane/kernels/detail/simd_arch.hpp"
#include "infoplane/kernels/mixture_view.hpp"

INFOPLANE_KERNEL_DIAGNOSTICS_BEGIN

namespace infoplane::detail {

/// Samples that a screen handed to the double kernel, as [begin, end) ranges.
using sample_ranges = std::vector<std::pair<std::size_t, std::size_t>>;

struct no_screen {
  static constexpr bool active = false;
  template <class T>
  static constexpr bool builds_from = true;  // the kernel's own storage type

  no_screen() = default;
  template <class U>
  explicit no_screen(const mixture_view<U>&) noexcept {}

  static bound_margin margin(const centred_component&) noexcept { return {}; }

  struct pass {
    static constexpr bool skips(std::size_t) noexcept { return false; }
  };
  template <class S>
  static pass begin(const sample_view<S>&, std::size_t, std::size_t) noexcept {
    return {};
  }
};

template <class Arch>
class float_screen {
 public:
  static constexpr bool active = true;
  template <class U>
  static constexpr bool builds_from = std::is_same_v<U, double>;
  using dbatch = xsimd::batch<double, Arch>;
  static constexpr std::size_t dlanes = dbatch::size;

  explicit float_screen(const mixture_view<double>& m) noexcept : exact_(m) {}

  // Float rounding u = 2^-24 (per-term analysis in docs/design.md): the float sum q_f of
  // h (z - mu)^2 exceeds the exact q by at most u ((d + 10) q + 16 C_j) (sqrt form: 4 C_j), where
  // C_j = sum_k h mu^2. With h shrunk by alpha and the offset raised by beta_j (both with a
  // factor 2 to spare), the screened bound never lies below the exact log-weight.
  static bound_margin margin(const centred_component& cc) noexcept {
    constexpr double u = 0x1p-24;
    const double alpha = 2.0 * u * (static_cast<double>(cc.d) + 10.0);
    double cj = 0.0;
    for (std::size_t k = 0; k < cc.d; ++k) cj += cc.half_prec[k] * cc.mean[k] * cc.mean[k];
    return {1.0 - alpha, 2.0 * u * (16.0 * cj + 2.0 * std::abs(cc.log_norm))};
  }

  // A live lane costs the screen about 3d scalar operations, ten times its share of the double
  // kernel. Measured break-even on the toy problem: about 3% of lanes live in blocks
  // 1 .. early - 1, or 1% once the running maximum has settled (blocks trial / 2 .. trial).
  // A group above either is handed over.
  static constexpr std::size_t early = 16, early_ratio = 16, trial = 256, trial_ratio = 128;

  /// One evaluation's bookkeeping: live lanes per register group of samples, and the groups
  /// handed over. Groups are `rows` samples up to `full`, single samples after it.
  class pass {
   public:
    pass(const double* z, std::size_t p, std::size_t full, std::size_t rows)
        : z_(z), full_(full), rows_(rows), live_late_(full / rows + (p - full), 0),
          live_early_(live_late_.size(), 0), dropped_(live_late_.size(), 0) {}

    bool skips(std::size_t i) const noexcept { return dropped_[group(i)] != 0; }

    /// After the panel of blocks [b, done): the two decision points, for samples [i0, i1).
    void after_panel(std::size_t b, std::size_t done, std::size_t i0, std::size_t i1, std::size_t lanes) noexcept {
      const bool at_early = b < early && done >= early, at_trial = b < trial && done >= trial;
      for (std::size_t i = i0; i < i1 && (at_early || at_trial); i += step(i)) {
        const std::size_t g = group(i), n = step(i) * lanes;
        if (at_early && live_early_[g] * early_ratio > n * (early - 1)) dropped_[g] = 1;
        if (at_trial && live_late_[g] * trial_ratio > n * (done - trial / 2)) dropped_[g] = 1;
      }
    }

    /// Appends the sample ranges of the groups handed over.
    void handed_over(std::size_t p, sample_ranges& redo) const {
      for (std::size_t i = 0; i < p; i += step(i))
        if (dropped_[group(i)]) redo.emplace_back(i, i + step(i));
    }

   private:
    friend class float_screen;
    std::size_t step(std::size_t i) const noexcept { return i < full_ ? rows_ : 1; }
    std::size_t group(std::size_t i) const noexcept { return i < full_ ? i / rows_ : full_ / rows_ + (i - full_); }

    const double* z_;                     // the double samples
    std::size_t full_, rows_;
    std::vector<std::size_t> live_late_;  // per group: live lanes from block trial / 2 on
    std::vector<std::size_t> live_early_; // per group: live lanes in blocks 1 .. early - 1
    std::vector<char> dropped_;           // per group: left to the double kernel
  };

  static pass begin(const sample_view<double>& s, std::size_t full, std::size_t rows) {
    return pass(s.z, s.p, full, rows);
  }

  /// Double log-weights, in the direct form, of block b's lanes marked live for sample i; the
  /// others are provably negligible and stay out (-inf).
  template <std::size_t Lanes, std::size_t H>
  void log_weights(pass& ps, std::size_t i, std::size_t b, const bool (&live)[Lanes], dbatch (&w)[H]) const noexcept {
    constexpr double ninf = -std::numeric_limits<double>::infinity();
    alignas(Arch::alignment()) double ws[Lanes];
    const std::size_t d = exact_.d;
    const double* z = ps.z_ + i * d;
    std::size_t n_live = 0;
    for (std::size_t l = 0; l < Lanes; ++l) {
      const std::size_t j = b * Lanes + l;
      ws[l] = ninf;
      if (!live[l] || j >= exact_.k) continue;
      ++n_live;
      ws[l] = exact_.log_norm[j] - direct_quadratic(z, exact_.mean + j * d, exact_.half_prec + j * d, d);
    }
    if (b >= trial / 2) ps.live_late_[ps.group(i)] += n_live;
    else if (b >= 1 && b < early) ps.live_early_[ps.group(i)] += n_live;
    for (std::size_t h = 0; h < H; ++h) w[h] = dbatch::load_aligned(ws + h * dlanes);
  }

 private:
  // sum_k h_k (z_k - mu_k)^2 in double over contiguous rows, vectorised over k.
  static double direct_quadratic(const double* z, const double* mu, const double* hp, std::size_t d) noexcept {
    dbatch acc(0.0);
    std::size_t k = 0;
    for (; k + dlanes <= d; k += dlanes) {
      const dbatch t = dbatch::load_unaligned(z + k) - dbatch::load_unaligned(mu + k);
      acc = xsimd::fma(t * t, dbatch::load_unaligned(hp + k), acc);
    }
    double q = simd::reduce_add(acc);
    for (; k < d; ++k) q += (z[k] - mu[k]) * (z[k] - mu[k]) * hp[k];
    return q;
  }

  mixture_view<double> exact_;  // the double mixture (the caller's storage)
};

}  // namespace infoplane::detail

INFOPLANE_KERNEL_DIAGNOSTICS_END
