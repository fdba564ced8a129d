#pragma once
// Raw views the mixture kernels work on: row-major, stride d, no Eigen, no ownership.
#include <cstddef>
#include <cstdint>

namespace infoplane {

/// K diagonal Gaussian components: log N_j(z) = log_norm[j] - sum_k (z_k - mean[j,k])^2 * half_prec[j,k].
template <class T>
struct mixture_view {
  const T* mean = nullptr;          // k x d
  const T* half_prec = nullptr;     // k x d, 1 / (2 variance)
  const double* log_norm = nullptr; // k
  std::size_t k = 0;
  std::size_t d = 0;
};

/// P query points; own[s] is the component that sample s was drawn from (excluded from its sum).
/// With `extra` (p x d, >= 0), each point is a diagonal Gaussian itself and the d-term becomes
/// half_prec * ((z - mean)^2 + extra): minus the cross-entropy part of KL(point || component).
template <class T>
struct sample_view {
  const T* z = nullptr;                  // p x d
  const std::uint32_t* own = nullptr;    // p
  std::size_t p = 0;
  std::size_t d = 0;
  const T* extra = nullptr;              // p x d, optional

  /// Samples [b, e) as a view of their own.
  [[nodiscard]] sample_view slice(std::size_t b, std::size_t e) const noexcept {
    return {z + b * d, own + b, e - b, d, extra ? extra + b * d : nullptr};
  }
};

/// What a pass of a SIMD kernel did, summed over (sample, component block) pairs: how many
/// pairs, how many of their d-terms it computed (pruning stops a pair early), and how many
/// pairs kept a lane live to the end. The automatic kernel choice reads them from a pilot.
struct mixture_work {
  std::uint64_t pairs = 0, units = 0, live = 0;
};

/// Which implementation evaluates the mixture.
enum class mixture_kernel {
  automatic,         ///< chosen by choose_mixture_kernel (kernel_choice.hpp), from what the caller knows
  scalar_reference,  ///< plain loops; the test oracle
  simd_brute_force,  ///< fused xsimd kernel, every d-term of every component
  simd_pruned,       ///< fused xsimd kernel that skips provably negligible components
  /// Double data only (float data runs simd_pruned): the pruned float kernel finds the lanes
  /// that can matter, with a proven margin for float rounding, and their log-weights are
  /// computed in double; groups of samples where many lanes stay live go to simd_pruned.
  /// Faster where components are well separated (the saturated regime: 1.3-1.6x at d >= 16,
  /// s^2 = 0.1), slower where they overlap (up to 2x at s^2 >= 1, d <= 32); see benchmarks.
  simd_screened,
};

}  // namespace infoplane
