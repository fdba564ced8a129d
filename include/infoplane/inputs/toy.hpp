#pragma once
// The paper's toy problem (§4): X ~ N(0, I_d), f(x) = 2x + 0.5, then Gaussian dropout.
#include <Eigen/Core>
#include <cstdint>

#include "infoplane/detail/rng.hpp"
#include "infoplane/errors.hpp"

namespace infoplane {

struct toy_problem {
  double slope = 2.0;
  double intercept = 0.5;
};

/// N x d noise-free representations f(x_i) with x_i ~ N(0, I_d), fixed by the seed.
inline Eigen::MatrixXd make_toy_representation(std::size_t n, std::size_t d, std::uint64_t seed,
                                               toy_problem problem = {}) {
  INFOPLANE_CHECK(n > 0 && d > 0, "make_toy_representation: n and d must be > 0");
  Eigen::MatrixXd f(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(d));
  for (std::size_t i = 0; i < n; ++i) {
    auto rng = detail::make_stream(seed, detail::rng_purpose::data, i);
    for (std::size_t k = 0; k < d; ++k)
      f(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(k)) = problem.slope * rng.normal() + problem.intercept;
  }
  return f;
}

}  // namespace infoplane
