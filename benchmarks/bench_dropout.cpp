// End-to-end cost of the dropout estimators on the paper's toy problem.
#include <benchmark/benchmark.h>

#include "infoplane/validation/toy.hpp"
#include "infoplane/infoplane.hpp"

namespace {

using namespace infoplane;

void bm_dropout_mc(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0)), d = static_cast<std::size_t>(state.range(1));
  const auto f = make_toy_representation(n, d, 1);
  const dropout_mixture est({.noise_draws = 6, .seed = 1});
  const gaussian_dropout noise(noise_variance(0.1));
  for (auto _ : state) benchmark::DoNotOptimize(est.estimate(noisy_representation{f, noise}).value);
  // d-terms: one (z - mu)^2 / v term per sample, component and unit.
  state.counters["d_terms/s"] = benchmark::Counter(double(n) * 6 * double(n) * double(d), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(bm_dropout_mc)->Args({1000, 32})->Args({2000, 8})->Unit(benchmark::kMillisecond);

void bm_gauss_bound(benchmark::State& state) {
  const auto f = make_toy_representation(static_cast<std::size_t>(state.range(0)), 32, 1);
  const dropout_gaussian_bound est;
  const gaussian_dropout noise(noise_variance(0.1));
  for (auto _ : state) benchmark::DoNotOptimize(est.estimate(noisy_representation{f, noise}).value);
}
BENCHMARK(bm_gauss_bound)->Arg(10000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
