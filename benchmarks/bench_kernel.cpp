// Mixture log-sum-exp kernel at the paper's sizes. Reports d-terms per second, effective
// GFLOP/s (3 flops per d-term: subtract, square, scale-and-add) and the ratio of those GFLOP/s
// to a peak-FMA microbenchmark run in this binary on the same number of threads; `of_fma`:
// the FMA issue rate, 2 FMAs per d-term per lane, against the same peak.
// INFOPLANE_BENCH_FEATURES=A.npy[,B.npy...] adds each representation as a full-size workload:
// K = its rows as components (sigma^2 = 0.25, in the estimator's spatial order), P = K samples
// drawn from them (M = 1), no zero units (softplus features), `bm_kernel_real/<file index>`.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <initializer_list>
#include <span>
#include <sstream>
#include <string>
#include <map>
#include <tuple>
#include <thread>
#include <xsimd/xsimd.hpp>

#include "infoplane/detail/parallel.hpp"
#include "infoplane/estimators/dropout/detail/spatial_order.hpp"
#include "infoplane/io/npy.hpp"
#include "infoplane/kernels/mixture_logsumexp.hpp"
#include "support/kernel_problem.hpp"

namespace {

using namespace infoplane;

// Peak fp64 FMA throughput: independent FMA chains on every thread, 2 flops per lane.
double peak_fma_gflops(unsigned threads) {
  using b = xsimd::batch<double>;
  constexpr int chains = 16;
  constexpr long iters = 20'000'000;
  double best = 0;
  for (int rep = 0; rep < 3; ++rep) {
    std::vector<double> sink(threads);
    const auto t0 = std::chrono::steady_clock::now();
    detail::parallel_for(threads, threads, 1, [&](std::size_t lo, std::size_t hi) {
      for (std::size_t t = lo; t < hi; ++t) {
        b acc[chains];
        for (int c = 0; c < chains; ++c) acc[c] = b(1e-3 * (c + 1 + t));
        const b x(0.999999), y(1e-7);
        for (long i = 0; i < iters / chains; ++i)
          for (int c = 0; c < chains; ++c) acc[c] = xsimd::fma(acc[c], x, y);
        b s(0.0);
        for (int c = 0; c < chains; ++c) s += acc[c];
        sink[t] = detail::simd::reduce_add(s);
      }
    });
    const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    benchmark::DoNotOptimize(sink.data());
    best = std::max(best, double(threads) * double(iters) * b::size * 2.0 / sec / 1e9);
  }
  return best;
}

double peak() {
  static const double value = peak_fma_gflops(detail::resolve_threads(0));
  return value;
}

void bm_peak_fma(benchmark::State& state) {
  for (auto _ : state) state.counters["GFLOP/s"] = peak_fma_gflops(detail::resolve_threads(0));
}
BENCHMARK(bm_peak_fma)->Iterations(1)->Unit(benchmark::kMillisecond);

template <class T>
void run_kernel(benchmark::State& state, const test::kernel_problem<T>& pr, mixture_kernel kernel, bool seeded) {
  const std::size_t p = pr.p, k = pr.k, d = pr.d;
  const mixture_evaluator<T> ev(pr.mixture(), kernel);
  std::vector<double> out(p);
  for (auto _ : state) {
    ev.parallel(pr.samples(), out.data(), seeded ? pr.own_log_weight.data() : nullptr, 0);
    benchmark::DoNotOptimize(out.data());
  }
  const double terms = double(p) * double(k) * double(d);
  state.counters["d_terms/s"] = benchmark::Counter(terms, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["GFLOP/s"] = benchmark::Counter(3e-9 * terms, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["peak_GFLOP/s"] = peak();
  state.counters["of_peak"] = benchmark::Counter(3e-9 * terms / peak(), benchmark::Counter::kIsIterationInvariantRate);
  // Lane-FMAs per second over peak lane-FMAs per second (peak GFLOP/s / 2 flops).
  const double lanes = double(xsimd::batch<T>::size);
  state.counters["of_fma"] = benchmark::Counter(2.0 * terms / lanes / (peak() * 1e9 / 2.0 / double(xsimd::batch<double>::size)),
                                                benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(std::string(sizeof(T) == 8 ? "double " : "float ") + xsimd::default_arch::name());
}

template <class T>
void bm_kernel(benchmark::State& state) {
  const auto p = std::size_t(state.range(0)), k = std::size_t(state.range(1)), d = std::size_t(state.range(2));
  static std::map<std::tuple<std::size_t, std::size_t, std::size_t>, test::kernel_problem<T>> cache;
  auto it = cache.find({p, k, d});
  if (it == cache.end()) it = cache.emplace(std::tuple{p, k, d}, test::make_kernel_problem<T>(p, k, d)).first;
  // seeded: plug-in only, the maximum starts from the own component
  run_kernel(state, it->second, static_cast<mixture_kernel>(state.range(3)), state.range(4) != 0);
}

template <class T>
void bm_kernel_real(benchmark::State& state, const std::string& path) {
  static std::map<std::string, test::kernel_problem<T>> cache;
  auto it = cache.find(path);
  if (it == cache.end()) {
    const Eigen::MatrixXd f = io::read_npy(path);
    if ((f.array() == 0.0).any()) {  // the estimator splits such data into zero-pattern groups
      state.SkipWithError((path + ": has exact zeros; one full-size kernel call needs none").c_str());
      return;
    }
    std::vector<std::size_t> rows(std::size_t(f.rows())), dims(std::size_t(f.cols()));
    for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = i;
    for (std::size_t c = 0; c < dims.size(); ++c) dims[c] = c;
    detail::spatial_order(f, std::span<std::size_t>(rows), dims);
    std::vector<double> ordered(rows.size() * dims.size());
    for (std::size_t i = 0; i < rows.size(); ++i)
      for (std::size_t c = 0; c < dims.size(); ++c) ordered[i * dims.size() + c] = f(Eigen::Index(rows[i]), Eigen::Index(c));
    it = cache.emplace(path, test::kernel_problem_of<T>(ordered, rows.size(), rows.size(), dims.size(), 0.25)).first;
  }
  run_kernel(state, it->second, static_cast<mixture_kernel>(state.range(0)), state.range(1) != 0);
}

// The sizes for the given kernels, unseeded and (for pruning kernels) seeded.
void add_sizes(benchmark::internal::Benchmark* b, std::initializer_list<mixture_kernel> kernels) {
  for (auto [p, k, d] : {std::tuple{60000L, 10000L, 32L}, {60000L, 10000L, 84L}, {100000L, 10000L, 2L}})
    for (auto kernel : kernels) {
      b->Args({p, k, d, long(kernel), 0});
      if (kernel != mixture_kernel::simd_brute_force) b->Args({p, k, d, long(kernel), 1});
    }
  b->ArgNames({"P", "K", "d", "kernel", "seeded"})->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(1.0);
}
void sizes(benchmark::internal::Benchmark* b) {
  add_sizes(b, {mixture_kernel::simd_brute_force, mixture_kernel::simd_pruned});
}
// Double data only: the float screen with double log-weights for the blocks that can matter.
void screened_sizes(benchmark::internal::Benchmark* b) { add_sizes(b, {mixture_kernel::simd_screened}); }
BENCHMARK_TEMPLATE(bm_kernel, double)->Apply(sizes);
BENCHMARK_TEMPLATE(bm_kernel, double)->Apply(screened_sizes);
BENCHMARK_TEMPLATE(bm_kernel, float)->Apply(sizes);

// The representations named in INFOPLANE_BENCH_FEATURES, each with brute force and pruning,
// unseeded (exact leave-one-out) and seeded, in double and float.
void register_real_features() {
  const char* env = std::getenv("INFOPLANE_BENCH_FEATURES");
  if (!env) return;
  std::stringstream list(env);
  std::string path;
  for (int index = 0; std::getline(list, path, ','); ++index) {
    for (const bool dbl : {true, false}) {
      const std::string name = std::string("bm_kernel_real/") + (dbl ? "double/" : "float/") + std::to_string(index);
      auto* b = dbl ? benchmark::RegisterBenchmark(name.c_str(), bm_kernel_real<double>, path)
                    : benchmark::RegisterBenchmark(name.c_str(), bm_kernel_real<float>, path);
      for (auto kernel : {mixture_kernel::simd_brute_force, mixture_kernel::simd_pruned})
        for (long seeded : {0L, 1L})
          if (kernel != mixture_kernel::simd_brute_force || !seeded) b->Args({long(kernel), seeded});
      b->ArgNames({"kernel", "seeded"})->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(2);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  register_real_features();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
