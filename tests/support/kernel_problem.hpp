#pragma once
// Kernel workload shared by tests and benchmarks: the paper's toy problem as a mixture (K components from f(x) =
// 2x + 0.5, variance s^2 f^2) and P = K * M noisy samples drawn from it, own = i / M.
#include <cmath>
#include <vector>

#include "infoplane/detail/rng.hpp"
#include "infoplane/kernels/mixture_view.hpp"

namespace infoplane::test {

template <class T>
struct kernel_problem {
  std::size_t p, k, d;
  std::vector<T> mean, half_prec, z;
  std::vector<double> log_norm, own_log_weight;
  std::vector<std::uint32_t> own;
  mixture_view<T> mixture() const { return {mean.data(), half_prec.data(), log_norm.data(), k, d}; }
  sample_view<T> samples() const { return {z.data(), own.data(), p, d}; }
};

/// The mixture of K components with means f (row-major K x d, nonzero) and variances
/// s^2 f^2, and P = K * M samples drawn from it, own = i / M (cyclic when P is not a multiple).
template <class T>
kernel_problem<T> kernel_problem_of(const std::vector<double>& f, std::size_t p, std::size_t k, std::size_t d,
                                    double noise_var) {
  kernel_problem<T> pr{p, k, d, {}, {}, {}, {}, {}, {}};
  const double s = std::sqrt(noise_var);
  for (std::size_t j = 0; j < k; ++j) {
    double ln = 0;
    for (std::size_t c = 0; c < d; ++c) {
      const double x = f[j * d + c], v = noise_var * x * x;
      pr.mean.push_back(static_cast<T>(x));
      pr.half_prec.push_back(static_cast<T>(0.5 / v));
      ln -= 0.5 * std::log(2 * M_PI * v);
    }
    pr.log_norm.push_back(ln);
  }
  const std::size_t m = (p + k - 1) / k;
  for (std::size_t i = 0; i < p; ++i) {
    auto rng = detail::rng_stream(2, i);
    const std::size_t j = (i / m) % k;
    pr.own.push_back(static_cast<std::uint32_t>(j));
    double sq = 0;
    for (std::size_t c = 0; c < d; ++c) {
      const double e = rng.normal();
      sq += e * e;
      pr.z.push_back(static_cast<T>(f[j * d + c] * (1 + s * e)));
    }
    pr.own_log_weight.push_back(pr.log_norm[j] - 0.5 * sq);
  }
  return pr;
}

template <class T>
kernel_problem<T> make_kernel_problem(std::size_t p, std::size_t k, std::size_t d, double noise_var = 0.1) {
  std::vector<double> f(k * d);
  for (std::size_t j = 0; j < k; ++j) {
    auto rng = detail::rng_stream(1, j);
    for (std::size_t c = 0; c < d; ++c) f[j * d + c] = 2.0 * rng.normal() + 0.5;
  }
  return kernel_problem_of<T>(f, p, k, d, noise_var);
}

}  // namespace infoplane::test
