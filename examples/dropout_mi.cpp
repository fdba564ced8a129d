// Minimal use of the library: I(X;Z) of a representation under Gaussian dropout, with the
// Monte Carlo bracket and the Gaussian upper bound.
#include <cstdio>

#include "infoplane/validation/toy.hpp"
#include "infoplane/infoplane.hpp"

int main() {
  using namespace infoplane;
  // Noise-free representations f(x_i), N x d; any row- or column-major Eigen matrix works.
  const Eigen::MatrixXd f = make_toy_representation(2000, 4, /*seed=*/1);
  const gaussian_dropout noise(drop_probability(0.2));  // variance p / (1 - p) = 0.25

  const auto mc = dropout_mixture({.noise_draws = 10, .seed = 7}).estimate(noisy_representation{f, noise});
  const auto ub = dropout_gaussian_bound().estimate(noisy_representation{f, noise});
  std::printf("I(X;Z) plug-in %.4f +- %.4f nats, bracket [%.4f, %.4f], ceiling log N = %.4f (%s)\n", mc.value,
              *mc.std_error, *mc.lower, *mc.upper, *mc.ceiling, to_string(mc.status).data());
  std::printf("Gaussian upper bound %.4f nats\n", ub.value);
}
