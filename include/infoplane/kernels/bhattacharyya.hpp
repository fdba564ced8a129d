#pragma once
// The pairwise Bhattacharyya kernel: for a block of components i, log sum_j exp(-BD(p_i, p_j))
// over diagonal Gaussians p_j = N(mean_j, diag var_j), j = i included (BD = 0). The pairwise
// lower bound on I(X;Z) averages it (estimators/dropout/pairwise.hpp). Unlike the KL bound,
// BD needs a log of (v_i + v_j) per d-term, which does not factor into the mixture kernel's
// form, so this is a per-pair loop, vectorised over units. The scalar reference
// (detail/bhattacharyya_scalar.hpp) is its test oracle. Inputs are validated by the caller.
#include <cmath>
#include <cstddef>
#include <vector>
#include <xsimd/xsimd.hpp>

#include "infoplane/detail/math.hpp"
#include "infoplane/detail/parallel.hpp"
#include "infoplane/kernels/detail/codegen.hpp"
#include "infoplane/kernels/detail/simd_arch.hpp"

INFOPLANE_KERNEL_DIAGNOSTICS_BEGIN

namespace infoplane {

/// K diagonal Gaussians, row-major k x d: means and variances (> 0). No ownership.
struct gaussian_set_view {
  const double* mean = nullptr;
  const double* var = nullptr;
  std::size_t k = 0;
  std::size_t d = 0;
};

/// Evaluates log sum_j exp(-BD(p_i, p_j)) for blocks of i against one fixed set of Gaussians.
/// The set's arrays must outlive the evaluator.
class bhattacharyya_evaluator {
 public:
  /// Per component c_j = sum_k 1/4 (log v_jk + log 2), which takes the logs of the
  /// geometric-mean term out of the pair loop.
  explicit bhattacharyya_evaluator(const gaussian_set_view& g) : g_(g), c_(g.k, 0.0) {
    for (std::size_t j = 0; j < g.k; ++j)
      for (std::size_t k = 0; k < g.d; ++k) c_[j] += 0.25 * std::log(g.var[j * g.d + k]) + 0.25 * std::log(2.0);
  }

  /// out[i - i0] for i in [i0, i1).
  void operator()(std::size_t i0, std::size_t i1, double* out) const noexcept {
    for (std::size_t i = i0; i < i1; ++i) {
      detail::running_logsumexp lse;
      for (std::size_t j = 0; j < g_.k; ++j) lse.add(j == i ? 0.0 : neg_distance(i, j));
      out[i - i0] = lse.value();
    }
  }

  /// out[i] for every component, on `threads` threads (0: all cores); each i is summed alone,
  /// so results do not depend on the count.
  void parallel(double* out, unsigned threads) const {
    detail::parallel_for(g_.k, threads, 16, [&](std::size_t b, std::size_t e) { (*this)(b, e, out + b); });
  }

 private:
  // -BD(p_i, p_j) summed over units: sum [(mu_i - mu_j)^2 / (4 (v_i + v_j)) + 1/2 log(v_i + v_j)]
  // - c_i - c_j, since 1/2 log(2 sqrt(v_i v_j)) = 1/4 (log 2 + log v_i) + 1/4 (log 2 + log v_j).
  double neg_distance(std::size_t i, std::size_t j) const noexcept {
    using b = xsimd::batch<double>;
    const std::size_t d = g_.d;
    const double* mi = g_.mean + i * d;
    const double* mj = g_.mean + j * d;
    const double* vi = g_.var + i * d;
    const double* vj = g_.var + j * d;
    b acc(0.0);
    std::size_t k = 0;
    double tail = 0.0;
    for (; k + b::size <= d; k += b::size) {
      const b diff = b::load_unaligned(mi + k) - b::load_unaligned(mj + k);
      const b sum = b::load_unaligned(vi + k) + b::load_unaligned(vj + k);
      acc += diff * diff / (b(4.0) * sum) + b(0.5) * xsimd::log(sum);
    }
    for (; k < d; ++k) {
      const double diff = mi[k] - mj[k], sum = vi[k] + vj[k];
      tail += diff * diff / (4.0 * sum) + 0.5 * std::log(sum);
    }
    return -(detail::simd::reduce_add(acc) + tail - c_[i] - c_[j]);
  }

  gaussian_set_view g_;
  std::vector<double> c_;
};

}  // namespace infoplane

INFOPLANE_KERNEL_DIAGNOSTICS_END
