// Built against infoplane::infoplane alone (Eigen and xsimd, no Boost): the package must carry
// its include path, C++20 and its dependencies.
#include <infoplane/infoplane.hpp>
#include <cstdio>

int main() {
  using namespace infoplane;
  static_assert(INFOPLANE_VERSION >= 200);
  Eigen::MatrixXd f(50, 2);
  for (Eigen::Index i = 0; i < f.rows(); ++i) f.row(i) << 0.1 * double(i) + 0.5, 1.0 + 0.03 * double(i % 7);
  const auto r = dropout_mixture({.noise_draws = 2}).estimate(noisy_representation{f, gaussian_dropout(noise_variance(0.1))});
  if (!(r.value > 0 && r.value <= *r.ceiling)) return 1;
  std::printf("core ok %.4f\n", r.value);
  return 0;
}
