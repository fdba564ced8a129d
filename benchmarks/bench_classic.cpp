// Every classic estimator at N up to 60000 on correlated Gaussians (d = 1 and 8), and the
// pairwise bounds on the dropout toy problem.
#include <benchmark/benchmark.h>

#include "infoplane/validation/toy.hpp"
#include "infoplane/infoplane.hpp"
#include "support/correlated_gaussians.hpp"

namespace {

using namespace infoplane;

template <class E>
void bm_pairs(benchmark::State& state, E est) {
  const auto g = test::correlated_gaussians(std::size_t(state.range(0)), std::size_t(state.range(1)), 0.6, 1);
  double v = 0;
  // Assigned outside DoNotOptimize: Google Benchmark 1.7's "+m,r" asm let GCC print garbage.
  for (auto _ : state) {
    v = est.estimate(paired_samples{g.x, g.y}).value;
    benchmark::DoNotOptimize(v);
  }
  state.counters["value"] = v;
  state.counters["truth"] = g.mi;
}
BENCHMARK_CAPTURE(bm_pairs, binning, binning({.bins = 30}))
    ->ArgsProduct({{10000, 60000}, {1, 8}})->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(bm_pairs, edge, edge())->ArgsProduct({{10000, 60000}, {1, 8}})->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(bm_pairs, ksg, ksg())
    ->ArgsProduct({{10000, 60000}, {1, 8}})->Unit(benchmark::kMillisecond)->Iterations(1);
// Where trees stop paying: the same data through the k-d trees and through the vectorised
// brute force (identical values), d per side, so 2d joint dimensions.
BENCHMARK_CAPTURE(bm_pairs, ksg_tree, ksg({.tree_max_dims = 1000}))
    ->ArgsProduct({{10000}, {1, 2, 3, 4, 8, 16}})->Args({60000, 1})->Args({60000, 3})->Args({60000, 4})->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK_CAPTURE(bm_pairs, ksg_brute, ksg({.tree_max_dims = 0}))
    ->ArgsProduct({{10000}, {1, 2, 3, 4, 8, 16, 50}})->Args({60000, 1})->Args({60000, 3})->Args({60000, 4})->Unit(benchmark::kMillisecond)->Iterations(1);

template <class E>
void bm_dropout_bound(benchmark::State& state, E est) {
  const auto f = make_toy_representation(std::size_t(state.range(0)), std::size_t(state.range(1)), 1);
  const gaussian_dropout noise(noise_variance(0.1));
  double v = 0;
  for (auto _ : state) {
    v = est.estimate(noisy_representation{f, noise}).value;
    benchmark::DoNotOptimize(v);
  }
  state.counters["value"] = v;
}
BENCHMARK_CAPTURE(bm_dropout_bound, pairwise_kl, dropout_pairwise_kl())
    ->Args({10000, 32})->Args({60000, 32})->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK_CAPTURE(bm_dropout_bound, pairwise_bd, dropout_pairwise_bd())
    ->Args({10000, 32})->Args({60000, 32})->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
