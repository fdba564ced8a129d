#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <vector>

#include "infoplane/detail/rng.hpp"
#include "infoplane/kernels/mixture_logsumexp.hpp"

using namespace infoplane;

namespace {

struct problem {
  std::size_t k, p, d;
  std::vector<double> mean, half_prec, log_norm, z;
  std::vector<std::uint32_t> own;
};

problem make_problem(std::size_t k, std::size_t p, std::size_t d, std::uint64_t seed) {
  problem pr{k, p, d, {}, {}, {}, {}, {}};
  auto rng = detail::rng_stream(seed, 0);
  for (std::size_t i = 0; i < k * d; ++i) {
    pr.mean.push_back(rng.normal());
    pr.half_prec.push_back(0.5 / (0.05 + rng.uniform()));
  }
  for (std::size_t j = 0; j < k; ++j) pr.log_norm.push_back(-rng.uniform() * d);
  for (std::size_t s = 0; s < p; ++s) {
    pr.own.push_back(static_cast<std::uint32_t>(rng.below(k)));
    for (std::size_t c = 0; c < d; ++c) pr.z.push_back(pr.mean[pr.own.back() * d + c] + 0.3 * rng.normal());
  }
  return pr;
}

// Independent oracle: all log-weights first, then log-sum-exp with the maximum subtracted.
double naive(const problem& pr, std::size_t s) {
  std::vector<double> w;
  for (std::size_t j = 0; j < pr.k; ++j) {
    if (j == pr.own[s]) continue;
    double q = 0;
    for (std::size_t c = 0; c < pr.d; ++c) {
      const double diff = pr.z[s * pr.d + c] - pr.mean[j * pr.d + c];
      q += diff * diff * pr.half_prec[j * pr.d + c];
    }
    w.push_back(pr.log_norm[j] - q);
  }
  if (w.empty()) return -std::numeric_limits<double>::infinity();
  double mx = w[0];
  for (double x : w) mx = std::max(mx, x);
  double sum = 0;
  for (double x : w) sum += std::exp(x - mx);
  return mx + std::log(sum);
}

}  // namespace

TEST_CASE("scalar mixture kernel matches a direct log-sum-exp", "[kernel]") {
  const std::size_t k = GENERATE(1u, 2u, 7u, 17u, 130u);
  const std::size_t d = GENERATE(1u, 3u, 9u);
  const auto pr = make_problem(k, 23, d, k * 31 + d);
  std::vector<double> out(pr.p);
  mixture_logsumexp_excluding_own(mixture_view<double>{pr.mean.data(), pr.half_prec.data(), pr.log_norm.data(), k, d},
                                  sample_view<double>{pr.z.data(), pr.own.data(), pr.p, d}, out.data(),
                                  mixture_kernel::scalar_reference);
  for (std::size_t s = 0; s < pr.p; ++s) {
    const double expected = naive(pr, s);
    if (std::isinf(expected))
      CHECK(std::isinf(out[s]));
    else
      CHECK(out[s] == Approx(expected).epsilon(1e-13));
  }
}
