// estimate_result::warnings (suspicious inputs) and the clamp of bounds into MI's range.
#include <catch2/catch.hpp>
#include <algorithm>
#include <random>
#include <string>

#include "infoplane/estimators/dropout/gaussian_bound.hpp"
#include "infoplane/estimators/dropout/mixture.hpp"
#include "infoplane/estimators/dropout/pairwise.hpp"
#include "infoplane/estimators/neural/variational.hpp"
#include "infoplane/estimators/pairs/binning.hpp"
#include "infoplane/estimators/pairs/edge.hpp"
#include "infoplane/estimators/pairs/gaussian_mi.hpp"
#include "infoplane/estimators/pairs/ksg.hpp"
#include "infoplane/registry.hpp"
#include "infoplane/results/warnings.hpp"

using namespace infoplane;

namespace {

const gaussian_dropout noise{noise_variance{0.1}};

bool warns(const estimate_result& r, const std::string& part) {
  return std::any_of(r.warnings.begin(), r.warnings.end(),
                     [&](const std::string& w) { return w.find(part) != std::string::npos; });
}

Eigen::MatrixXd gaussian(Eigen::Index n, Eigen::Index d, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> g;
  Eigen::MatrixXd m(n, d);
  for (Eigen::Index j = 0; j < d; ++j)
    for (Eigen::Index i = 0; i < n; ++i) m(i, j) = 1.0 + 0.3 * g(rng);
  return m;
}

}  // namespace

TEST_CASE("warnings: ordinary continuous data draws none", "[warnings]") {
  const auto f = gaussian(200, 3, 1);
  CHECK(dropout_mixture({.noise_draws = 2}).estimate(noisy_representation{f, noise}).warnings.empty());
  CHECK(dropout_gaussian_bound().estimate(noisy_representation{f, noise}).warnings.empty());
  CHECK(ksg().estimate(paired_samples{f, gaussian(200, 1, 2)}).warnings.empty());
}

TEST_CASE("warnings: fewer rows than columns suggests a transposed matrix", "[warnings]") {
  const auto f = gaussian(16, 40, 3);  // 16 samples of 40 units: the shape of a transposed file
  const auto mc = dropout_mixture({.noise_draws = 2}).estimate(noisy_representation{f, noise});
  CHECK(warns(mc, "N = 16 rows < d = 40 columns"));
  CHECK(warns(mc, "transposed"));
  CHECK(warns(dropout_gaussian_bound().estimate(noisy_representation{f, noise}), "transposed"));
  CHECK(warns(dropout_pairwise_kl().estimate(noisy_representation{f, noise}), "transposed"));
  const auto square = gaussian(40, 40, 4);  // N = d is not suspicious
  CHECK_FALSE(warns(dropout_gaussian_bound().estimate(noisy_representation{square, noise}), "transposed"));
}

TEST_CASE("warnings: integer data with few distinct values looks like labels", "[warnings]") {
  Eigen::MatrixXd labels(100, 1);
  for (Eigen::Index i = 0; i < 100; ++i) labels(i, 0) = static_cast<double>(i % 10);  // digits 0..9
  const auto r = dropout_mixture({.noise_draws = 2}).estimate(noisy_representation{labels, noise});
  CHECK(warns(r, "only 10 distinct values"));
  CHECK(warns(r, "looks like labels"));
  // Integers with many distinct values (counts, pixel values) are not labels.
  Eigen::MatrixXd counts(100, 1);
  for (Eigen::Index i = 0; i < 100; ++i) counts(i, 0) = static_cast<double>(i);
  CHECK_FALSE(warns(dropout_mixture({.noise_draws = 2}).estimate(noisy_representation{counts, noise}), "labels"));
  // Nor are a few distinct non-integers (quantised activations).
  Eigen::MatrixXd quantised = (labels.array() * 0.37 + 0.1).matrix();
  CHECK_FALSE(warns(dropout_mixture({.noise_draws = 2}).estimate(noisy_representation{quantised, noise}), "labels"));
}

TEST_CASE("warnings: KSG on y with few distinct values, unless discrete_y", "[warnings]") {
  const auto x = gaussian(300, 1, 5);
  Eigen::MatrixXd y(300, 1);
  for (Eigen::Index i = 0; i < 300; ++i) y(i, 0) = static_cast<double>(i % 3);
  CHECK(warns(ksg().estimate(paired_samples{x, y}), "y has only 3 distinct values among N = 300"));
  CHECK(warns(ksg().estimate(paired_samples{x, y}), "--discrete-y"));
  CHECK(ksg({.discrete_y = true}).estimate(paired_samples{x, y}).warnings.empty());
  // Through the registry by name (what the command line and Python run), once only.
  const auto& e = *std::find_if(registry::estimators().begin(), registry::estimators().end(),
                                [](const auto& e) { return e.name == "ksg"; });
  const auto r = e.pairs({})(x, y);
  CHECK(std::count_if(r.warnings.begin(), r.warnings.end(),
                      [](const std::string& w) { return w.find("distinct") != std::string::npos; }) == 1);
}

