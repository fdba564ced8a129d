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
/// `automatic`: the screened kernel where it measured faster (double storage, at least 16
/// units, and noise variance <= 0.25 or at least 64 units; benchmarks/README.md has the grid,
/// on the toy problem and on clustered tanh features), the pruned kernel otherwise and
/// whenever the noise variance is unknown. `simd_screened` needs double data; float data runs
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

}  // namespace infoplane
