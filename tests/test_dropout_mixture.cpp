#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <numeric>
#include <span>
#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "infoplane/estimators/dropout/mixture.hpp"
#include "infoplane/validation/toy.hpp"
#include "support/toy_noise.hpp"
#include "infoplane/validation/toy_truth.hpp"
#include "support/two_component_truth.hpp"

using namespace infoplane;
using Catch::Matchers::WithinAbs;

namespace {
using test::var01;
using test::var04;

dropout_mixture_report run(const Eigen::MatrixXd& f, const gaussian_dropout& noise, dropout_mixture_options o = {}) {
  return dropout_mixture(o).report(noisy_representation{f, noise});
}
}  // namespace

TEST_CASE("dropout-mc satisfies the Estimator concept", "[dropout][concept][threads]") {
  STATIC_REQUIRE(Estimator<dropout_mixture, noisy_representation<Eigen::MatrixXd>>);
  STATIC_REQUIRE(!Estimator<dropout_mixture, paired_samples<Eigen::MatrixXd, Eigen::MatrixXd>>);
  STATIC_REQUIRE(dropout_mixture::kind == bound_kind::point_estimate);
}

TEST_CASE("toy problem: the plug-in / leave-one-out bracket contains the quadrature truth", "[dropout][toy][threads]") {
  const auto noise = GENERATE(var01, var04);
  const std::size_t d = GENERATE(1u, 2u);
  const double truth = static_cast<double>(d) * validation::toy_truth(noise).mi;
  const auto f = make_toy_representation(1500, d, 11);
  const auto r = run(f, noise, {.noise_draws = 10, .seed = 5});
  INFO("d=" << d << " var=" << noise.variance() << " plug-in=" << r.mi.value << " loo=" << r.mi_leave_one_out
            << " se=" << *r.mi.std_error << " truth=" << truth);
  REQUIRE(r.mi.lower);
  REQUIRE(r.mi.upper);
  CHECK(*r.mi.lower <= *r.mi.upper);
  const double slack = 3.0 * std::hypot(*r.mi.std_error, r.mi_leave_one_out_std_error);
  CHECK(*r.mi.lower - slack <= truth);
  CHECK(*r.mi.upper + slack >= truth);
  CHECK(r.mi.value <= std::log(1500.0));
  CHECK(*r.mi.ceiling == Approx(std::log(1500.0)));
  CHECK(r.mi.n_samples == 1500);
  CHECK(r.mi.n_draws == 15000);
}

TEST_CASE("toy problem: the plug-in estimate converges to the truth as N grows (d = 1)", "[dropout][toy][threads][long]") {
  const double truth = validation::toy_truth(var01).mi;
  std::vector<double> errors;
  for (std::size_t n : {30u, 300u, 6000u}) {
    const auto r = run(make_toy_representation(n, 1, 3), var01, {.noise_draws = 4, .seed = 9});
    errors.push_back(std::abs(r.mi.value - truth));
    INFO("N=" << n << " value=" << r.mi.value << " truth=" << truth);
  }
  CHECK(errors[2] < errors[0]);
  CHECK(errors[2] < 0.02);
}

TEST_CASE("analytic h(Z|X) matches the quadrature truth's h(Z|X)", "[dropout][toy][threads][long]") {
  const auto r = run(make_toy_representation(20000, 1, 4), var04, {.noise_draws = 1});
  // Sample mean of 1/2 log(2 pi e s^2 f^2) over N = 20000 points; E log|U| has a heavy left tail.
  CHECK_THAT(r.h_z_given_x, WithinAbs(validation::toy_truth(var04).h_z_given_x, 0.03));
}

TEST_CASE("N = 1 gives exactly 0", "[dropout][closed][threads]") {
  const Eigen::MatrixXd f = Eigen::MatrixXd::Constant(1, 3, 1.7);
  const auto r = run(f, var04);
  CHECK(r.mi.value == 0.0);
  CHECK(*r.mi.ceiling == 0.0);
  CHECK_FALSE(r.mi.upper);  // leave-one-out is undefined with one component
}

