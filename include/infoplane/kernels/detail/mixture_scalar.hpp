#pragma once
// The scalar reference kernel: clear, exact, slow. It is the oracle for every faster kernel.
#include <cmath>
#include <limits>

#include "infoplane/detail/math.hpp"
#include "infoplane/kernels/mixture_view.hpp"

namespace infoplane::detail {

/// log N_j(z) = log_norm[j] - sum_k ((z_k - mean_jk)^2 + extra_k) half_prec_jk, in double
/// (`extra`: d values, or null for none).
template <class T>
double component_log_density(const mixture_view<T>& m, std::size_t j, const T* z, const T* extra) noexcept {
  const T* mu = m.mean + j * m.d;
  const T* hp = m.half_prec + j * m.d;
  double q = 0.0;
  for (std::size_t k = 0; k < m.d; ++k) {
    const double diff = static_cast<double>(z[k]) - static_cast<double>(mu[k]);
    const double e = extra ? static_cast<double>(extra[k]) : 0.0;
    q += (diff * diff + e) * static_cast<double>(hp[k]);
  }
  return m.log_norm[j] - q;
}

/// out[s] = log sum_{j != own[s]} exp(log N_j(z_s)), or -inf when no other component exists.
template <class T>
void mixture_lse_scalar(const mixture_view<T>& m, const sample_view<T>& s, double* out) noexcept {
  for (std::size_t i = 0; i < s.p; ++i) {
    running_logsumexp lse;
    for (std::size_t j = 0; j < m.k; ++j)
      if (j != s.own[i]) lse.add(component_log_density(m, j, s.z + i * s.d, s.extra ? s.extra + i * s.d : nullptr));
    out[i] = lse.value();
  }
}

}  // namespace infoplane::detail