TEST_CASE("warnings: an estimator run by name reports a transposed x or y", "[warnings]") {
  const auto& all = registry::estimators();
  const auto& e = *std::find_if(all.begin(), all.end(), [](const auto& e) { return e.name == "gaussian-mi"; });
  const auto x = gaussian(8, 12, 6), y = gaussian(8, 1, 7);
  CHECK(warns(e.pairs({})(x, y), "x: N = 8 rows < d = 12 columns"));
  CHECK(warns(e.pairs({})(y, x), "y: N = 8 rows < d = 12 columns"));
}

TEST_CASE("clamp: constant activations give a Gaussian bound of 0 up to rounding, never below", "[warnings][clamp]") {
  // Every point has the same mean: Z does not depend on X, so I(X;Z) = 0 and an upper bound is
  // >= 0. Rounding in h(Z) - h(Z|X) used to print about -1e-13; now it may only be above 0.
  for (double c : {0.3, 1.7, 123.0}) {
    const Eigen::MatrixXd f = Eigen::MatrixXd::Constant(50, 4, c);
    const auto r = dropout_gaussian_bound().estimate(noisy_representation{f, noise});
    INFO("c = " << c << ", value " << r.value);
    CHECK(r.value >= 0.0);  // never below: clamped where rounding leaves it negative
    CHECK(r.value < 1e-12);
    CHECK(*r.upper == r.value);
    CHECK(r.status == estimate_status::ok);  // rounding only: no numerical_issue
    CHECK_FALSE(warns(r, "clamped"));
    CHECK(warns(r, "constant representation"));
  }
}

TEST_CASE("clamp: below 0 by more than rounding is reported", "[warnings][clamp]") {
  estimate_result r;
  r.kind = bound_kind::upper_bound;
  r.value = -0.25;
  r.upper = -0.25;
  detail::clamp_to_nonnegative(r, 1e-9, "test-bound");
  CHECK(r.value == 0.0);
  CHECK(*r.upper == 0.0);
  CHECK(r.status == estimate_status::numerical_issue);
  CHECK(warns(r, "test-bound: the bound came out at -0.25 nats"));

  estimate_result small;
  small.value = -1.2e-13;
  detail::clamp_to_nonnegative(small, 1e-9, "test-bound");
  CHECK(small.value == 0.0);
  CHECK(small.status == estimate_status::ok);
  CHECK(small.warnings.empty());

  estimate_result nan_value;  // NaN is not clamped: it says the estimate failed
  detail::clamp_to_nonnegative(nan_value, 1e-9, "test-bound");
  CHECK(std::isnan(nan_value.value));
}

// Called directly, not by name: binning, EDGE, gaussian-mi and the neural estimators used to
// warn only through the registry (issue 16); now each does so itself, once.
TEST_CASE("warnings: the sample-pair and neural estimators warn on their own about a transposed x or labels as x",
          "[warnings]") {
  const auto tall = gaussian(200, 3, 8), y = gaussian(200, 1, 9), wide = gaussian(16, 40, 10);
  Eigen::MatrixXd labels(200, 1);
  for (Eigen::Index i = 0; i < 200; ++i) labels(i, 0) = static_cast<double>(i % 10);
  auto check = [&](auto&& run, const char* who) {
    INFO(who);
    CHECK(run(tall, y).warnings.empty());
    const auto t = run(wide, y.topRows(16));
    CHECK(warns(t, "x: N = 16 rows < d = 40 columns"));
    CHECK(std::count_if(t.warnings.begin(), t.warnings.end(),
                        [](const std::string& w) { return w.find("transposed") != std::string::npos; }) == 1);
    CHECK(warns(run(labels, y), "x: all values are integers with only 10 distinct values"));
  };
  check([](const auto& x, const auto& yy) { return binning().estimate(paired_samples{x, yy}); }, "binning");
  check([](const auto& x, const auto& yy) { return edge().estimate(paired_samples{x, yy}); }, "edge");
  check([](const auto& x, const auto& yy) { return gaussian_mi().estimate(paired_samples{x, yy}); }, "gaussian-mi");
  check([](const auto& x, const auto& yy) {
    return infonce_bound({.train = {.hidden = 8, .steps = 2, .batch = 8}}).fit_estimate(paired_samples{x, yy});
  }, "infonce");
}