TEST_CASE("components far apart give log N", "[dropout][closed][threads]") {
  const std::size_t n = 50;
  Eigen::MatrixXd f(n, 2);
  for (std::size_t i = 0; i < n; ++i) f.row(static_cast<Eigen::Index>(i)) << double(i + 1), 2.0;
  const auto r = run(f, gaussian_dropout(noise_std(1e-3)));
  CHECK_THAT(r.mi.value, WithinAbs(std::log(double(n)), 1e-9));
  CHECK(r.mi.status == estimate_status::saturated);
}

TEST_CASE("identical components give 0", "[dropout][closed][threads]") {
  const Eigen::MatrixXd f = Eigen::MatrixXd::Constant(40, 3, 0.8);
  const auto r = run(f, var01);
  CHECK_THAT(r.mi.value, WithinAbs(0.0, 1e-12));
  CHECK_THAT(r.mi_leave_one_out, WithinAbs(0.0, 1e-12));
}

TEST_CASE("MI is unchanged when Z is scaled", "[dropout][invariance][threads]") {
  const auto f = make_toy_representation(300, 3, 2);
  const Eigen::MatrixXd g = 7.5 * f;
  const auto a = run(f, var04), b = run(g, var04);
  CHECK(b.mi.value == Approx(a.mi.value).epsilon(1e-9));
  CHECK(b.mi_leave_one_out == Approx(a.mi_leave_one_out).epsilon(1e-9));
  CHECK(b.h_z == Approx(a.h_z + 3 * std::log(7.5)).epsilon(1e-9));
}

TEST_CASE("MI does not depend on the order of the samples", "[dropout][invariance][threads]") {
  const auto f = make_toy_representation(400, 2, 8);
  Eigen::MatrixXd p(f.rows(), f.cols());
  for (Eigen::Index i = 0; i < f.rows(); ++i) p.row(i) = f.row(f.rows() - 1 - i);
  const auto a = run(f, var04, {.noise_draws = 20, .seed = 1});
  const auto b = run(p, var04, {.noise_draws = 20, .seed = 1});
  // Permuting rows changes which noise each point gets, so agreement is up to MC error.
  CHECK(std::abs(a.mi.value - b.mi.value) < 4.0 * std::hypot(*a.mi.std_error, *b.mi.std_error));
  // The analytic part has no noise and must not move at all.
  CHECK(a.h_z_given_x == Approx(b.h_z_given_x).epsilon(1e-12));
}

TEST_CASE("spatial order: a permutation that puts each cluster's rows together", "[dropout][order]") {
  // Four tight clusters in log space, rows interleaved (row i in cluster i % 4).
  const std::size_t n = 400, d = 8;
  auto rng = detail::rng_stream(3, 3);
  Eigen::MatrixXd centre(4, d), f(n, d);
  for (Eigen::Index c = 0; c < 4; ++c)
    for (Eigen::Index k = 0; k < Eigen::Index(d); ++k) centre(c, k) = 6.0 * rng.uniform() - 3.0;
  for (Eigen::Index i = 0; i < Eigen::Index(n); ++i)
    for (Eigen::Index k = 0; k < Eigen::Index(d); ++k) f(i, k) = std::exp(centre(i % 4, k) + 0.01 * rng.normal());
  std::vector<std::size_t> members(n);
  std::iota(members.begin(), members.end(), std::size_t{0});
  std::vector<Eigen::Index> dims(d);
  std::iota(dims.begin(), dims.end(), Eigen::Index{0});
  detail::spatial_order(f, std::span<std::size_t>(members), dims);
  std::vector<std::size_t> sorted = members;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 0; i < n; ++i) REQUIRE(sorted[i] == i);  // every row once
  for (std::size_t q = 0; q < 4; ++q)
    for (std::size_t i = q * 100; i < (q + 1) * 100; ++i) {
      INFO("run " << q << " position " << i);
      CHECK(members[i] % 4 == members[q * 100] % 4);
    }
}

