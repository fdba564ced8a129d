#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "infoplane/estimators/dropout/gaussian_bound.hpp"
#include "infoplane/estimators/dropout/mixture.hpp"
#include "infoplane/validation/toy.hpp"
#include "support/toy_noise.hpp"
#include "infoplane/validation/toy_truth.hpp"

using namespace infoplane;

namespace {
using test::var01;
using test::var04;
}  // namespace

TEST_CASE("gaussian bound satisfies the Estimator concept and is an upper bound", "[gauss]") {
  STATIC_REQUIRE(Estimator<dropout_gaussian_bound, noisy_representation<Eigen::MatrixXd>>);
  STATIC_REQUIRE(dropout_gaussian_bound::kind == bound_kind::upper_bound);
}

TEST_CASE("gaussian bound on h(Z) is at least the Monte Carlo h(Z)", "[gauss][threads]") {
  const auto noise = GENERATE(var01, var04);
  const std::size_t d = GENERATE(1u, 2u, 5u);
  const auto f = make_toy_representation(800, d, 3);
  const auto mc = dropout_mixture({.noise_draws = 10}).report(noisy_representation{f, noise});
  for (auto src : {covariance_source::analytic, covariance_source::sample}) {
    const auto g = dropout_gaussian_bound({.source = src}).report(noisy_representation{f, noise});
    INFO("d=" << d << " var=" << noise.variance() << " bound h=" << g.h_z_bound << " mc h=" << mc.h_z);
    CHECK(g.h_z_bound >= mc.h_z - 3 * mc.h_z_std_error);
    CHECK(g.mi.value >= mc.mi.value - 3 * *mc.mi.std_error);
    CHECK(g.mi.kind == bound_kind::upper_bound);
    CHECK(g.h_z_given_x == Approx(mc.h_z_given_x).epsilon(1e-12));
  }
}

TEST_CASE("analytic covariance: one dimension, hand-computed", "[gauss]") {
  // f = {1, 3}: Var f = 1, E f^2 = 5, so Var Z = 1 + 5 s^2.
  Eigen::MatrixXd f(2, 1);
  f << 1.0, 3.0;
  const auto g = dropout_gaussian_bound().report(noisy_representation{f, var04});
  const double var_z = 1.0 + 5 * 0.4;
  const double h_bound = 0.5 * std::log(2 * M_PI * M_E * var_z);
  const double h_cond = 0.5 * (0.5 * std::log(2 * M_PI * M_E * 0.4 * 1.0) + 0.5 * std::log(2 * M_PI * M_E * 0.4 * 9.0));
  CHECK(g.h_z_bound == Approx(h_bound).epsilon(1e-12));
  CHECK(g.mi.value == Approx(h_bound - h_cond).epsilon(1e-12));
}

TEST_CASE("sample covariance converges to the analytic one", "[gauss]") {
  const auto f = make_toy_representation(300, 3, 4);
  const auto a = dropout_gaussian_bound().estimate(noisy_representation{f, var04});
  const auto s = dropout_gaussian_bound({.source = covariance_source::sample, .noise_draws = 400})
                     .estimate(noisy_representation{f, var04});
  const auto lw = dropout_gaussian_bound({.source = covariance_source::sample, .ledoit_wolf = true, .noise_draws = 400})
                      .estimate(noisy_representation{f, var04});
  CHECK(s.value == Approx(a.value).margin(0.02));
  CHECK(lw.value == Approx(a.value).margin(0.02));
}

TEST_CASE("Ledoit-Wolf shrinkage raises log det for few samples", "[gauss]") {
  const auto f = make_toy_representation(12, 8, 4);
  const auto plain = dropout_gaussian_bound({.source = covariance_source::sample, .noise_draws = 1})
                         .report(noisy_representation{f, var01});
  const auto lw = dropout_gaussian_bound({.source = covariance_source::sample, .ledoit_wolf = true, .noise_draws = 1})
                      .report(noisy_representation{f, var01});
  CHECK(lw.h_z_bound > plain.h_z_bound);
}

TEST_CASE("caller-supplied noisy samples", "[gauss]") {
  const auto f = make_toy_representation(50, 2, 1);
  const dropout_gaussian_bound est({.source = covariance_source::sample});
  Eigen::MatrixXd z(150, 2);
  for (Eigen::Index i = 0; i < 150; ++i) z.row(i) = f.row(i / 3) * (1.0 + 0.01 * double(i % 3));
  const auto r = est.report(noisy_representation{f, var01}, z);
  CHECK(std::isfinite(r.mi.value));
  CHECK(r.mi.n_draws == 150);
  SECTION("mismatched columns") {
    Eigen::MatrixXd bad(150, 3);
    bad.setOnes();
    CHECK_THROWS_WITH(est.report(noisy_representation{f, var01}, bad), Catch::Contains("mismatched shapes"));
  }
  SECTION("rows not a multiple of N") {
    Eigen::MatrixXd bad(149, 2);
    bad.setOnes();
    CHECK_THROWS_WITH(est.report(noisy_representation{f, var01}, bad), Catch::Contains("multiple of N"));
  }
  SECTION("NaN in samples") {
    z(7, 1) = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_WITH(est.report(noisy_representation{f, var01}, z), Catch::Contains("NaN"));
  }
}

TEST_CASE("ReLU zeros: bound is exact for singleton patterns and stays above the MC value", "[gauss][relu][threads]") {
  Eigen::MatrixXd f(6, 2);
  f << 1.0, 0.0, 1.5, 0.0, 0.7, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0, 0.0;
  const auto g = dropout_gaussian_bound().report(noisy_representation{f, var01});
  const auto mc = dropout_mixture({.noise_draws = 20000}).report(noisy_representation{f, var01});
  CHECK(std::isfinite(g.mi.value));
  CHECK(g.mi.value >= mc.mi.value - 3 * *mc.mi.std_error);
  // All-identical groups: the bound collapses to H(pattern).
  Eigen::MatrixXd h(4, 2);
  h << 1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 1.0;
  CHECK(dropout_gaussian_bound().estimate(noisy_representation{h, var01}).value == Approx(std::log(2.0)).epsilon(1e-9));
}

TEST_CASE("gaussian bound: bad input", "[gauss][bad-input]") {
  Eigen::MatrixXd f = make_toy_representation(10, 2, 1);
  f(2, 0) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_AS(dropout_gaussian_bound().estimate(noisy_representation{f, var01}), infoplane::invalid_argument);
  CHECK_THROWS_AS(dropout_gaussian_bound({.noise_draws = 0}), infoplane::invalid_argument);
  CHECK_THROWS_AS(dropout_gaussian_bound({.ledoit_wolf = true}), infoplane::invalid_argument);
  const Eigen::MatrixXd empty(0, 2);
  CHECK_THROWS_WITH(dropout_gaussian_bound().estimate(noisy_representation{empty, var01}), Catch::Contains("empty"));
}
