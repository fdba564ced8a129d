#pragma once
// X, eps ~ N(0, I_d), Y = rho X + sqrt(1 - rho^2) eps: I(X;Y) = -(d/2) log(1 - rho^2) nats.
#include <Eigen/Core>
#include <cmath>

#include "infoplane/detail/rng.hpp"

namespace infoplane::test {

struct gaussian_pair {
  Eigen::MatrixXd x, y;
  double mi;
};

inline gaussian_pair correlated_gaussians(std::size_t n, std::size_t d, double rho, std::uint64_t seed) {
  gaussian_pair g{Eigen::MatrixXd(n, d), Eigen::MatrixXd(n, d), -0.5 * double(d) * std::log(1 - rho * rho)};
  auto rng = detail::rng_stream(seed, 99);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t k = 0; k < d; ++k) {
      const double x = rng.normal(), e = rng.normal();
      g.x(Eigen::Index(i), Eigen::Index(k)) = x;
      g.y(Eigen::Index(i), Eigen::Index(k)) = rho * x + std::sqrt(1 - rho * rho) * e;
    }
  return g;
}

}  // namespace infoplane::test
