// A consumer translation unit: it includes the umbrella header and instantiates every kernel
// path (dropout estimator in double and float with each kernel, the pairwise bounds, the
// evaluator directly). The test `consumer_no_warnings` compiles it the way a consumer with
// pkg-config flags would, at -O3 -march=native -Wall -Wextra -Werror: GCC 12 reports AVX-512
// intrinsics' dummy operands as maybe-uninitialised (PR 105593) unless the library's kernel
// headers keep that to themselves. (Eigen's own AVX-512 GEMM and matrix-vector code, which
// the Gaussian bound instantiates, draws the same false warnings from GCC 12 in Eigen's own
// functions; that is outside infoplane's headers, so the Gaussian bound is not built here.)
#include <infoplane/infoplane.hpp>

#include <cstdint>
#include <vector>

int main() {
  using namespace infoplane;
  const Eigen::MatrixXd f = Eigen::MatrixXd::Random(300, 20).cwiseAbs();
  const noisy_representation in{f, gaussian_dropout(noise_variance{0.1})};
  double v = 0.0;
  for (auto kernel : {mixture_kernel::automatic, mixture_kernel::simd_screened, mixture_kernel::simd_pruned,
                      mixture_kernel::simd_brute_force, mixture_kernel::scalar_reference})
    for (auto storage : {precision::float64, precision::float32}) {
      dropout_mixture_options o;
      o.kernel = kernel;
      o.storage = storage;
      v += dropout_mixture(o).estimate(in).value;
    }
  v += dropout_pairwise_kl().estimate(in).value + dropout_pairwise_bd().estimate(in).value;
  // The evaluator on raw views, float and double, with a per-sample variance.
  std::vector<float> mf(20 * 4, 0.5f), hf(20 * 4, 1.0f);
  std::vector<double> md(20 * 4, 0.5), hd(20 * 4, 1.0), ln(20, 0.0), out(20);
  std::vector<std::uint32_t> own(20, 0);
  mixture_evaluator<float>({mf.data(), hf.data(), ln.data(), 20, 4})({mf.data(), own.data(), 20, 4}, out.data());
  mixture_evaluator<double>({md.data(), hd.data(), ln.data(), 20, 4})({md.data(), own.data(), 20, 4, hd.data()},
                                                                       out.data());
  return v + out[0] > 0 ? 0 : 1;
}
