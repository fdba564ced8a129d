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
};

/// Which implementation evaluates the mixture.
enum class mixture_kernel {
  automatic,         ///< the fastest exact kernel: simd_pruned
  scalar_reference,  ///< plain loops; the test oracle
  simd_brute_force,  ///< fused xsimd kernel, every d-term of every component
  simd_pruned,       ///< fused xsimd kernel that skips provably negligible components
};

}  // namespace infoplane
