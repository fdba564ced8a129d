#pragma once
// The scalar reference of the Bhattacharyya kernel: the textbook formula, term by term, in
// plain loops. It is the oracle for bhattacharyya_evaluator.
#include <cmath>
#include <cstddef>

#include "infoplane/detail/math.hpp"
#include "infoplane/kernels/bhattacharyya.hpp"

namespace infoplane::detail {

/// BD(p_i, p_j) = sum_k [ (mu_i - mu_j)^2 / (8 s) + 1/2 log(s / sqrt(v_i v_j)) ], s = (v_i + v_j) / 2,
/// the log taken apart so that v_i v_j cannot overflow.
inline double bhattacharyya_distance_scalar(const gaussian_set_view& g, std::size_t i, std::size_t j) noexcept {
  double bd = 0.0;
  for (std::size_t k = 0; k < g.d; ++k) {
    const double vi = g.var[i * g.d + k], vj = g.var[j * g.d + k];
    const double s = 0.5 * (vi + vj), diff = g.mean[i * g.d + k] - g.mean[j * g.d + k];
    bd += diff * diff / (8.0 * s) + 0.5 * (std::log(s) - 0.5 * std::log(vi) - 0.5 * std::log(vj));
  }
  return bd;
}

/// out[i - i0] = log sum_j exp(-BD(p_i, p_j)) for i in [i0, i1), j = i included.
inline void bhattacharyya_lse_scalar(const gaussian_set_view& g, std::size_t i0, std::size_t i1, double* out) noexcept {
  for (std::size_t i = i0; i < i1; ++i) {
    running_logsumexp lse;
    for (std::size_t j = 0; j < g.k; ++j) lse.add(-bhattacharyya_distance_scalar(g, i, j));
    out[i - i0] = lse.value();
  }
}

}  // namespace infoplane::detail