TEST_CASE("spatial order: the same permutation on 1, 2 and 3 threads, clusters kept together", "[dropout][order][threads]") {
  // 16 tight clusters of 512 rows, interleaved: large enough (8192 rows) that threads share
  // the ranges below the first splits.
  const std::size_t n = 8192, d = 12, clusters = 16;
  auto rng = detail::rng_stream(5, 3);
  std::vector<double> centre(clusters * d), g(n * d);
  for (double& c : centre) c = 20.0 * rng.uniform() - 10.0;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t k = 0; k < d; ++k) g[i * d + k] = centre[(i % clusters) * d + k] + 0.01 * rng.normal();
  const auto one = detail::spatial_order(g.data(), n, d, 1);
  std::vector<std::size_t> sorted = one;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 0; i < n; ++i) REQUIRE(sorted[i] == i);
  for (unsigned t : {2u, 3u}) {
    INFO(t << " threads");
    CHECK(detail::spatial_order(g.data(), n, d, t) == one);
  }
  for (std::size_t q = 0; q < clusters; ++q)
    for (std::size_t i = q * 512; i < (q + 1) * 512; ++i) {
      INFO("run " << q << " position " << i);
      REQUIRE(one[i] % clusters == one[q * 512] % clusters);
    }
}

TEST_CASE("the spatial order's coordinates are refused up front beyond the memory limit", "[dropout][order][memory]") {
  // 3000 x 32 coordinates are 768 KB; every earlier buffer of this run is below 200 KB.
  const auto f = make_toy_representation(3000, 32, 2);
  ::setenv("INFOPLANE_MEMORY_LIMIT", "200K", 1);
  std::string msg;
  try {
    run(f, var01, {.noise_draws = 1, .seed = 1});
  } catch (const std::invalid_argument& e) {
    msg = e.what();
  }
  ::unsetenv("INFOPLANE_MEMORY_LIMIT");
  INFO(msg);
  CHECK(msg.find("the spatial order of a group's 3000 points needs") != std::string::npos);
  CHECK(msg.find("INFOPLANE_MEMORY_LIMIT") != std::string::npos);
}

