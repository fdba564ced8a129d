#pragma once
// The one place that decides which mixture kernel runs: what `automatic` means, and what a
// request becomes where the storage type does not offer it. The evaluator and the estimators
// only call this.
#include <cstddef>
#include <optional>
#include <type_traits>

#include "infoplane/kernels/mixture_view.hpp"

namespace infoplane {

/// The kernel that runs for `requested` on data stored as T, with d units per component and,
/// where the caller knows it, the noise variance that made the components.
///
/// `automatic`, first step (what the caller knows before seeing the samples): the screened
/// kernel where it measured faster on the toy problem (double storage, at least 16 units, and
/// noise variance <= 0.25 or at least 64 units), the pruned kernel otherwise and whenever the
/// noise variance is unknown. The dropout estimator then runs a pilot on large groups and
/// decides again (choose_mixture_kernel_from_pilot). `simd_screened` needs double data; float data runs
/// `simd_pruned`, which is already the float kernel.
template <class T>
[[nodiscard]] constexpr mixture_kernel choose_mixture_kernel(mixture_kernel requested, std::size_t d = 0,
                                                             std::optional<double> noise_variance = {}) noexcept {
  if (requested == mixture_kernel::automatic) {
    const bool screen = noise_variance && d >= 16 && (*noise_variance <= 0.25 || d >= 64);
    requested = screen ? mixture_kernel::simd_screened : mixture_kernel::simd_pruned;
  }
  if (requested == mixture_kernel::simd_screened && !std::is_same_v<T, double>) requested = mixture_kernel::simd_pruned;
  return requested;
}

/// The share of pilot pairs with a live lane below which the screened kernel pays, for d units
/// (choose_mixture_kernel_from_pilot says where the numbers come from).
[[nodiscard]] constexpr double screen_live_threshold(std::size_t d) noexcept {
  const double x = (static_cast<double>(d < 32 ? 32 : d > 84 ? 84 : d) - 32.0) / 52.0;
  return 0.02 + 0.015 * x;
}

/// `automatic`, second step: the choice from a pilot pass of the pruned kernel over a sample of
/// the points (mixture_evaluator::measure), given the first step's choice `first` (no pilot,
/// pairs == 0: `first` stands). Measured on real trained-network features, the toy problem and
/// clustered tanh features (benchmarks/README.md, "Automatic kernel choice"):
/// - the screened kernel (double data, d >= 16) only where few of the pilot's (sample, block)
///   pairs keep a live lane: its double pass costs about 27x the live share on top of a float
///   pass of about half the double kernel at d = 32, so it pays below about 2% there
///   (2026-12-03, pilots in spatial order: toy d = 32 at 0.1-1.2% won by 20-40%; FC train at
///   1.7-1.9% won by 0-13%; FC test at 2.2-2.6% lost by 13-25%). A live pair's hand-over has a
///   cost that does not grow with d, so the break-even share rises with d: at d = 84, tanh
///   features at 2.8% won by 10% and at 6.9% lost by 28% (break-even near 3.8%), LeNet at
///   6.7-18% lost by 30-50%. The threshold runs linearly from 2% at d = 32 to 3.5% at d = 84
///   and stays there above (not measured);
/// - otherwise brute force where pruning computed more than 90% of the d-terms (real features:
///   85-100%; the two then run within a few percent of each other), the pruned kernel below.
template <class T>
[[nodiscard]] constexpr mixture_kernel choose_mixture_kernel_from_pilot(mixture_kernel first, const mixture_work& w,
                                                                        std::size_t d) noexcept {
  if (w.pairs == 0 || d == 0) return first;
  const double pairs = static_cast<double>(w.pairs);
  const double computed = static_cast<double>(w.units) / (pairs * static_cast<double>(d));
  if (std::is_same_v<T, double> && d >= 16 && static_cast<double>(w.live) < screen_live_threshold(d) * pairs)
    return mixture_kernel::simd_screened;
  return computed > 0.9 ? mixture_kernel::simd_brute_force : mixture_kernel::simd_pruned;
}

}  // namespace infoplane
