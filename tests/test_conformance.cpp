// The conformance battery, stamped once per registered estimator: a new estimator gets every
// check here by registering (include/infoplane/registry.hpp), with its tolerances declared in
// its registration.
#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <set>
#include <string>

#include "infoplane/registry.hpp"
#include "support/correlated_gaussians.hpp"

namespace {

using namespace infoplane;
using registry::input_shape;

// Inputs a noise-model estimator sees: N identical rows (I = 0), or rows a factor e apart, so
// that under noise of 10% each draw identifies its point (I = log N to within e^-100).
Eigen::MatrixXd identical_rows(Eigen::Index n) {
  Eigen::MatrixXd f(n, 3);
  f.rowwise() = Eigen::RowVector3d(0.5, 1.2, 2.0);
  return f;
}
Eigen::MatrixXd separated_rows(Eigen::Index n) {
  Eigen::MatrixXd f(n, 2);
  for (Eigen::Index i = 0; i < n; ++i) f.row(i) << std::exp(double(i)), 2.0 * std::exp(double(i));
  return f;
}
const gaussian_dropout small_noise{noise_variance{0.01}};

template <class E>
estimate_result run_on(const registry::values& v, const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  const auto o = registry::parse_options<E>(v);
  if constexpr (registry::registration<E>::shape == input_shape::noise_model)
    return registry::run<E>(o, noisy_representation{a, small_noise});
  else
    return registry::run<E>(o, paired_samples{a, b});
}

// Runs E on (a, b) and expects an invalid_argument whose message names E and `what`.
template <class E>
void expect_rejected(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b, const std::string& what) {
  const auto spec = registry::registration<E>::conformance();
  try {
    (void)run_on<E>(spec.options, a, b);
    FAIL_CHECK(std::string(E::name) + " accepted " + what);
  } catch (const infoplane::invalid_argument& e) {
    const std::string msg = e.what();
    INFO(msg);
    CHECK(msg.find(std::string(E::name)) != std::string::npos);
    CHECK(msg.find(what) != std::string::npos);
  }
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace

TEMPLATE_LIST_TEST_CASE("conformance battery", "[conformance]", registry::all_estimators) {
  using E = TestType;
  using R = registry::registration<E>;
  STATIC_REQUIRE(registry::Registered<E>);
  if constexpr (R::shape == input_shape::noise_model) {
    STATIC_REQUIRE(Estimator<E, noisy_representation<Eigen::MatrixXd>>);
  } else {
    STATIC_REQUIRE(Estimator<E, paired_samples<Eigen::MatrixXd, Eigen::MatrixXd>>);
  }
  if constexpr (registry::is_trainable<E>) {
    STATIC_REQUIRE(TrainableEstimator<E, paired_samples<Eigen::MatrixXd, Eigen::MatrixXd>>);
  }

  const auto spec = R::conformance();
  INFO(std::string(E::name));
  constexpr bool noise_model = R::shape == input_shape::noise_model;
  const auto gauss = test::correlated_gaussians(2000, 1, 0.8, 5);
  const auto indep = test::correlated_gaussians(2000, 1, 0.0, 6);
  const Eigen::MatrixXd dep_a = noise_model ? separated_rows(64) : gauss.x;
  const Eigen::MatrixXd dep_b = noise_model ? Eigen::MatrixXd() : gauss.y;
  const double reference = noise_model ? std::log(64.0) : gauss.mi;

  const estimate_result r = run_on<E>(spec.options, dep_a, dep_b);
  CHECK(r.kind == E::kind);
  CHECK(std::isfinite(r.value));

  SECTION("a fixed seed gives the same bits twice, and for 1, 2 and 3 threads") {
    CHECK(same_bits(run_on<E>(spec.options, dep_a, dep_b).value, r.value));
    if (registry::find(E::name)->takes("threads"))
      for (const char* t : {"1", "2", "3"}) {
        auto v = spec.options;
        v["threads"] = t;
        INFO("threads " << t);
        CHECK(same_bits(run_on<E>(v, dep_a, dep_b).value, r.value));
      }
  }

  SECTION("dependent data: near the reference, and on the right side of it for a bound") {
    INFO("value " << r.value << ", reference " << reference);
    if constexpr (E::kind == bound_kind::upper_bound) {
      CHECK(r.value >= reference - spec.slack);
      CHECK(r.value <= reference + spec.dependent);
    } else if constexpr (E::kind == bound_kind::lower_bound) {
      CHECK(r.value <= reference + spec.slack);
      CHECK(r.value >= reference - spec.dependent);
    } else {
      CHECK(std::abs(r.value - reference) <= spec.dependent);
    }
  }

  SECTION("independent data: near 0") {
    const estimate_result z = noise_model ? run_on<E>(spec.options, identical_rows(64), {})
                                          : run_on<E>(spec.options, indep.x, indep.y);
    INFO("value " << z.value);
    CHECK(std::abs(z.value) <= spec.independent);
  }

  SECTION("NaN, Inf, empty input and mismatched shapes are refused, naming the estimator") {
    Eigen::MatrixXd bad = dep_a;
    bad(1, 0) = std::numeric_limits<double>::quiet_NaN();
    expect_rejected<E>(bad, dep_b, "non-finite");
    bad(1, 0) = std::numeric_limits<double>::infinity();
    expect_rejected<E>(bad, dep_b, "non-finite");
    expect_rejected<E>(Eigen::MatrixXd(0, dep_a.cols()), noise_model ? dep_b : Eigen::MatrixXd(0, 1), "empty");
    if constexpr (!noise_model) expect_rejected<E>(dep_a, dep_b.topRows(dep_b.rows() - 1), "mismatched shapes");
  }
}

TEST_CASE("every registered estimator has a unique name, a summary and options with help", "[conformance]") {
  std::set<std::string_view> seen;
  for (const auto& e : registry::estimators()) {
    INFO(std::string(e.name));
    CHECK(seen.insert(e.name).second);
    CHECK(registry::find(e.name) == &e);
    CHECK(!e.summary.empty());
    for (const auto& o : e.options) {
      INFO(o.name);
      CHECK(!o.help.empty());
      CHECK(o.name.find(' ') == std::string::npos);
    }
  }
  CHECK(registry::find("no-such-estimator") == nullptr);
}

TEST_CASE("registry option values are parsed strictly and name the option", "[conformance]") {
  using registry::parse_options;
  CHECK(parse_options<ksg>({{"k", "7"}}).k == 7);
  CHECK(parse_options<ksg>({{"k", "+7"}}).k == 7);
  CHECK(parse_options<ksg>({{"no-standardize", "true"}}).standardize == false);
  CHECK(parse_options<binning>({{"bin-size", "0.5"}}).bins.has_value() == false);
  CHECK(parse_options<binning>({}).bins == std::optional<std::size_t>(10));
  CHECK(parse_options<edge>({{"gamma", "2.5"}}).gamma[1] == 2.5);  // --gamma-y follows --gamma
  CHECK(parse_options<edge>({{"gamma", "2.5"}, {"gamma-y", "1.5"}}).gamma[1] == 1.5);
  CHECK(parse_options<dropout_mixture>({{"kernel", "brute"}}).kernel == mixture_kernel::simd_brute_force);
  CHECK(parse_options<dropout_mixture>({{"float", "true"}}).storage == precision::float32);
  CHECK(parse_options<mine_bound>({{"steps", "12"}}).train.steps == 12);
  CHECK(parse_options<doe>({{"doe-marginal", "factorised"}}).model.marginal == doe_covariance::factorised);
  CHECK(parse_options<doe>({{"time-limit", "2.5"}}).train.time_limit == 2.5);
  CHECK_THROWS_WITH(parse_options<ksg>({{"k", "0"}}), Catch::Contains("--k") && Catch::Contains(">= 1"));
  CHECK_THROWS_WITH(parse_options<ksg>({{"k", "-1"}}), Catch::Contains("--k") && Catch::Contains("not a valid number"));
  CHECK_THROWS_WITH(parse_options<ksg>({{"k", "3x"}}), Catch::Contains("--k"));
  CHECK_THROWS_WITH(parse_options<ksg>({{"jitter", "nan"}}), Catch::Contains("--jitter"));
  CHECK_THROWS_WITH(parse_options<dropout_mixture>({{"kernel", "fast"}}),
                    Catch::Contains("--kernel") && Catch::Contains("auto|screened|pruned|brute|scalar"));
  CHECK_THROWS_WITH(parse_options<binning>({{"bins", "3"}, {"bin-size", "1"}}), Catch::Contains("only one of --bins"));
  CHECK_THROWS_WITH(parse_options<dropout_mixture>({{"m", "99999999999999999999999"}}),
                    Catch::Contains("--m") && Catch::Contains("out of range"));
}

// Extreme and degenerate inputs (issue 16), for every noise-model estimator: each case states
// its outcome. Multiplicative noise makes I(X;Z) invariant to scaling any unit (Z_k = f_k eps_k),
// so rescaled data must give the value of the unscaled data; exact zeros are dropped units.
TEMPLATE_LIST_TEST_CASE("extreme inputs: noise-model estimators", "[conformance][extreme]", registry::all_estimators) {
  using E = TestType;
  using R = registry::registration<E>;
  if constexpr (R::shape == input_shape::noise_model) {
    const auto spec = R::conformance();
    INFO(std::string(E::name));
    const Eigen::MatrixXd base = separated_rows(64);
    const estimate_result ref = run_on<E>(spec.options, base, {});
    REQUIRE(std::isfinite(ref.value));
    // The same problem under a change of units: equal up to rounding (scale-free arithmetic).
    auto same_problem = [&](const Eigen::MatrixXd& f, const char* what) {
      INFO(what);
      const estimate_result r = run_on<E>(spec.options, f, {});
      CHECK(std::isfinite(r.value));
      CHECK(r.value == Approx(ref.value).epsilon(1e-6).margin(1e-9));
    };
    SECTION("scales 1e-30, 1e30 and both across units") {
      same_problem(base * 1e-30, "x 1e-30");
      same_problem(base * 1e30, "x 1e30");
      Eigen::MatrixXd mixed = base;
      mixed.col(0) *= 1e-30;
      mixed.col(1) *= 1e30;
      same_problem(mixed, "unit 0 x 1e-30, unit 1 x 1e30");
    }
    SECTION("half the units exactly zero (ReLU) change nothing, and -0.0 is 0") {
      Eigen::MatrixXd relu(64, 4);
      relu << base, Eigen::MatrixXd::Zero(64, 2);
      same_problem(relu, "two zero units");
      relu.rightCols(2).setConstant(-0.0);
      same_problem(relu, "two -0.0 units");
    }
    SECTION("N = 1: one point, I = 0") {
      const estimate_result r = run_on<E>(spec.options, base.topRows(1), {});
      CHECK(r.value == Approx(0.0).margin(1e-12));
    }
    // I(X;Z) <= log N; an upper bound may lie above it (the Gaussian bound does, loosely).
    auto within = [&](const estimate_result& r, double n) {
      CHECK(std::isfinite(r.value));
      CHECK(r.value >= -1e-12);
      if (E::kind != bound_kind::upper_bound) CHECK(r.value <= std::log(n) + spec.slack);
    };
    SECTION("N = 2: within [0, log 2]") {
      within(run_on<E>(spec.options, base.topRows(2), {}), 2);
    }
    SECTION("a constant unit beside informative ones: within [0, log N]") {
      Eigen::MatrixXd f(64, 3);
      f << base, Eigen::MatrixXd::Constant(64, 1, 0.7);
      within(run_on<E>(spec.options, f, {}), 64);
    }
    SECTION("all-zero rows: a point mass, one atom; within [0, log N]") {
      Eigen::MatrixXd f = base;
      f.topRows(8).setZero();  // 8 rows are Z = 0 exactly: together one outcome of X's 64
      within(run_on<E>(spec.options, f, {}), 64);
    }
    SECTION("subnormal activations are refused, naming the value; they used to give NaN with status ok") {
      expect_rejected<E>(base * 1e-310, {}, "underflows");
      Eigen::MatrixXd huge = base;
      huge(3, 1) = 1e300;  // s^2 f^2 overflows
      expect_rejected<E>(huge, {}, "row 3, column 1");
    }
    SECTION("d = 4096 with N = 8: works, warns that N < d") {
      Eigen::MatrixXd f(8, 4096);
      for (Eigen::Index i = 0; i < 8; ++i)
        for (Eigen::Index k = 0; k < 4096; ++k) f(i, k) = 1.0 + 0.5 * std::sin(double(i * 4096 + k));
      const estimate_result r = run_on<E>(spec.options, f, {});
      CHECK(std::isfinite(r.value));
      CHECK(r.value >= -1e-12);
      CHECK(std::any_of(r.warnings.begin(), r.warnings.end(),
                        [](const std::string& w) { return w.find("N = 8 rows < d = 4096") != std::string::npos; }));
    }
  }
}