TEST_CASE("spatial order and the neighbour seed change rounding only", "[dropout][order][threads]") {
  // ReLU-like zeros (several groups) and labels (orders within each class), with and without
  // leave-one-out, double and float: every reported number against the row order's.
  Eigen::MatrixXd f = make_toy_representation(900, 6, 4).array().abs() + 0.05;
  for (Eigen::Index i = 0; i < f.rows(); ++i)
    if (i % 4 == 0) f(i, 1) = 0.0;
  std::vector<int> labels(900);
  for (std::size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<int>((i * 7) % 3);
  const noisy_representation in{f, var01};
  for (bool loo : {true, false})
    for (auto storage : {precision::float64, precision::float32}) {
      const dropout_mixture_options o{.noise_draws = 4, .seed = 8, .leave_one_out = loo, .storage = storage};
      auto rows = o;
      rows.spatial_order = false;
      const auto a = dropout_mixture(o).report(in, labels), b = dropout_mixture(rows).report(in, labels);
      // float: the order changes which float partial sums are formed.
      const double tol = storage == precision::float64 ? 1e-12 : 1e-6;
      INFO("loo " << loo << " float " << (storage == precision::float32));
      const auto near = [&](double x, double y) { return std::abs(x - y) <= tol * std::max(1.0, std::abs(y)); };
      CHECK(near(a.mi.value, b.mi.value));
      CHECK(near(a.h_z, b.h_z));
      CHECK(near(a.label_mi->value, b.label_mi->value));
      CHECK(near(*a.mi.std_error, *b.mi.std_error));
      CHECK(near(a.mi.population->lower_std_error, b.mi.population->lower_std_error));
      if (loo) {
        CHECK(near(a.mi_leave_one_out, b.mi_leave_one_out));
        CHECK(near(a.mi_leave_one_out_population_std_error, b.mi_leave_one_out_population_std_error));
      }
      CHECK(a.h_z_given_x == Approx(b.h_z_given_x).epsilon(1e-14));
    }
}

TEST_CASE("row- and column-major inputs give identical results", "[dropout][layout][threads]") {
  const Eigen::MatrixXd f = make_toy_representation(200, 3, 6);
  const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> g = f;
  const Eigen::MatrixXf h = f.cast<float>();
  CHECK(run(f, var01).mi.value == run(g, var01).mi.value);
  CHECK(std::isfinite(run(h.cast<double>(), var01).mi.value));
}

TEST_CASE("a seed fixes the result for any thread count", "[dropout][reproducible][threads]") {
  const auto f = make_toy_representation(700, 4, 2);
  const auto one = run(f, var01, {.seed = 42, .threads = 1});
  for (unsigned t : {2u, 3u, 8u}) {
    const auto many = run(f, var01, {.seed = 42, .threads = t});
    CHECK(many.mi.value == one.mi.value);
    CHECK(many.mi_leave_one_out == one.mi_leave_one_out);
    CHECK(*many.mi.std_error == *one.mi.std_error);
  }
  CHECK(run(f, var01, {.seed = 43}).mi.value != one.mi.value);
}

TEST_CASE("the standard error describes the spread over seeds", "[dropout][error-model][threads]") {
  const auto f = make_toy_representation(150, 2, 1);
  std::vector<double> values, ses;
  for (std::uint64_t seed = 0; seed < 40; ++seed) {
    const auto r = run(f, var04, {.noise_draws = 4, .seed = seed});
    values.push_back(r.mi.value);
    ses.push_back(*r.mi.std_error);
  }
  const double mean = std::accumulate(values.begin(), values.end(), 0.0) / values.size();
  double ss = 0;
  for (double v : values) ss += (v - mean) * (v - mean);
  const double sd = std::sqrt(ss / (values.size() - 1));
  const double mean_se = std::accumulate(ses.begin(), ses.end(), 0.0) / ses.size();
  INFO("sd over seeds " << sd << ", mean reported se " << mean_se);
  CHECK(sd / mean_se > 0.6);
  CHECK(sd / mean_se < 1.6);
}

TEST_CASE("ReLU zeros: zero-pattern decomposition matches a quadrature answer", "[dropout][relu][threads]") {
  // Rows: two share pattern {unit 0}, one has {unit 1}, one is all zero. With X uniform,
  // I = H(pattern) + P(A) I_A, where I_A is a two-component 1-D mixture computed by quadrature.
  Eigen::MatrixXd f(4, 2);
  f << 1.0, 0.0, 1.5, 0.0, 0.0, 2.0, 0.0, 0.0;
  const double s = std::sqrt(0.1);
  const double h_pattern = -(0.5 * std::log(0.5) + 2 * 0.25 * std::log(0.25));
  const double truth = h_pattern + 0.5 * test::two_component_mi(1.0, s * 1.0, 1.5, s * 1.5);
  const auto r = run(f, var01, {.noise_draws = 40000, .seed = 3});
  INFO("value " << r.mi.value << " se " << *r.mi.std_error << " truth " << truth);
  CHECK(r.zero_patterns == 3);
  CHECK(std::abs(r.mi.value - truth) < 4.0 * *r.mi.std_error + 1e-12);
  CHECK(std::isfinite(r.h_z_given_x));
  // A singleton pattern has no other component: leave-one-out is +inf, reported honestly.
  CHECK(std::isinf(r.mi_leave_one_out));
}

TEST_CASE("consistent subsampling to K components", "[dropout][subsample][threads]") {
  const auto f = make_toy_representation(2000, 2, 5);
  const auto r = run(f, var04, {.noise_draws = 5, .seed = 1, .components = 300});
  CHECK(r.mi.n_samples == 300);
  CHECK(*r.mi.ceiling == Approx(std::log(300.0)));
  CHECK(r.mi.n_draws == 1500);
  // A subset is a smaller sample of the same distribution: the truth stays inside the bracket.
  const double truth = 2 * validation::toy_truth(var04).mi;
  const double slack = 3.0 * std::hypot(*r.mi.std_error, r.mi_leave_one_out_std_error);
  CHECK(*r.mi.lower - slack <= truth);
  CHECK(*r.mi.upper + slack >= truth);
  // Same seed, same subset.
  CHECK(run(f, var04, {.noise_draws = 5, .seed = 1, .components = 300}).mi.value == r.mi.value);
}

TEST_CASE("component blocks: the same estimate to rounding, one block per group the unblocked bits",
          "[dropout][blocks][threads]") {
  // ReLU-like zeros (several groups of different sizes) and labels (blocks cut at classes).
  Eigen::MatrixXd f = make_toy_representation(600, 3, 7).array().abs() + 0.1;
  for (Eigen::Index i = 0; i < f.rows(); ++i)
    if (i % 3 == 0) f(i, 0) = 0.0;
  std::vector<int> labels(600);
  for (std::size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<int>(i % 4);
  const noisy_representation in{f, var04};
  const dropout_mixture_options base{.noise_draws = 3, .seed = 2};
  const auto plain = dropout_mixture(base).report(in, labels);
  for (std::size_t block : {1u, 37u, 64u, 250u}) {
    auto o = base;
    o.component_block = block;
    const auto r = dropout_mixture(o).report(in, labels);
    INFO("B = " << block);
    CHECK_THAT(r.mi.value, WithinAbs(plain.mi.value, 1e-12 * std::abs(plain.mi.value)));
    CHECK_THAT(r.mi_leave_one_out, WithinAbs(plain.mi_leave_one_out, 1e-12 * std::abs(plain.mi_leave_one_out)));
    CHECK_THAT(r.h_z, WithinAbs(plain.h_z, 1e-12 * std::abs(plain.h_z)));
    CHECK_THAT(r.label_mi->value, WithinAbs(plain.label_mi->value, 1e-12));
    // Reproducible for any thread count.
    o.threads = 1;
    CHECK(dropout_mixture(o).report(in, labels).mi.value == r.mi.value);
  }
  // Blocks at least as large as every group: one block per class, the unblocked bits in row
  // order (blocks keep the rows' order; unblocked, the spatial order changes rounding only).
  auto o = base;
  o.component_block = 600;
  auto rows = base;
  rows.spatial_order = false;
  const auto in_rows = dropout_mixture(rows).report(in, labels);
  const auto same = dropout_mixture(o).report(in, labels);
  CHECK(same.mi.value == in_rows.mi.value);
  CHECK(same.mi_leave_one_out == in_rows.mi_leave_one_out);
  CHECK(same.label_mi->value == in_rows.label_mi->value);
  CHECK_THAT(in_rows.mi_leave_one_out, WithinAbs(plain.mi_leave_one_out, 1e-12 * std::abs(plain.mi_leave_one_out)));
  o.component_block = 0;
  CHECK_THROWS_WITH(dropout_mixture(o), Catch::Contains("component_block"));
}

TEST_CASE("bad input fails with a clear exception", "[dropout][bad-input][threads]") {
  const dropout_mixture est;
  Eigen::MatrixXd f = make_toy_representation(10, 2, 1);
  SECTION("NaN") {
    f(3, 1) = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_WITH(est.estimate(noisy_representation{f, var01}), Catch::Contains("NaN") && Catch::Contains("row 3"));
  }
  SECTION("Inf") {
    f(0, 0) = std::numeric_limits<double>::infinity();
    CHECK_THROWS_AS(est.estimate(noisy_representation{f, var01}), infoplane::invalid_argument);
  }
  SECTION("empty: no rows") {
    const Eigen::MatrixXd e(0, 3);
    CHECK_THROWS_WITH(est.estimate(noisy_representation{e, var01}), Catch::Contains("empty"));
  }
  SECTION("empty: no columns") {
    const Eigen::MatrixXd e(5, 0);
    CHECK_THROWS_WITH(est.estimate(noisy_representation{e, var01}), Catch::Contains("empty"));
  }
  SECTION("M = 0") {
    CHECK_THROWS_WITH(dropout_mixture({.noise_draws = 0}), Catch::Contains("noise_draws"));
  }
  SECTION("subset larger than N") {
    const dropout_mixture sub({.components = 11});
    CHECK_THROWS_WITH(sub.estimate(noisy_representation{f, var01}), Catch::Contains("larger than N"));
  }
  SECTION("subset of size 0") {
    const dropout_mixture sub({.components = 0});
    CHECK_THROWS_AS(sub.estimate(noisy_representation{f, var01}), infoplane::invalid_argument);
  }
  SECTION("non-positive noise") {
    CHECK_THROWS_AS(est.estimate(noisy_representation{f, gaussian_dropout(noise_std(0.0))}),
                    infoplane::invalid_argument);
  }
}

TEST_CASE("every kernel gives the same estimate: screened, pruned and brute force to 1e-12, scalar oracle too",
          "[dropout][kernel][threads]") {
  const auto f = make_toy_representation(400, GENERATE(2u, 12u), 3);
  const auto ref = run(f, var01, {.seed = 2, .kernel = mixture_kernel::scalar_reference});
  for (auto k : {mixture_kernel::simd_brute_force, mixture_kernel::simd_pruned, mixture_kernel::simd_screened}) {
    const auto r = run(f, var01, {.seed = 2, .kernel = k});
    CHECK(r.mi.value == Approx(ref.mi.value).epsilon(1e-12));
    CHECK(r.mi_leave_one_out == Approx(ref.mi_leave_one_out).epsilon(1e-12));
    CHECK(r.h_z == Approx(ref.h_z).epsilon(1e-12));
  }
  // Without leave-one-out the pruned kernel starts from the own component; the plug-in is unchanged.
  const auto plug_only = run(f, var01, {.seed = 2, .leave_one_out = false});
  CHECK(plug_only.mi.value == Approx(ref.mi.value).epsilon(1e-12));
  CHECK_FALSE(plug_only.mi.upper);
}

TEST_CASE("automatic kernel: a pilot keeps brute force where pruning cannot pay, pruning where it can",
          "[dropout][kernel][threads]") {
  // Far apart (s^2 = 0.01, d = 12), plug-in only (the own weight starts the maximum): pruning
  // skips most d-terms.
  const gaussian_dropout tiny(noise_variance(0.01));
  const auto a = run(make_toy_representation(2100, 12, 5), tiny, {.noise_draws = 1, .seed = 3, .leave_one_out = false});
  REQUIRE(a.kernels.size() == 1);
  CHECK(a.kernels[0] != mixture_kernel::simd_brute_force);
  // Rows within 1% of each other: every component overlaps every draw, nothing can be pruned.
  const Eigen::MatrixXd same =
      Eigen::MatrixXd::Constant(2100, 16, 1.0) + 1e-3 * make_toy_representation(2100, 16, 6);
  const auto b = run(same, var04, {.noise_draws = 1, .seed = 3});
  REQUIRE(b.kernels.size() == 1);
  CHECK(b.kernels[0] == mixture_kernel::simd_brute_force);
  // The numbers of the kernels named explicitly, and the same bits on any thread count.
  for (auto k : {mixture_kernel::simd_pruned, mixture_kernel::simd_screened}) {
    const auto r = run(same, var04, {.noise_draws = 1, .seed = 3, .kernel = k});
    CHECK(r.kernels[0] == k);
    CHECK(r.mi.value == Approx(b.mi.value).epsilon(1e-12));
    CHECK(r.mi_leave_one_out == Approx(b.mi_leave_one_out).epsilon(1e-12));
  }
  for (unsigned t : {1u, 3u}) {
    const auto r = run(same, var04, {.noise_draws = 1, .seed = 3, .threads = t});
    CHECK(r.mi.value == b.mi.value);
    CHECK(r.mi_leave_one_out == b.mi_leave_one_out);
  }
  // Below four pilots' worth of draws the rule by d and noise decides alone.
  const auto small = run(make_toy_representation(300, 12, 5), tiny, {.noise_draws = 1, .seed = 3});
  CHECK(small.kernels[0] == choose_mixture_kernel<double>(mixture_kernel::automatic, 12, 0.01));
}

TEST_CASE("float storage stays within 1e-4 nats of double on the toy problem", "[dropout][float][threads]") {
  const std::size_t d = GENERATE(1u, 8u, 32u);
  const auto f = make_toy_representation(600, d, 4);
  const auto noise = GENERATE(var01, var04);
  const auto dbl = run(f, noise, {.seed = 6});
  const auto flt = run(f, noise, {.seed = 6, .storage = precision::float32});
  CHECK_THAT(flt.mi.value, WithinAbs(dbl.mi.value, 1e-4));
  CHECK_THAT(flt.h_z, WithinAbs(dbl.h_z, 1e-4));
  if (std::isfinite(dbl.mi_leave_one_out)) CHECK_THAT(flt.mi_leave_one_out, WithinAbs(dbl.mi_leave_one_out, 1e-4));
}

TEST_CASE("units at extreme scales: float storage matches double, h(Z) shifts by the log-scales",
          "[dropout][float][invariance][threads]") {
  const auto f = make_toy_representation(500, 3, 8);
  Eigen::MatrixXd g = f;
  const double c0 = 1e-25, c2 = 1e25;  // 1/(2 s^2 f^2) and f^2 would leave float's range unscaled
  g.col(0) *= c0;
  g.col(2) *= c2;
  const auto ref = run(f, var01, {.seed = 3});
  const auto dbl = run(g, var01, {.seed = 3});
  const auto flt = run(g, var01, {.seed = 3, .storage = precision::float32});
  CHECK(dbl.mi.value == Approx(ref.mi.value).epsilon(1e-9));
  CHECK_THAT(flt.mi.value, WithinAbs(ref.mi.value, 1e-4));
  CHECK_THAT(flt.mi_leave_one_out, WithinAbs(ref.mi_leave_one_out, 1e-4));
  // h(cZ) = h(Z) + log c per unit, and the same for h(Z|X).
  const double shift = std::log(c0) + std::log(c2);
  CHECK_THAT(dbl.h_z, WithinAbs(ref.h_z + shift, 1e-8));
  CHECK_THAT(flt.h_z, WithinAbs(ref.h_z + shift, 1e-4));
  CHECK_THAT(dbl.h_z_given_x, WithinAbs(ref.h_z_given_x + shift, 1e-8));
}

TEST_CASE("a unit whose values span more orders of magnitude than the storage holds is refused",
          "[dropout][bad-input][float][threads]") {
  Eigen::MatrixXd f = make_toy_representation(50, 2, 1).cwiseAbs();
  f(7, 1) = 1e-20 * f(8, 1);  // nonzero, but 20 decades below its neighbours
  CHECK_NOTHROW(run(f, var01));
  CHECK_THROWS_WITH(run(f, var01, {.storage = precision::float32}),
                    Catch::Contains("unit 1 spans too many orders of magnitude for float32 storage") &&
                        Catch::Contains("use float64"));
  // So small that its noise variance s^2 f^2 underflows: refused by every noise-model
  // estimator (validate), naming the value's place.
  f(7, 1) = 1e-300;
  CHECK_THROWS_WITH(run(f, var01), Catch::Contains("value 1e-300 at row 7, column 1") && Catch::Contains("underflows"));
}
