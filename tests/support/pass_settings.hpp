#pragma once
// For the population pass's tests: the settings whose results it must agree over, and every
// draw's Gaussian-dropout log-density under every component, written out directly.
#include <Eigen/Core>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "infoplane/estimators/dropout/mixture.hpp"

namespace infoplane::test {

inline std::vector<dropout_mixture_options> pass_settings(std::size_t m, std::uint64_t seed) {
  std::vector<dropout_mixture_options> out;
  for (unsigned threads : {1u, 2u, 3u})
    for (auto storage : {precision::float64, precision::float32}) {
      dropout_mixture_options o;
      o.noise_draws = m;
      o.seed = seed;
      o.threads = threads;
      o.storage = storage;
      o.component_block = threads == 3 ? std::optional<std::size_t>(16) : std::nullopt;
      out.push_back(o);
    }
  return out;
}

/// lp(s, j) = log N(z_s; f_j, var diag f_j^2) for the rows z_s of z and f_j of f.
inline Eigen::MatrixXd dropout_log_densities(const Eigen::MatrixXd& f, const Eigen::MatrixXd& z, double var) {
  Eigen::MatrixXd lp(z.rows(), f.rows());
  for (Eigen::Index s = 0; s < z.rows(); ++s)
    for (Eigen::Index j = 0; j < f.rows(); ++j) {
      double l = 0;
      for (Eigen::Index k = 0; k < f.cols(); ++k) {
        const double v = var * f(j, k) * f(j, k), t = z(s, k) - f(j, k);
        l += -0.5 * std::log(2 * M_PI * v) - t * t / (2 * v);
      }
      lp(s, j) = l;
    }
  return lp;
}

}  // namespace infoplane::test
