// Built against infoplane::validation: the toy generators and the quadrature truth (Boost).
#include <infoplane/infoplane.hpp>
#include <infoplane/validation/toy.hpp>
#include <infoplane/validation/toy_truth.hpp>
#include <cstdio>

int main() {
  using namespace infoplane;
  const gaussian_dropout noise(noise_variance(0.1));
  const Eigen::MatrixXd f = make_toy_representation(50, 2, 1);
  const auto r = dropout_mixture({.noise_draws = 2}).estimate(noisy_representation{f, noise});
  const double truth = validation::toy_truth(noise).mi;
  if (!(r.value > 0 && r.value <= *r.ceiling && truth > 0)) return 1;
  std::printf("consumer ok %s %.4f (truth per unit %.4f)\n", INFOPLANE_VERSION_STRING, r.value, truth);
  return 0;
}
