#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "infoplane/estimators/dropout/mixture.hpp"
#include "infoplane/estimators/dropout/pairwise.hpp"
#include "infoplane/validation/toy.hpp"
#include "support/toy_noise.hpp"

using namespace infoplane;
using Catch::Matchers::WithinAbs;

namespace {
using test::var01;
using test::var04;
}  // namespace

TEST_CASE("pairwise bounds satisfy the Estimator concept with the right kinds", "[pairwise][concept][threads]") {
  STATIC_REQUIRE(Estimator<dropout_pairwise_kl, noisy_representation<Eigen::MatrixXd>>);
  STATIC_REQUIRE(Estimator<dropout_pairwise_bd, noisy_representation<Eigen::MatrixXd>>);
  STATIC_REQUIRE(dropout_pairwise_kl::kind == bound_kind::upper_bound);
  STATIC_REQUIRE(dropout_pairwise_bd::kind == bound_kind::lower_bound);
}

TEST_CASE("two components in one dimension: hand-computed KL and Bhattacharyya", "[pairwise][closed][threads]") {
  // f = {1, 2}, s^2 = 0.25: v1 = 0.25, v2 = 1.
  Eigen::MatrixXd f(2, 1);
  f << 1.0, 2.0;
  const gaussian_dropout noise(noise_variance(0.25));
  const double kl12 = 0.5 * (0.25 / 1.0 + 1.0 / 1.0 - 1.0 + std::log(1.0 / 0.25));
  const double kl21 = 0.5 * (1.0 / 0.25 + 1.0 / 0.25 - 1.0 + std::log(0.25 / 1.0));
  const double bd = 1.0 / (4.0 * 1.25) + 0.5 * std::log(1.25 / (2.0 * std::sqrt(0.25)));
  const double i_kl = std::log(2.0) - 0.5 * (std::log1p(std::exp(-kl12)) + std::log1p(std::exp(-kl21)));
  const double i_bd = std::log(2.0) - std::log1p(std::exp(-bd));
  CHECK(dropout_pairwise_kl().estimate(noisy_representation{f, noise}).value == Approx(i_kl).epsilon(1e-12));
  CHECK(dropout_pairwise_bd().estimate(noisy_representation{f, noise}).value == Approx(i_bd).epsilon(1e-12));
}

TEST_CASE("bound directions on the dropout mixture: Bhattacharyya <= MC plug-in <= KL", "[pairwise][toy][threads]") {
  const auto noise = GENERATE(var01, var04);
  const std::size_t d = GENERATE(1u, 2u, 5u);
  const auto f = make_toy_representation(600, d, 9);
  const auto mc = dropout_mixture({.noise_draws = 20, .seed = 4}).estimate(noisy_representation{f, noise});
  const auto kl = dropout_pairwise_kl().estimate(noisy_representation{f, noise});
  const auto bd = dropout_pairwise_bd().estimate(noisy_representation{f, noise});
  INFO("d=" << d << " var=" << noise.variance() << " bd=" << bd.value << " mc=" << mc.value << " kl=" << kl.value);
  CHECK(bd.value <= mc.value + 3 * *mc.std_error);
  CHECK(mc.value <= kl.value + 3 * *mc.std_error);
  CHECK(kl.value <= *kl.ceiling);
  CHECK(bd.value >= 0);
}

TEST_CASE("pairwise bounds: closed cases", "[pairwise][closed][threads]") {
  const Eigen::MatrixXd same = Eigen::MatrixXd::Constant(30, 2, 1.3);
  CHECK_THAT(dropout_pairwise_kl().estimate(noisy_representation{same, var01}).value, WithinAbs(0.0, 1e-12));
  CHECK_THAT(dropout_pairwise_bd().estimate(noisy_representation{same, var01}).value, WithinAbs(0.0, 1e-12));
  Eigen::MatrixXd far(40, 1);
  for (Eigen::Index i = 0; i < 40; ++i) far(i, 0) = double(i + 1);
  const gaussian_dropout tiny(noise_std(1e-3));
  CHECK_THAT(dropout_pairwise_kl().estimate(noisy_representation{far, tiny}).value, WithinAbs(std::log(40.0), 1e-9));
  CHECK_THAT(dropout_pairwise_bd().estimate(noisy_representation{far, tiny}).value, WithinAbs(std::log(40.0), 1e-9));
  // Zero patterns: two identical groups of two give exactly H(pattern) = log 2.
  Eigen::MatrixXd relu(4, 2);
  relu << 1.0, 0.0, 1.0, 0.0, 0.0, 2.0, 0.0, 2.0;
  CHECK(dropout_pairwise_kl().estimate(noisy_representation{relu, var01}).value == Approx(std::log(2.0)));
  CHECK(dropout_pairwise_bd().estimate(noisy_representation{relu, var01}).value == Approx(std::log(2.0)));
}

TEST_CASE("pairwise bounds: thread count does not change the value", "[pairwise][reproducible][threads]") {
  const auto f = make_toy_representation(300, 4, 2);
  const auto one = dropout_pairwise_kl({.threads = 1}).estimate(noisy_representation{f, var04});
  const auto two = dropout_pairwise_kl({.threads = 3}).estimate(noisy_representation{f, var04});
  CHECK(one.value == two.value);
}

TEST_CASE("pairwise bounds: bad input", "[pairwise][bad-input][threads]") {
  Eigen::MatrixXd f = make_toy_representation(10, 2, 1);
  f(1, 1) = std::numeric_limits<double>::infinity();
  CHECK_THROWS_WITH(dropout_pairwise_kl().estimate(noisy_representation{f, var01}), Catch::Contains("non-finite"));
  const Eigen::MatrixXd g = make_toy_representation(10, 2, 1);
  CHECK_THROWS_WITH(dropout_pairwise_bd({.components = 20}).estimate(noisy_representation{g, var01}),
                    Catch::Contains("larger than N"));
  const Eigen::MatrixXd empty(0, 4);
  CHECK_THROWS_AS(dropout_pairwise_bd().estimate(noisy_representation{empty, var01}), infoplane::invalid_argument);
}
