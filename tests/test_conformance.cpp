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

bool warns(const estimate_result& r, const std::string& part) {
  return std::any_of(r.warnings.begin(), r.warnings.end(),
                     [&](const std::string& w) { return w.find(part) != std::string::npos; });
}

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
      CHECK(warns(r, "N = 8 rows < d = 4096"));
    }
  }
}

// Extreme and degenerate inputs (issue 16) for the sample-pair estimators that need no
// training (a network trained per case would cost minutes; the neural family's refusals of too
// few samples are checked, and its values by tests/test_neural.cpp). Each case states its outcome
// from theory: MI is invariant to rescaling each variable, a constant variable is independent of
// everything, and on N distinct points a plug-in estimate is log N. Where an estimator is not
// scale-free by construction (binning's one range per layer, EDGE's absolute 1e-4 thresholds,
// kept from the reference code), the case states what its algorithm gives instead.
TEMPLATE_LIST_TEST_CASE("extreme inputs: sample-pair estimators", "[conformance][extreme]", registry::all_estimators) {
  using E = TestType;
  using R = registry::registration<E>;
  if constexpr (R::shape == input_shape::sample_pairs) {
    const auto spec = R::conformance();
    const std::string name(E::name);
    INFO(name);
    const auto g = test::correlated_gaussians(500, 1, 0.8, 5);
    auto run = [&](const Eigen::MatrixXd& x, const Eigen::MatrixXd& y, registry::values v = {}) {
      for (const auto& [key, value] : spec.options) v.try_emplace(key, value);
      return run_on<E>(v, x, y);
    };
    if constexpr (!registry::is_trainable<E>) {
      const estimate_result base = run(g.x, g.y);
      REQUIRE(std::isfinite(base.value));
      const bool is_edge = name == "edge", is_binning = name == "binning", is_ksg = name == "ksg";
      const double floor_value = 0.001;  // EDGE: every cell's term is at least 0.001, so one cell gives 0.001
      auto same_value = [&](const estimate_result& r, double expected) {
        CHECK(std::isfinite(r.value));
        CHECK(r.value == Approx(expected).epsilon(1e-9).margin(1e-12));
      };
      SECTION("both variables rescaled by 1e-30, 1e30, 1e-200, 1e200 and subnormal 1e-310") {
        for (double s : {1e-30, 1e30, 1e-200, 1e200, 1e-310}) {
          INFO("scale " << s);
          // KSG and EDGE squared raw values for a standard deviation: at 1e-200 and 1e200 those
          // under- or overflowed, and KSG gave about 0 (jitter only), gaussian-mi NaN, EDGE 0.001.
          const estimate_result r = run(g.x * s, g.y * s);
          // EDGE treats a standard deviation below 1e-4 as 1 and adds 1e-4 to each bandwidth
          // (reference 4.3.1): below that scale all samples share one cell.
          same_value(r, is_edge && s < 1 ? floor_value : base.value);
          if (is_edge)  // and says so, at those scales only
            CHECK(warns(r, "fixed 1e-4") == (s < 1));
        }
      }
      SECTION("units at 1e-30 and 1e30 side by side") {
        const auto other = test::correlated_gaussians(500, 1, 0.0, 7);
        Eigen::MatrixXd plain(500, 2), mixed(500, 2);
        plain << g.x, other.x;
        mixed << g.x * 1e-30, other.x * 1e30;
        const estimate_result r = run(mixed, g.y);
        if (is_binning) {
          // One range for the layer: the 1e-30 unit falls in a single bin, as a constant would.
          Eigen::MatrixXd dead = mixed;
          dead.col(0).setZero();
          same_value(r, run(dead, g.y).value);
        } else if (is_edge) {
          CHECK(r.value >= floor_value);
          CHECK(r.value <= 10.0);  // the U clip
        } else {
          same_value(r, run(plain, g.y).value);  // scale-free per unit
        }
      }
      SECTION("a constant unit (dead ReLU, also as -0.0) beside the informative one changes nothing") {
        for (double c : {0.0, -0.0}) {
          Eigen::MatrixXd x(500, 2);
          x << g.x, Eigen::MatrixXd::Constant(500, 1, c);
          const estimate_result r = run(x, g.y);
          if (is_edge) {  // the random projection mixes the constant in: a different hashing
            CHECK(r.value >= floor_value);
            CHECK(r.value <= 10.0);
          } else {
            same_value(r, base.value);
          }
        }
      }
      SECTION("all rows identical: I = 0") {
        const estimate_result r = run(Eigen::MatrixXd::Constant(500, 1, 0.3), Eigen::MatrixXd::Constant(500, 1, -2.0));
        INFO("value " << r.value);
        if (is_ksg)  // the jitter alone is left: independent noise, 0 within KSG's spread
          CHECK(std::abs(r.value) <= spec.independent);
        else
          CHECK(r.value == Approx(is_edge ? floor_value : 0.0).margin(1e-15));
      }
      SECTION("N = 1 and N = 2") {
        if (is_binning) {
          CHECK(run(g.x.topRows(1), g.y.topRows(1)).value == 0.0);
        } else {
          expect_rejected<E>(g.x.topRows(1), g.y.topRows(1), "too few samples");
        }
        // Two distinct points: a plug-in estimate splits both variables, I = log 2.
        if (is_binning || is_edge) {
          same_value(run(g.x.topRows(2), g.y.topRows(2)), std::log(2.0));
        } else if (is_ksg) {
          expect_rejected<E>(g.x.topRows(2), g.y.topRows(2), "too few samples");
        } else {  // gaussian-mi: two points span one dimension of two; the covariance is singular
          const estimate_result r = run(g.x.topRows(2), g.y.topRows(2));
          CHECK(r.status == estimate_status::insufficient_samples);
          CHECK(std::isnan(r.value));
          CHECK(warns(r, "singular"));
        }
      }
      SECTION("a tenth of the rows of x all zero: finite, a plug-in within [0, log N]") {
        Eigen::MatrixXd x = g.x;
        x.topRows(50).setZero();
        const estimate_result r = run(x, g.y);
        CHECK(std::isfinite(r.value));
        if (is_binning || is_edge) {
          CHECK(r.value >= 0.0);
          CHECK(r.value <= std::log(500.0) + 1e-12);
        }
      }
      SECTION("d = 4096 with N = 8: no overflow, warns that N < d") {
        Eigen::MatrixXd x(8, 4096);
        for (Eigen::Index i = 0; i < 8; ++i)
          for (Eigen::Index k = 0; k < 4096; ++k) x(i, k) = std::sin(double(i * 4096 + k));
        const estimate_result r = run(x, g.y.topRows(8));
        if (name == "gaussian-mi")
          CHECK(r.status == estimate_status::insufficient_samples);  // 8 points, 4097 dimensions
        else
          CHECK(std::isfinite(r.value));
        CHECK(warns(r, "N = 8 rows < d = 4096"));
      }
      if (registry::find(E::name)->takes("discrete-y")) {
        const registry::values labels{{"discrete-y", "true"}};
        SECTION("labels: a single class gives I(X;Y) = 0") {
          const estimate_result r = run(g.x, Eigen::MatrixXd::Zero(500, 1), labels);
          INFO("value " << r.value);
          CHECK(r.value == Approx(0.0).margin(1e-12));  // binning: exactly; Ross: psi terms cancel
        }
        SECTION("labels: every sample its own class") {
          Eigen::MatrixXd own(500, 1);
          for (Eigen::Index i = 0; i < 500; ++i) own(i, 0) = double(i);
          const estimate_result r = run(g.x, own, labels);
          if (is_binning) {
            // Y names the sample, so H(Y | X bin) = log N - H(X bin) and I = H(X bin).
            same_value(r, binning({.bins = 10}).binned_entropy(g.x).value);
          } else {
            // Ross's estimator leaves out labels seen once: nothing is left to estimate with.
            CHECK(r.status == estimate_status::insufficient_samples);
            CHECK(std::isnan(r.value));
            CHECK(warns(r, "own class"));
          }
        }
      }
    } else {
      expect_rejected<E>(g.x.topRows(1), g.y.topRows(1), "too few samples");
    }
  }
}
