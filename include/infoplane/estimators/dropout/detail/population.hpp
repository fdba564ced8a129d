#pragma once
// The population target (docs/design.md, "Two targets"): standard errors over the sampling of the
// data points, and the Gaussian upper bound corrected for estimating the covariance from them.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include "infoplane/estimators/dropout/detail/common.hpp"
#include "infoplane/detail/memory.hpp"
#include "infoplane/estimators/dropout/detail/zero_patterns.hpp"

namespace infoplane::detail {

/// sqrt(Var(a) / n) over the n per-point values a_i = a(i) (their means over the point's draws):
/// the first-order (delta-method) standard error of their mean when the points are a sample,
/// with the draws' noise included. NaN for n < 2 or a non-finite value.
template <class A>
double population_std_error(std::size_t n, A&& a) {
  if (n < 2) return std::numeric_limits<double>::quiet_NaN();
  double mean = 0.0;
  for (std::size_t i = 0; i < n; ++i) mean += a(i);
  mean /= static_cast<double>(n);
  if (!std::isfinite(mean)) return std::numeric_limits<double>::quiet_NaN();
  double ss = 0.0;
  for (std::size_t i = 0; i < n; ++i) ss += (a(i) - mean) * (a(i) - mean);
  return std::sqrt(ss / static_cast<double>(n - 1) / static_cast<double>(n));
}

/// A population upper bound with its standard error; +inf when these data give none.
struct population_upper {
  double value = std::numeric_limits<double>::infinity();
  double std_error = std::numeric_limits<double>::quiet_NaN();
};

/// The Gaussian upper bound for the population: I <= H(pattern) + sum_p P(p) [1/2 log det(2 pi e
/// Sigma_p) - E h(Z | X, p)], Sigma_p = Cov f(X) + E diag(var) within pattern p. Estimated with
/// the unbiased covariance of each group's n_g points, plus the second-order bias of log det,
/// (1/(4 n_g)) mean_i tr((Sigma^-1 C_i)^2) with C_i point i's influence on Sigma, and
/// Miller-Madow's (G - 1)/(2N) for the pattern entropy: each estimate is low by Jensen, and the
/// corrections leave it an upper bound in expectation to O(1/N^2). Standard error: the delta
/// method over points. No bound (inf) when a group has fewer than d_g + 2 points.
template <class C>
population_upper population_gaussian_bound(const C& comp, const std::vector<pattern_group>& groups, std::size_t n) {
  // Plain loops, not Eigen: its AVX-512 code draws GCC 12's false maybe-uninitialized warnings
  // (PR 105593) into consumers that build with -O3 -march=native -Werror (consumer_no_warnings).
  population_upper out;
  if (n < 2) return out;
  for (const auto& g : groups) {
    if (!g.dims.empty() && g.members.size() < g.dims.size() + 2) return out;
    // Sigma, its inverse and squared inverse: beside an estimator that does not need them, a
    // bound that would take more than a quarter of the memory is left out instead.
    const double dd = static_cast<double>(g.dims.size());
    if (dd * dd * 3 * sizeof(double) > 0.25 * static_cast<double>(memory_limit().bytes)) return out;
  }
  std::vector<double> psi;  // per-point influence, uncentred
  psi.reserve(n);
  double value = static_cast<double>(groups.size() - 1) / (2.0 * static_cast<double>(n));
  for (const auto& g : groups) {
    const std::size_t ng = g.members.size(), d = g.dims.size();
    const double w = static_cast<double>(ng) / static_cast<double>(n), log_w = std::log(w);
    value -= w * log_w;
    if (d == 0) {
      psi.insert(psi.end(), ng, -log_w);
      continue;
    }
    // Units divided by scale (each unit's largest |mean| or sd): log det and every trace below
    // are invariant to it, and it keeps 1e-30 and 1e30 units in range.
    std::vector<double> scale(d, 0.0);
    for (std::size_t r : g.members)
      for (std::size_t k = 0; k < d; ++k)
        scale[k] = std::max({scale[k], std::abs(comp.mean(r, g.dims[k])), std::sqrt(comp.var(r, g.dims[k]))});
    for (double& x : scale) x = x > 0 ? x : 1.0;
    const auto mean_of = [&](std::size_t i, std::size_t k) { return comp.mean(g.members[i], g.dims[k]) / scale[k]; };
    const auto var_of = [&](std::size_t i, std::size_t k) {
      return comp.var(g.members[i], g.dims[k]) / (scale[k] * scale[k]);
    };
    std::vector<double> mean(d, 0.0), mean_var(d, 0.0), c(d);
    for (std::size_t i = 0; i < ng; ++i)
      for (std::size_t k = 0; k < d; ++k) mean[k] += mean_of(i, k), mean_var[k] += var_of(i, k);
    for (std::size_t k = 0; k < d; ++k) mean[k] /= static_cast<double>(ng), mean_var[k] /= static_cast<double>(ng);
    std::vector<double> sigma(d * d, 0.0);  // lower triangle, row-major
    for (std::size_t i = 0; i < ng; ++i) {
      for (std::size_t k = 0; k < d; ++k) c[k] = mean_of(i, k) - mean[k];
      for (std::size_t j = 0; j < d; ++j)
        for (std::size_t k = 0; k <= j; ++k) sigma[j * d + k] += c[j] * c[k];
    }
    for (std::size_t j = 0; j < d; ++j) {
      for (std::size_t k = 0; k <= j; ++k) sigma[j * d + k] /= static_cast<double>(ng - 1);
      sigma[j * d + j] += mean_var[j];
    }
    // Cholesky in place (lower), then P = L^-T L^-1.
    double log_det = 0.0;
    for (std::size_t j = 0; j < d; ++j) {
      for (std::size_t k = 0; k <= j; ++k) {
        double sum = sigma[j * d + k];
        for (std::size_t l = 0; l < k; ++l) sum -= sigma[j * d + l] * sigma[k * d + l];
        if (k < j) {
          sigma[j * d + k] = sum / sigma[k * d + k];
        } else {
          if (!(sum > 0)) return out;  // not positive definite: no bound from these data
          sigma[j * d + j] = std::sqrt(sum);
          log_det += 2.0 * std::log(sigma[j * d + j]) + 2.0 * std::log(scale[j]);
        }
      }
    }
    std::vector<double> inv(d * d, 0.0);  // L^-1, lower
    for (std::size_t j = 0; j < d; ++j) {
      inv[j * d + j] = 1.0 / sigma[j * d + j];
      for (std::size_t i = j + 1; i < d; ++i) {
        double sum = 0.0;
        for (std::size_t l = j; l < i; ++l) sum -= sigma[i * d + l] * inv[l * d + j];
        inv[i * d + j] = sum / sigma[i * d + i];
      }
    }
    std::vector<double> p(d * d, 0.0), p2(d * d);
    for (std::size_t j = 0; j < d; ++j)
      for (std::size_t k = 0; k <= j; ++k) {
        double sum = 0.0;
        for (std::size_t l = j; l < d; ++l) sum += inv[l * d + j] * inv[l * d + k];
        p[j * d + k] = p[k * d + j] = sum;
      }
    for (std::size_t x = 0; x < d * d; ++x) p2[x] = p[x] * p[x];
    const double gauss = 0.5 * (static_cast<double>(d) * (log_2pi + 1.0) + log_det);
    const double dd = static_cast<double>(d);
    double bias = 0.0, h_cond_sum = 0.0;
    std::vector<double> v(d), pv(d);
    for (std::size_t i = 0; i < ng; ++i) {
      for (std::size_t k = 0; k < d; ++k) c[k] = mean_of(i, k) - mean[k], v[k] = var_of(i, k);
      double q = 0.0, t = 0.0, pdp = 0.0, dpd = 0.0;
      for (std::size_t j = 0; j < d; ++j) {
        double a = 0.0, b = 0.0;
        for (std::size_t k = 0; k < d; ++k) a += p[j * d + k] * c[k], b += p2[j * d + k] * v[k];
        pv[j] = a;
        q += a * c[j];          // v^T P v
        dpd += b * v[j];        // D^T (P o P) D = tr(P D P D)
        t += p[j * d + j] * v[j];  // tr(P D)
      }
      for (std::size_t j = 0; j < d; ++j) pdp += pv[j] * pv[j] * v[j];  // v^T P D P v
      // tr((P C)^2), C = v v^T + D - Sigma, expanded so that it costs O(d^2).
      bias += q * q + dpd + dd + 2 * pdp - 2 * q - 2 * t;
      const double h_cond = conditional_entropy_of(comp, g.members[i], g.dims);
      h_cond_sum += h_cond;
      psi.push_back(-log_w + gauss + 0.5 * (q + t - dd) - h_cond);
    }
    const double ngd = static_cast<double>(ng);
    value += w * (gauss + bias / (4.0 * ngd * ngd) - h_cond_sum / ngd);
  }
  out.value = std::max(value, 0.0);
  out.std_error = population_std_error(psi.size(), [&](std::size_t i) { return psi[i]; });
  return out;
}

}  // namespace infoplane::detail
