// Built against an installed infoplane through find_package: the package must carry its
// include path, C++20 and its dependencies.
#include <infoplane/infoplane.hpp>
#include <cstdio>

int main() {
  using namespace infoplane;
  static_assert(INFOPLANE_VERSION >= 100);
  const Eigen::MatrixXd f = make_toy_representation(50, 2, 1);
  const auto r = dropout_mixture({.noise_draws = 2}).estimate(noisy_representation{f, gaussian_dropout(noise_variance(0.1))});
  if (!(r.value > 0 && r.value <= *r.ceiling)) return 1;
  std::printf("consumer ok %s %.4f\n", INFOPLANE_VERSION_STRING, r.value);
  return 0;
}
