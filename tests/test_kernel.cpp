#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#ifndef INFOPLANE_SANITIZED  // set by tests/CMakeLists.txt in sanitizer builds
#define INFOPLANE_SANITIZED 0
#endif

#include "infoplane/detail/rng.hpp"
#include "infoplane/kernels/bhattacharyya.hpp"
#include "infoplane/kernels/detail/bhattacharyya_scalar.hpp"
#include "infoplane/kernels/detail/component_tile.hpp"
#include "infoplane/kernels/detail/fast_exp.hpp"
#include "infoplane/kernels/detail/simd_arch.hpp"
#include "infoplane/kernels/mixture_logsumexp.hpp"
#include "support/kernel_problem.hpp"

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

TEST_CASE("scalar mixture kernel matches a direct log-sum-exp", "[kernel][threads]") {
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

TEST_CASE("logaddexp matches log(e^a + e^b) and survives extremes", "[kernel][threads]") {
  CHECK(logaddexp(std::log(2.0), std::log(3.0)) == Approx(std::log(5.0)).epsilon(1e-15));
  CHECK(logaddexp(-1.0, -1.0) == Approx(-1.0 + std::log(2.0)).epsilon(1e-15));
  CHECK(logaddexp(1000.0, 1000.0) == Approx(1000.0 + std::log(2.0)).epsilon(1e-15));  // e^1000 overflows
  CHECK(logaddexp(-2000.0, 0.0) == 0.0);
  const double ninf = -std::numeric_limits<double>::infinity();
  CHECK(logaddexp(ninf, 3.5) == 3.5);
  CHECK(logaddexp(3.5, ninf) == 3.5);
  CHECK(logaddexp(ninf, ninf) == ninf);
}

// Per sample, how far a float kernel may be from the exact log-sum-exp over j != own[i] of
// L_j - q_j, q_j = sum_k t_k^2, t_k = a_k (z_k - mu_jk), a_k = sqrt(h_jk), from float rounding
// (u = 2^-24). In a z - b, rounding a, b = a mu and the centred z (at most B_k = max_j
// |mu_jk| a_jk from its centre) and the fused result moves t by at most u (3 B_k + 3 |t|), so
// t^2 by 2 |t| u (3 B_k + 3 |t|) + u t^2; a float sum of d terms adds d u q. A log-sum-exp is
// off by at most the largest error among the weights that count (within 30 nats of the top).
template <class T>
std::vector<double> float_rounding_bound(const std::vector<T>& mean, const std::vector<T>& half_prec,
                                         const std::vector<double>& log_norm, const std::vector<T>& z,
                                         const std::vector<std::uint32_t>& own, std::size_t k, std::size_t d) {
  const double u = std::ldexp(1.0, -24);
  std::vector<double> big_b(d, 0.0);
  for (std::size_t j = 0; j < k; ++j)
    for (std::size_t c = 0; c < d; ++c)
      big_b[c] = std::max(big_b[c], std::abs(double(mean[j * d + c])) * std::sqrt(double(half_prec[j * d + c])));
  const std::size_t p = z.size() / std::max<std::size_t>(d, 1);
  constexpr double ninf = -std::numeric_limits<double>::infinity();
  std::vector<double> bound(p, 0.0), w(k), err(k);
  for (std::size_t i = 0; i < p; ++i) {
    for (std::size_t j = 0; j < k; ++j) {
      if (j == own[i]) {  // left out by the kernel
        w[j] = ninf;
        continue;
      }
      double q = 0, e = 0;
      for (std::size_t c = 0; c < d; ++c) {
        const double t = std::sqrt(double(half_prec[j * d + c])) * (double(z[i * d + c]) - double(mean[j * d + c]));
        q += t * t;
        e += 2 * std::abs(t) * u * (3 * big_b[c] + 3 * std::abs(t)) + u * t * t;
      }
      w[j] = log_norm[j] - q;
      err[j] = e + double(d) * u * q;
    }
    const double top = *std::max_element(w.begin(), w.end());
    for (std::size_t j = 0; j < k; ++j)
      if (w[j] > top - 30) bound[i] = std::max(bound[i], err[j]);
  }
  return bound;
}

// Not [threads]: one thread only (320 size combinations), so TSan has nothing to check in it;
// it was 60% of the TSan job's time (170 of 284 s).
TEMPLATE_TEST_CASE("SIMD kernels agree with the scalar reference on awkward sizes", "[kernel][simd]", double, float) {
  // 1003 and 1010 components leave a partial register tile of blocks at every SIMD width.
  const std::size_t k = GENERATE(1u, 7u, 17u, 1003u, 1010u);
  // Under the sanitizers 300 samples (one full sample tile and a partial one) instead of 1001:
  // the same code paths at a third of the cost, which was most of the ASan job.
  const std::size_t p = GENERATE(1u, 7u, 17u, INFOPLANE_SANITIZED ? 300u : 1001u);
  const std::size_t d = GENERATE(1u, 3u, 9u, 33u);
  const double s = GENERATE(0.3, 0.05);
  const auto pr = test::make_kernel_problem<TestType>(p, k, d, s * s);
  std::vector<double> ref(p), brute(p), pruned(p), seeded(p), screened(p), screened_seeded(p);
  mixture_evaluator<TestType>(pr.mixture(), mixture_kernel::scalar_reference)(pr.samples(), ref.data());
  mixture_evaluator<TestType>(pr.mixture(), mixture_kernel::simd_brute_force)(pr.samples(), brute.data());
  const mixture_evaluator<TestType> prune(pr.mixture(), mixture_kernel::simd_pruned);
  prune(pr.samples(), pruned.data());
  prune(pr.samples(), seeded.data(), pr.own_log_weight.data());
  const mixture_evaluator<TestType> screen(pr.mixture(), mixture_kernel::simd_screened);  // float data: pruned
  screen(pr.samples(), screened.data());
  screen(pr.samples(), screened_seeded.data(), pr.own_log_weight.data());
  // double: same maths to rounding. float: the scalar oracle reads the same float inputs but
  // works in double; the SIMD kernel forms t = a z - b (a = sqrt(h), b = a mu, rounded to
  // float) and sums t^2 in float, so it may differ by the float rounding bound below.
  const double rel = std::is_same_v<TestType, double> ? 1e-12 : 1e-9;
  const auto float_slack = float_rounding_bound(pr.mean, pr.half_prec, pr.log_norm, pr.z, pr.own, k, d);
  for (std::size_t i = 0; i < p; ++i) {
    INFO("k=" << k << " p=" << p << " d=" << d << " s=" << s << " sample " << i);
    const double slack = std::is_same_v<TestType, double> ? 0.0 : float_slack[i];
    if (std::isinf(ref[i])) {
      CHECK(std::isinf(brute[i]));
      CHECK(std::isinf(pruned[i]));
      CHECK(std::isinf(screened[i]));
      continue;
    }
    CHECK(brute[i] == Approx(ref[i]).epsilon(rel).margin(rel + slack));
    CHECK(pruned[i] == Approx(ref[i]).epsilon(rel).margin(rel + slack));
    CHECK(screened[i] == Approx(ref[i]).epsilon(rel).margin(rel + slack));
    // Seeded with the own weight, only the plug-in's log-sum-exp (own included) is exact.
    const double w = pr.own_log_weight[i];
    CHECK(logaddexp(seeded[i], w) == Approx(logaddexp(ref[i], w)).epsilon(rel).margin(rel + slack));
    CHECK(logaddexp(screened_seeded[i], w) == Approx(logaddexp(ref[i], w)).epsilon(rel).margin(rel + slack));
  }
}

TEMPLATE_TEST_CASE("a per-sample variance (extra) adds half_prec * extra to every d-term", "[kernel][simd][threads]", double, float) {
  const std::size_t k = GENERATE(7u, 1010u);
  const std::size_t d = GENERATE(3u, 33u);
  const std::size_t p = 301;
  const auto pr = test::make_kernel_problem<TestType>(p, k, d, 0.09);
  auto rng = detail::rng_stream(9, 9);
  std::vector<TestType> extra(p * d);
  for (auto& e : extra) e = static_cast<TestType>(rng.uniform() * 0.5);
  sample_view<TestType> sv = pr.samples();
  sv.extra = extra.data();
  // Oracle written out here: log-weights L_j - sum h ((z - mu)^2 + e), then a plain log-sum-exp.
  std::vector<double> truth(p);
  for (std::size_t i = 0; i < p; ++i) {
    std::vector<double> w;
    for (std::size_t j = 0; j < k; ++j) {
      if (j == pr.own[i]) continue;
      double q = 0;
      for (std::size_t c = 0; c < d; ++c) {
        const double diff = double(pr.z[i * d + c]) - double(pr.mean[j * d + c]);
        q += double(pr.half_prec[j * d + c]) * (diff * diff + double(extra[i * d + c]));
      }
      w.push_back(pr.log_norm[j] - q);
    }
    const double mx = *std::max_element(w.begin(), w.end());
    double sum = 0;
    for (double x : w) sum += std::exp(x - mx);
    truth[i] = mx + std::log(sum);
  }
  for (auto kernel : {mixture_kernel::scalar_reference, mixture_kernel::simd_brute_force, mixture_kernel::simd_pruned}) {
    std::vector<double> out(p), par(p);
    const mixture_evaluator<TestType> ev(pr.mixture(), kernel);
    ev(sv, out.data());
    ev.parallel(sv, par.data(), nullptr, 3);
    for (std::size_t i = 0; i < p; ++i) {
      INFO("kernel " << int(kernel) << " k=" << k << " d=" << d << " sample " << i);
      CHECK(out[i] == Approx(truth[i]).epsilon(1e-12));
      CHECK(par[i] == out[i]);
    }
  }
}

TEST_CASE("parallel evaluation is bit-identical for any thread count", "[kernel][simd][reproducible][threads]") {
  const auto pr = test::make_kernel_problem<double>(3000, 500, 20, 0.09);
  for (auto kernel : {mixture_kernel::simd_pruned, mixture_kernel::simd_screened}) {
    const mixture_evaluator<double> ev(pr.mixture(), kernel);
    std::vector<double> one(pr.p), many(pr.p);
    ev.parallel(pr.samples(), one.data(), nullptr, 1);
    for (unsigned t : {2u, 5u}) {
      ev.parallel(pr.samples(), many.data(), nullptr, t);
      CHECK(many == one);
    }
  }
}

TEMPLATE_TEST_CASE("means far from zero cost no accuracy: the kernels centre each unit", "[kernel][simd][threads]", double,
                   float) {
  // Shifted by 10^6 (double) or 10^3 (float), h z^2 - 2 h mu z would cancel about 12 (6)
  // digits of the shift's square away; against the scalar oracle on the same data.
  const double shift = std::is_same_v<TestType, double> ? 1e6 : 1e3;
  const std::size_t k = 300, p = 200, d = GENERATE(3u, 40u);
  const auto pr = make_problem(k, p, d, 23);
  std::vector<TestType> mean(pr.mean.size()), hp(pr.half_prec.begin(), pr.half_prec.end()), z(pr.z.size());
  for (std::size_t t = 0; t < mean.size(); ++t) mean[t] = static_cast<TestType>(pr.mean[t] + shift);
  for (std::size_t t = 0; t < z.size(); ++t) z[t] = static_cast<TestType>(pr.z[t] + shift);
  const mixture_view<TestType> m{mean.data(), hp.data(), pr.log_norm.data(), k, d};
  const sample_view<TestType> sv{z.data(), pr.own.data(), p, d};
  std::vector<double> ref(p), brute(p), pruned(p);
  mixture_evaluator<TestType>(m, mixture_kernel::scalar_reference)(sv, ref.data());
  mixture_evaluator<TestType>(m, mixture_kernel::simd_brute_force)(sv, brute.data());
  mixture_evaluator<TestType>(m, mixture_kernel::simd_pruned)(sv, pruned.data());
  const double rel = std::is_same_v<TestType, double> ? 1e-10 : 1e-4;
  for (std::size_t i = 0; i < p; ++i) {
    INFO("d=" << d << " sample " << i);
    CHECK(brute[i] == Approx(ref[i]).epsilon(rel).margin(rel));
    CHECK(pruned[i] == Approx(ref[i]).epsilon(rel).margin(rel));
  }
}

TEST_CASE("the screen hands overlapping groups to the double kernel, results do not depend on the split",
          "[kernel][simd][screen][reproducible][threads]") {
  // 5000 components: both decision points are reached. s^2 = 1 at d = 8 leaves most lanes live
  // (groups handed over); s^2 = 0.01 at d = 24 separates them (groups stay screened).
  const auto [var, d] = GENERATE(std::pair{1.0, std::size_t{8}}, std::pair{0.01, std::size_t{24}});
  const auto pr = test::make_kernel_problem<double>(603, 5000, d, var);
  const mixture_evaluator<double> pruned(pr.mixture(), mixture_kernel::simd_pruned);
  const mixture_evaluator<double> screened(pr.mixture(), mixture_kernel::simd_screened);
  for (const double* seed : {static_cast<const double*>(nullptr), pr.own_log_weight.data()}) {
    std::vector<double> ref(pr.p), whole(pr.p), split(pr.p), threaded(pr.p);
    pruned(pr.samples(), ref.data(), seed);
    screened(pr.samples(), whole.data(), seed);
    for (std::size_t b = 0; b < pr.p; b += 64) {  // the estimator's kind of split
      const std::size_t e = std::min(pr.p, b + 64);
      screened(pr.samples().slice(b, e), split.data() + b, seed ? seed + b : nullptr);
    }
    screened.parallel(pr.samples(), threaded.data(), seed, 3);
    CHECK(split == whole);
    CHECK(threaded == whole);
    for (std::size_t i = 0; i < pr.p; ++i) {
      INFO("var=" << var << " d=" << d << " seeded=" << (seed != nullptr) << " sample " << i);
      const double w = seed ? seed[i] : -std::numeric_limits<double>::infinity();
      CHECK(logaddexp(whole[i], w) == Approx(logaddexp(ref[i], w)).epsilon(1e-12));
    }
  }
}

TEST_CASE("the float screen keeps every block that can matter, even where float cannot resolve the data",
          "[kernel][simd][screen][threads]") {
  // Means and samples shifted by 10^6 or 10^7: float keeps 0.06 or 0.6 of each coordinate, so
  // float log-weights are off by tens to hundreds of nats, beyond the 40-nat cutoff. The
  // screen's margin must keep those blocks live. Its log-weights come from the double kernel,
  // so it must agree with the pruned double kernel (which, like any expanded h z^2 - 2 h mu z
  // form, itself loses digits to such offsets: about 1e-4 nats next to the scalar oracle here).
  const double shift = GENERATE(1e6, 1e7);
  const std::size_t d = GENERATE(3u, 40u);
  const std::size_t k = 300, p = 200;
  const auto pr = make_problem(k, p, d, 21);
  std::vector<double> mean = pr.mean, z = pr.z;
  for (auto& x : mean) x += shift;
  for (auto& x : z) x += shift;
  const mixture_view<double> m{mean.data(), pr.half_prec.data(), pr.log_norm.data(), k, d};
  const sample_view<double> sv{z.data(), pr.own.data(), p, d};
  std::vector<double> ref(p), screened(p);
  mixture_evaluator<double>(m, mixture_kernel::simd_pruned)(sv, ref.data());
  mixture_evaluator<double>(m, mixture_kernel::simd_screened)(sv, screened.data());
  for (std::size_t i = 0; i < p; ++i) {
    INFO("shift=" << shift << " d=" << d << " sample " << i);
    CHECK(screened[i] == Approx(ref[i]).epsilon(1e-12));
  }
}

TEST_CASE("the kernel's exp for non-positive arguments matches std::exp", "[kernel][simd][threads]") {
  using b = xsimd::batch<double>;
  auto rng = detail::rng_stream(4, 4);
  double worst = 0;
  for (int i = 0; i < 20000; ++i) {
    alignas(64) double x[b::size], y[b::size];
    for (auto& v : x) v = i % 2 ? -708.0 * rng.uniform() : -3.0 * rng.uniform();
    detail::exp_nonpositive(b::load_aligned(x)).store_aligned(y);
    for (std::size_t l = 0; l < b::size; ++l) worst = std::max(worst, std::abs(y[l] / std::exp(x[l]) - 1.0));
  }
  CHECK(worst < 4e-16);
  alignas(64) double edge[b::size], out[b::size];
  for (std::size_t l = 0; l < b::size; ++l) edge[l] = l % 2 ? 0.0 : -std::numeric_limits<double>::infinity();
  detail::exp_nonpositive(b::load_aligned(edge)).store_aligned(out);
  CHECK(out[1] == 1.0);
  CHECK(out[0] >= 0.0);
  CHECK(out[0] < 1e-307);
}

TEST_CASE("the influence pass's tile kernels match a direct evaluation, in double and in float", "[kernel][simd]") {
  // 50 live components of a 64-tile (the rest padding: init -inf), d = 13 (the early stop checks
  // after every 4 units). Reference: init - sum (sqrt(h) (z - m))^2 in long double.
  constexpr std::size_t tile = 64, live = 50, d = 13;
  auto rng = detail::rng_stream(9, 1);
  std::vector<double> a(d * tile, 0.0), b(d * tile, 0.0), init(tile, -std::numeric_limits<double>::infinity()), z(d);
  std::vector<float> af(d * tile, 0.0f), bf(d * tile, 0.0f), zf(d);
  std::vector<long double> ref(live);
  for (std::size_t u = 0; u < d; ++u) zf[u] = static_cast<float>(z[u] = 2.0 * rng.uniform() - 1.0);
  for (std::size_t c = 0; c < live; ++c) {
    init[c] = 10.0 * rng.uniform();
    ref[c] = init[c];
    for (std::size_t u = 0; u < d; ++u) {
      const double h = 0.5 + 4.0 * rng.uniform(), m = 2.0 * rng.uniform() - 1.0;
      af[u * tile + c] = static_cast<float>(a[u * tile + c] = std::sqrt(h));
      bf[u * tile + c] = static_cast<float>(b[u * tile + c] = std::sqrt(h) * m);
      // The float kernel's own inputs, so that only its arithmetic is measured.
      const long double t = static_cast<long double>(a[u * tile + c]) * z[u] - b[u * tile + c];
      ref[c] -= t * t;
    }
  }
  const long double top = *std::max_element(ref.begin(), ref.end());
  std::vector<double> acc(tile), accf(tile);
  REQUIRE(detail::tile_log_densities<tile>(a.data(), b.data(), z.data(), d, double(top) - 1.0, init.data(), acc.data()));
  REQUIRE(detail::tile_log_densities<tile>(af.data(), bf.data(), zf.data(), d, double(top) - 1.0, init.data(), accf.data()));
  double worst = 0, worst_f = 0;
  for (std::size_t c = 0; c < live; ++c) {
    worst = std::max(worst, double(std::abs(acc[c] - ref[c])));
    long double rf = init[c], squares = 0;  // float inputs, exact arithmetic
    for (std::size_t u = 0; u < d; ++u) {
      const long double t = static_cast<long double>(af[u * tile + c]) * zf[u] - bf[u * tile + c];
      rf -= t * t;
      squares += t * t;
    }
    worst_f = std::max(worst_f, double(std::abs(accf[c] - rf) / (1 + squares)));
  }
  CHECK(worst < 1e-12);
  CHECK(worst_f < 2.0 * d * 0x1p-24);  // float's rounding: two roundings a term, relative to the sum
  for (std::size_t c = live; c < tile; ++c) CHECK(acc[c] == -std::numeric_limits<double>::infinity());
  // Every component below the cut: both stop (false); one just above it: neither does.
  CHECK_FALSE(detail::tile_log_densities<tile>(a.data(), b.data(), z.data(), d, double(top) + 2.0, init.data(), acc.data()));
  CHECK_FALSE(detail::tile_log_densities<tile>(af.data(), bf.data(), zf.data(), d, double(top) + 2.0, init.data(), accf.data()));
  CHECK(detail::tile_log_densities<tile>(a.data(), b.data(), z.data(), d, double(top) - 0.01, init.data(), acc.data()));
  CHECK(detail::tile_log_densities<tile>(af.data(), bf.data(), zf.data(), d, double(top) - 0.01, init.data(), accf.data()));
}

TEST_CASE("the influence pass's shared exponential adds the terms of separate exponentials", "[kernel][simd]") {
  constexpr std::size_t tile = 64;
  const double negligible = -46.0;
  auto rng = detail::rng_stream(9, 2);
  std::vector<double> acc(tile), e(tile);
  for (std::size_t c = 0; c < tile; ++c) acc[c] = c % 7 == 3 ? -std::numeric_limits<double>::infinity() : -60.0 * rng.uniform();
  const double base = 0.5;
  detail::tile_exp<tile>(acc.data(), base, e.data());
  // Denominators around base, one below every term by more than 600 nats (the fallback).
  for (const double log_den : {base, base - 3.0, base + 20.0, base - 650.0}) {
    INFO("log_den " << log_den);
    std::vector<double> out(tile, 1.0), direct(tile, 1.0);
    detail::add_scaled_shares<tile>(acc.data(), e.data(), base, log_den, negligible, out.data());
    for (std::size_t c = 0; c < tile; ++c)
      if (acc[c] - log_den > negligible) direct[c] += std::exp(acc[c] - log_den);
    for (std::size_t c = 0; c < tile; ++c) {
      INFO("component " << c << " exponent " << acc[c] - log_den);
      if (acc[c] - log_den > negligible) CHECK(out[c] == Approx(direct[c]).epsilon(1e-14));
      else CHECK(out[c] == 1.0);  // a skipped term leaves the sum's bits alone
    }
  }
}

TEST_CASE("the Bhattacharyya kernel gives the hand-computed value for two components", "[kernel][bhattacharyya]") {
  // Unit 1: N(0, 1) and N(1, 3): s = 2, BD = 1 / 16 + 1/2 log(2 / sqrt(3)).
  // Unit 2: N(2, 0.5) and N(2, 0.5): BD = 0. The units add.
  const std::vector<double> mean{0.0, 2.0, 1.0, 2.0}, var{1.0, 0.5, 3.0, 0.5};
  const gaussian_set_view g{mean.data(), var.data(), 2, 2};
  const double bd = 1.0 / 16.0 + 0.5 * std::log(2.0 / std::sqrt(3.0));
  const double expected = std::log(1.0 + std::exp(-bd));  // j = i contributes exp(0)
  std::vector<double> simd(2), scalar(2);
  const bhattacharyya_evaluator ev(g);
  ev.parallel(simd.data(), 1);
  detail::bhattacharyya_lse_scalar(g, 0, 2, scalar.data());
  for (std::size_t i = 0; i < 2; ++i) {
    CHECK(simd[i] == Approx(expected).epsilon(1e-15));
    CHECK(scalar[i] == Approx(expected).epsilon(1e-15));
  }
  CHECK(detail::bhattacharyya_distance_scalar(g, 0, 1) == Approx(bd).epsilon(1e-15));
}

TEST_CASE("the Bhattacharyya kernel agrees with its scalar reference, in the same bits for any tiles' split",
          "[kernel][bhattacharyya][simd][threads]") {
  // d not a multiple of any SIMD width; k across several 512-point blocks, the last one partial.
  const std::size_t k = GENERATE(1u, 2u, 17u, 130u, 1100u);
  const std::size_t d = GENERATE(1u, 3u, 8u, 9u, 33u);
  auto rng = detail::rng_stream(k * 7 + d, 3);
  std::vector<double> mean(k * d), var(k * d);
  for (std::size_t t = 0; t < k * d; ++t) {
    mean[t] = rng.normal();
    var[t] = 0.01 + rng.uniform();
  }
  const gaussian_set_view g{mean.data(), var.data(), k, d};
  const bhattacharyya_evaluator bd(g);
  std::vector<double> ref(k), whole(k), pieces(k), threaded(k);
  detail::bhattacharyya_lse_scalar(g, 0, k, ref.data());
  bd.parallel(whole.data(), 1);
  // Tiles computed in separate calls (as processes do), then finished together.
  std::vector<double> part(bd.tiles() * 2 * bd.block());
  for (std::size_t t = 0; t < bd.tiles(); t += 2)
    bd.tile_sums(t, std::min(bd.tiles(), t + 2), part.data() + t * 2 * bd.block(), 1);
  bd.finish(part.data(), pieces.data());
  bd.parallel(threaded.data(), 3);
  CHECK(pieces == whole);
  CHECK(threaded == whole);
  for (std::size_t i = 0; i < k; ++i) {
    INFO("k=" << k << " d=" << d << " point " << i);
    CHECK(whole[i] == Approx(ref[i]).epsilon(1e-12).margin(1e-12));
    CHECK(whole[i] >= -1e-12);  // the own term alone is exp(0)
  }
}

TEST_CASE("the Bhattacharyya kernel keeps its reference's values where units span many decades or points lie far apart",
          "[kernel][bhattacharyya][simd]") {
  // Variances spanning 1e80 in every third unit split the units into several blocks (their
  // product would leave the double range); spanning 1e320 they take the per-pair path. Far-apart points
  // exercise the pruning (pairs beyond 60 nats); near ones must keep every term.
  const double span = GENERATE(1.0, 1e20, 1e80);
  const double spacing = GENERATE(0.01, 1.0, 30.0);
  const std::size_t k = 37, d = 19;
  auto rng = detail::rng_stream(static_cast<std::uint64_t>(spacing * 100) + 7, 11);
  std::vector<double> mean(k * d), var(k * d);
  for (std::size_t j = 0; j < k; ++j)
    for (std::size_t u = 0; u < d; ++u) {
      // Clusters of 4 components share a unit scale, so that near pairs also span the blocks.
      const double unit_scale = std::pow(span, 2.0 * static_cast<double>(j / 4) / static_cast<double>(k / 4) - 1.0);
      var[j * d + u] = (0.5 + rng.uniform()) * (u % 3 == 0 ? unit_scale * unit_scale : 1.0);
      mean[j * d + u] = spacing * rng.normal() * std::sqrt(var[j * d + u]);
    }
  const gaussian_set_view g{mean.data(), var.data(), k, d};
  const bhattacharyya_evaluator bd(g);
  std::vector<double> ref(k), got(k);
  detail::bhattacharyya_lse_scalar(g, 0, k, ref.data());
  bd.parallel(got.data(), 2);
  for (std::size_t i = 0; i < k; ++i) {
    INFO("span=" << span << " spacing=" << spacing << " point " << i);
    REQUIRE(std::isfinite(got[i]));
    CHECK(got[i] == Approx(ref[i]).epsilon(1e-12).margin(1e-13));
  }
  // Scaling one unit's means by a and its variances by a^2 leaves every BD unchanged.
  std::vector<double> mean2 = mean, var2 = var;
  for (std::size_t j = 0; j < k; ++j) mean2[j * d + 1] *= 1e20, var2[j * d + 1] *= 1e40;
  const gaussian_set_view g2{mean2.data(), var2.data(), k, d};
  std::vector<double> scaled(k);
  const bhattacharyya_evaluator bd2(g2);
  bd2.parallel(scaled.data(), 1);
  for (std::size_t i = 0; i < k; ++i) CHECK(scaled[i] == Approx(ref[i]).epsilon(1e-12).margin(1e-13));
}

TEST_CASE("one rule chooses the kernel, requests the storage cannot serve become the pruned kernel", "[kernel]") {
  using k = mixture_kernel;
  STATIC_REQUIRE(std::is_same_v<decltype(kernel_instruction_set()), std::string_view>);
  CHECK(choose_mixture_kernel<double>(k::automatic) == k::simd_pruned);  // noise unknown
  CHECK(choose_mixture_kernel<double>(k::automatic, 32, 0.1) == k::simd_screened);
  CHECK(choose_mixture_kernel<double>(k::automatic, 32, 1.0) == k::simd_pruned);
  CHECK(choose_mixture_kernel<double>(k::automatic, 84, 1.0) == k::simd_screened);
  CHECK(choose_mixture_kernel<double>(k::automatic, 8, 0.1) == k::simd_pruned);
  CHECK(choose_mixture_kernel<float>(k::automatic, 32, 0.1) == k::simd_pruned);
  CHECK(choose_mixture_kernel<float>(k::simd_screened) == k::simd_pruned);
  for (auto req : {k::scalar_reference, k::simd_brute_force, k::simd_pruned, k::simd_screened})
    CHECK(choose_mixture_kernel<double>(req, 32, 0.1) == req);
}

TEST_CASE("reduce_add sums every lane", "[kernel][simd]") {
  using b = xsimd::batch<double>;
  alignas(64) double x[b::size];
  for (std::size_t l = 0; l < b::size; ++l) x[l] = double(l + 1);
  CHECK(detail::simd::reduce_add(b::load_aligned(x)) == double(b::size * (b::size + 1) / 2));
}

TEST_CASE("widen converts floats to doubles at every instruction set", "[kernel][simd]") {
  using fb = xsimd::batch<float>;
  using db = xsimd::batch<double>;
  alignas(64) float f[fb::size];
  for (std::size_t l = 0; l < fb::size; ++l) f[l] = 1.5f * float(l) - 3.25f;
  for (std::size_t h = 0; h < fb::size / db::size; ++h) {
    alignas(64) double out[db::size];
    detail::simd::widen<xsimd::default_arch>(f + h * db::size, xsimd::default_arch{}).store_aligned(out);
    for (std::size_t l = 0; l < db::size; ++l) CHECK(out[l] == double(f[h * db::size + l]));
  }
}

#ifdef INFOPLANE_EXPECT_ARCH
TEST_CASE("this kernel build runs at the instruction set it was built for", "[kernel][simd][threads]") {
  CHECK(std::string(xsimd::default_arch::name()) == INFOPLANE_EXPECT_ARCH);
  CHECK(kernel_instruction_set() == INFOPLANE_EXPECT_ARCH);
}
#endif

TEST_CASE("the pilot's counts: every d-term where nothing can be pruned, few where components lie apart",
          "[kernel][simd]") {
  // Far apart (s^2 = 0.01, d = 32), seeded with the own weight (the plug-in): most (sample,
  // block) pairs stop at the first checkpoints. Unseeded, nothing is negligible before some
  // block sets the maximum.
  const auto apart = test::make_kernel_problem<double>(256, 1000, 32, 0.01);
  mixture_work far, unseeded;
  const mixture_evaluator<double> apart_ev(apart.mixture(), mixture_kernel::simd_brute_force);
  apart_ev.measure(apart.samples(), apart.own_log_weight.data(), far);
  apart_ev.measure(apart.samples(), nullptr, unseeded);
  CHECK(unseeded.pairs == far.pairs);
  CHECK(unseeded.units > far.units);
  REQUIRE(far.pairs > 0);
  CHECK(far.pairs % 256 == 0);  // every sample meets every block once
  CHECK(double(far.units) < 0.5 * double(far.pairs) * 32);
  CHECK(far.live < far.pairs / 4);
  // Every component the same and every sample at its mean: no pair can be dropped.
  auto same = test::make_kernel_problem<double>(64, 300, 20, 0.25);
  for (std::size_t j = 0; j < same.k; ++j) {
    std::copy_n(same.mean.begin(), same.d, same.mean.begin() + j * same.d);
    std::copy_n(same.half_prec.begin(), same.d, same.half_prec.begin() + j * same.d);
    same.log_norm[j] = same.log_norm[0];
  }
  for (std::size_t i = 0; i < same.p; ++i) std::copy_n(same.mean.begin(), same.d, same.z.begin() + i * same.d);
  mixture_work all;
  mixture_evaluator<double>(same.mixture(), mixture_kernel::simd_pruned).measure(same.samples(), nullptr, all);
  REQUIRE(all.pairs > 0);
  CHECK(all.units == all.pairs * same.d);
  CHECK(all.live == all.pairs);
  // The rule reads them: brute force for the second, the first choice kept for the first.
  CHECK(choose_mixture_kernel_from_pilot<double>(mixture_kernel::simd_screened, all, same.d) ==
        mixture_kernel::simd_brute_force);
  CHECK(choose_mixture_kernel_from_pilot<double>(mixture_kernel::simd_screened, far, 32) ==
        mixture_kernel::simd_screened);
  CHECK(choose_mixture_kernel_from_pilot<float>(mixture_kernel::simd_pruned, mixture_work{}, 32) ==
        mixture_kernel::simd_pruned);  // no pilot: the first choice
}

TEMPLATE_TEST_CASE("register tiles far from their samples are skipped by their boxes, the values unchanged",
                   "[kernel][simd]", double, float) {
  // 30 clusters of 40 components, a factor 1.5 apart in every unit (5 noise sd), and the samples
  // in component order, as the dropout estimator holds them: most tiles of 8 samples lie far
  // from most panels of components. 2397 samples: a partial group and single samples too.
  const std::size_t clusters = 30, per = 40, k = clusters * per, p = 2 * k - 3;
  const std::size_t d = GENERATE(5u, 32u);
  std::vector<double> f(k * d);
  for (std::size_t j = 0; j < k; ++j) {
    auto rng = detail::rng_stream(7, j);
    for (std::size_t c = 0; c < d; ++c) f[j * d + c] = std::pow(1.5, double(j / per)) * (1.0 + 0.05 * rng.normal());
  }
  const auto pr = test::kernel_problem_of<TestType>(f, p, k, d, 0.01);
  std::vector<double> ref(p), pruned(p), seeded(p);
  mixture_evaluator<TestType>(pr.mixture(), mixture_kernel::scalar_reference)(pr.samples(), ref.data());
  const mixture_evaluator<TestType> prune(pr.mixture(), mixture_kernel::simd_pruned);
  prune(pr.samples(), pruned.data());
  prune(pr.samples(), seeded.data(), pr.own_log_weight.data());
  const double rel = std::is_same_v<TestType, double> ? 1e-12 : 1e-9;
  const auto float_slack = float_rounding_bound(pr.mean, pr.half_prec, pr.log_norm, pr.z, pr.own, k, d);
  for (std::size_t i = 0; i < p; ++i) {
    INFO("d=" << d << " sample " << i);
    const double slack = std::is_same_v<TestType, double> ? 0.0 : float_slack[i];
    REQUIRE(std::isfinite(ref[i]));
    CHECK(pruned[i] == Approx(ref[i]).epsilon(rel).margin(rel + slack));
    const double w = pr.own_log_weight[i];
    CHECK(logaddexp(seeded[i], w) == Approx(logaddexp(ref[i], w)).epsilon(rel).margin(rel + slack));
  }
  // A tile that enters the kernel costs at least min(d, 8) units a pair (its first checkpoint);
  // skipped by the boxes, none.
  mixture_work work;
  prune.measure(pr.samples(), pr.own_log_weight.data(), work);
  REQUIRE(work.pairs > 0);
  CHECK(double(work.units) < 0.5 * double(work.pairs) * double(std::min<std::size_t>(d, 8)));
}

TEST_CASE("the screen's threshold rises with d: the pilots measured on real and tanh features", "[kernel]") {
  // Pilot counts as measured (benchmarks/README.md, "Automatic kernel choice"): pairs, the share
  // of d-terms computed and the share of pairs with a live lane.
  auto pilot = [](double computed, double live, std::size_t d) {
    const std::uint64_t pairs = 600000;
    return mixture_work{pairs, static_cast<std::uint64_t>(computed * double(pairs) * double(d)),
                        static_cast<std::uint64_t>(live * double(pairs))};
  };
  const auto screened = mixture_kernel::simd_screened, pruned = mixture_kernel::simd_pruned;
  // d = 32: FC train (1.7%) wins with the screen, FC test (2.2%) loses.
  CHECK(choose_mixture_kernel_from_pilot<double>(screened, pilot(0.40, 0.0173, 32), 32) == screened);
  CHECK(choose_mixture_kernel_from_pilot<double>(screened, pilot(0.31, 0.0223, 32), 32) == pruned);
  // d = 84: tanh without leave-one-out (2.8%) wins, with it (6.9%) loses, as LeNet (6.7%) does.
  CHECK(choose_mixture_kernel_from_pilot<double>(screened, pilot(0.50, 0.0284, 84), 84) == screened);
  CHECK(choose_mixture_kernel_from_pilot<double>(screened, pilot(0.57, 0.0690, 84), 84) == pruned);
  CHECK(choose_mixture_kernel_from_pilot<double>(screened, pilot(0.56, 0.0665, 78), 78) == pruned);
  // Float data never gets the screen; the threshold never falls with d.
  CHECK(choose_mixture_kernel_from_pilot<float>(pruned, pilot(0.50, 0.0284, 84), 84) == pruned);
  for (std::size_t d = 16; d < 600; ++d) CHECK(screen_live_threshold(d + 1) >= screen_live_threshold(d));
}
