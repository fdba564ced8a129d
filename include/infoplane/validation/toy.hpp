#pragma once
// The paper's toy problem (§4): X ~ N(0, I_d), f(x) = 2x + 0.5, then Gaussian dropout.
#include <Eigen/Core>
#include <cstdint>
#include <string>

#include "infoplane/detail/memory.hpp"
#include "infoplane/detail/rng.hpp"
#include "infoplane/errors.hpp"
#include "infoplane/estimators/dropout/noisy_samples.hpp"
#include "infoplane/inputs/noise.hpp"

namespace infoplane {

struct toy_problem {
  double slope = 2.0;
  double intercept = 0.5;
};

/// N x d noise-free representations f(x_i) with x_i ~ N(0, I_d), fixed by the seed.
inline Eigen::MatrixXd make_toy_representation(std::size_t n, std::size_t d, std::uint64_t seed,
                                               toy_problem problem = {}) {
  INFOPLANE_CHECK(n > 0 && d > 0, "make_toy_representation: n and d must be > 0");
  detail::require_memory({n, d}, sizeof(double),
                         "make_toy_representation: N x d = " + std::to_string(n) + " x " + std::to_string(d));
  Eigen::MatrixXd f(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(d));
  for (std::size_t i = 0; i < n; ++i) {
    auto rng = detail::make_stream(seed, detail::rng_purpose::data, i);
    for (std::size_t k = 0; k < d; ++k)
      f(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(k)) = problem.slope * rng.normal() + problem.intercept;
  }
  return f;
}

/// Sample pairs for the sample-pair estimators, as in the paper's Fig. 4: each x_i repeated M
/// times next to M noisy draws z = f(x_i) * eps. The draws come from the same seeded streams
/// as dropout_mixture's, so both see the same noise for a given seed.
struct toy_pairs {
  Eigen::MatrixXd x, z;
};

inline toy_pairs make_toy_pairs(const Eigen::MatrixXd& f, const gaussian_dropout& noise, std::size_t m,
                                std::uint64_t seed, toy_problem problem = {}) {
  INFOPLANE_CHECK(m >= 1, "make_toy_pairs: m must be >= 1");
  // x, the draws, and draw_noisy_samples' own copy.
  detail::require_memory({std::uint64_t(f.rows()), m, std::uint64_t(f.cols()), 3}, sizeof(double),
                         "make_toy_pairs: N x M x d = " + std::to_string(f.rows()) + " x " + std::to_string(m) +
                             " x " + std::to_string(f.cols()) + " sample pairs");
  const auto mm = static_cast<Eigen::Index>(m);
  toy_pairs p{Eigen::MatrixXd(f.rows() * mm, f.cols()), draw_noisy_samples(f, noise, m, seed)};
  for (Eigen::Index i = 0; i < f.rows(); ++i)
    p.x.middleRows(i * mm, mm).rowwise() = (f.row(i).array() - problem.intercept).matrix() / problem.slope;
  return p;
}

}  // namespace infoplane
