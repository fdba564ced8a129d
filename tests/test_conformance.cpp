// The conformance battery, stamped once per registered estimator: a new estimator gets every
// check here by registering (include/infoplane/registry.hpp), with its tolerances declared in
// its registration.
#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>
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
      // A short training (each run a few milliseconds) on 60 samples: the cases below state
      // what holds for any training, not how good it is. The networks see standardised data,
      // so a change of units gives the unscaled value up to rounding; before that, DoE gave
      // 1e51 nats with status ok at 1e-30 and NaN at 1e200, and the critics 0 at 1e-30.
      const registry::values quick{{"steps", "30"}, {"batch", "16"}, {"hidden", "8"}, {"embedding", "4"}};
      const auto s = test::correlated_gaussians(60, 1, 0.8, 5);
      const auto other = test::correlated_gaussians(60, 1, 0.0, 7);
      auto train = [&](const Eigen::MatrixXd& x, const Eigen::MatrixXd& y) { return run_on<E>(quick, x, y); };
      const estimate_result base = train(s.x, s.y);
      REQUIRE(std::isfinite(base.value));
      auto near_base = [&](const estimate_result& r) {
        CHECK(std::isfinite(r.value));
        CHECK(r.value == Approx(base.value).epsilon(1e-6).margin(1e-9));
      };
      SECTION("trained: N = 2 is refused as too few samples (the critics said 'x: empty data')") {
        expect_rejected<E>(s.x.topRows(2), s.y.topRows(2), "too few samples");
      }
      SECTION("trained: both variables rescaled by 1e-30, 1e30, 1e-200, 1e200 and subnormal 1e-310") {
        for (double f : {1e-30, 1e30, 1e-200, 1e200, 1e-310}) {
          INFO("scale " << f);
          near_base(train(s.x * f, s.y * f));
        }
      }
      SECTION("trained: units at 1e-30 and 1e30 side by side") {
        Eigen::MatrixXd plain(60, 2), mixed(60, 2);
        plain << s.x, other.x;
        mixed << s.x * 1e-30, other.x * 1e30;
        const estimate_result r = train(mixed, s.y);
        CHECK(std::isfinite(r.value));
        CHECK(r.value == Approx(train(plain, s.y).value).epsilon(1e-6).margin(1e-9));
      }
      SECTION("trained: all rows identical gives I = 0 exactly (DoE gave 0.6 with status ok)") {
        const estimate_result r = train(Eigen::MatrixXd::Constant(60, 1, 0.3), Eigen::MatrixXd::Constant(60, 1, -2.0));
        CHECK(r.value == 0.0);
        CHECK(r.status == estimate_status::ok);
        CHECK(train(s.x, Eigen::MatrixXd::Constant(60, 1, 5.0)).value == 0.0);  // a constant y alone
      }
      SECTION("trained: a constant unit is finite, and -0.0 gives the bits of 0.0") {
        Eigen::MatrixXd x(60, 2);
        x << s.x, Eigen::MatrixXd::Zero(60, 1);
        const estimate_result zero = train(x, s.y);
        CHECK(std::isfinite(zero.value));
        x.col(1).setConstant(-0.0);
        CHECK(same_bits(train(x, s.y).value, zero.value));
        x.col(1).setConstant(0.7);
        CHECK(std::isfinite(train(x, s.y).value));
      }
    }
  }
}

namespace {

// Sets (or, with nullptr, unsets) an environment variable for one scope, restoring it after.
class scoped_env {
 public:
  scoped_env(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) ::setenv(name, value, 1);
    else ::unsetenv(name);
  }
  ~scoped_env() {
    if (old_) ::setenv(name_.c_str(), old_->c_str(), 1);
    else ::unsetenv(name_.c_str());
  }
  scoped_env(const scoped_env&) = delete;
  scoped_env& operator=(const scoped_env&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

}  // namespace

// Issue 16: working memory beyond the machine (here capped by INFOPLANE_MEMORY_LIMIT) is refused
// before anything is allocated, naming the estimator and the sizes. 1 KiB is below what every
// estimator needs on these inputs (the data's own copies alone exceed it), so an estimator that
// does not size its work runs instead and fails the check.
TEMPLATE_LIST_TEST_CASE("working memory beyond INFOPLANE_MEMORY_LIMIT is refused up front", "[conformance][memory]",
                        registry::all_estimators) {
  using E = TestType;
  using R = registry::registration<E>;
  constexpr bool noise_model = R::shape == input_shape::noise_model;
  const std::string name(E::name);
  INFO(name);
  const auto g = test::correlated_gaussians(200, 1, 0.8, 5);
  const Eigen::MatrixXd a = noise_model ? separated_rows(64) : g.x;
  const Eigen::MatrixXd b = noise_model ? Eigen::MatrixXd() : g.y;
  const registry::values quick{{"steps", "20"}, {"batch", "16"}, {"hidden", "8"}, {"embedding", "4"}};
  {
    const scoped_env limit("INFOPLANE_MEMORY_LIMIT", "1K");
    try {
      (void)run_on<E>(quick, a, b);
      FAIL_CHECK(name + " ran within a 1 KiB memory limit");
    } catch (const infoplane::invalid_argument& e) {
      const std::string msg = e.what();
      INFO(msg);
      CHECK(msg.rfind(name + ": ", 0) == 0);
      CHECK(msg.find("of working memory, more than INFOPLANE_MEMORY_LIMIT's 9.54e-07 GiB") != std::string::npos);
    }
  }
  const scoped_env unset("INFOPLANE_MEMORY_LIMIT", nullptr);
  CHECK(std::isfinite(run_on<E>(quick, a, b).value));  // the same input runs without the cap
  const scoped_env roomy("INFOPLANE_MEMORY_LIMIT", "1G");
  CHECK(std::isfinite(run_on<E>(quick, a, b).value));  // and under one it fits in
}

TEST_CASE("INFOPLANE_MEMORY_LIMIT: bytes with an optional K, M, G or T suffix, anything else is refused",
          "[conformance][memory]") {
  using infoplane::detail::parse_byte_count;
  CHECK(parse_byte_count("1048576") == 1048576u);
  CHECK(parse_byte_count("1K") == 1024u);
  CHECK(parse_byte_count("3m") == 3u * 1024 * 1024);
  CHECK(parse_byte_count("2G") == 2ull << 30);
  CHECK(parse_byte_count("5T") == 5ull << 40);
  CHECK(parse_byte_count("18446744073709551615") == std::numeric_limits<std::uint64_t>::max());
  for (const char* bad : {"", "G", "abc", "1.5G", "-1", "+1", " 1K", "1K ", "1KB", "1X", "18446744073709551616",
                          "16777216T"})
    CHECK_FALSE(parse_byte_count(bad).has_value());

  {
    const scoped_env limit("INFOPLANE_MEMORY_LIMIT", "1M");
    CHECK(infoplane::detail::memory_limit().bytes == 1024u * 1024);
    CHECK_NOTHROW(infoplane::detail::require_bytes(1024.0L * 1024, "test: exactly the limit"));
    CHECK_THROWS_WITH(infoplane::detail::require_bytes(1024.0L * 1024 + 1, "test: a byte more"),
                      "test: a byte more needs 0.000977 GiB of working memory, more than INFOPLANE_MEMORY_LIMIT's "
                      "0.000977 GiB");
  }
  for (const char* bad : {"lots", "0", "1.5G"}) {
    const scoped_env limit("INFOPLANE_MEMORY_LIMIT", bad);
    INFO(bad);
    CHECK_THROWS_AS(infoplane::detail::memory_limit(), infoplane::invalid_argument);
    CHECK_THROWS_WITH(infoplane::detail::require_memory({8}, 8, "test"),
                      Catch::Contains("INFOPLANE_MEMORY_LIMIT") && Catch::Contains(std::string("'") + bad + "'"));
  }
  // A limit above the machine leaves the machine's own.
  const scoped_env huge("INFOPLANE_MEMORY_LIMIT", "16777215T");
  CHECK(infoplane::detail::memory_limit().bytes <= infoplane::detail::physical_memory());
}

// Without any limit set: the d^2 and batch^2 terms on inputs of a few MB, refused on this
// machine (each needs hundreds of GiB) instead of dying of std::bad_alloc or the OOM killer.
TEST_CASE("d x d covariances and batch x batch scores beyond this machine are refused up front", "[conformance][memory]") {
  const scoped_env unset("INFOPLANE_MEMORY_LIMIT", nullptr);
  const auto have = static_cast<double>(infoplane::detail::memory_limit().bytes);
  auto refused = [](auto&& run, const std::string& part) {
    try {
      (void)run();
      FAIL_CHECK("accepted: " << part);
    } catch (const infoplane::invalid_argument& e) {
      INFO(e.what());
      CHECK(std::string(e.what()).find(part) != std::string::npos);
      CHECK(std::string(e.what()).find("of working memory, more than") != std::string::npos);
    }
  };
  const Eigen::Index d = 200000;  // 24 d^2 bytes = 894 GiB
  if (24.0 * double(d) * double(d) > have) {
    Eigen::MatrixXd f(2, d);
    for (Eigen::Index k = 0; k < d; ++k) f(0, k) = 1.0 + 1e-3 * double(k % 7), f(1, k) = 2.0 + 1e-3 * double(k % 5);
    refused([&] { return dropout_gaussian_bound().estimate(noisy_representation{f, small_noise}); },
            "dropout-gauss-bound: the analytic covariance of a zero-pattern group of K = 2 points, d = 200000 units");
    const Eigen::MatrixXd y = Eigen::MatrixXd::Random(2, 1);
    const Eigen::MatrixXd x = f * 1.0;
    refused([&] { return gaussian_mi({.ridge = 1e-3}).estimate(paired_samples{x, y}); },
            "gaussian-mi: N = 2 samples of dx + dy = 200001 dimensions and their covariance");
    // No ridge: N <= dx + dy stops before the covariance, so it is not counted, and it runs.
    CHECK(gaussian_mi().estimate(paired_samples{x, y}).status == estimate_status::insufficient_samples);
  }
  const Eigen::Index n = 400000;  // batch n: 24 n^2 bytes = 3.5 TiB of scores
  if (24.0 * double(n) * double(n) > have) {
    const Eigen::MatrixXd x = Eigen::MatrixXd::Random(n, 1), y = Eigen::MatrixXd::Random(n, 1);
    infonce_bound e({.train = {.batch = std::size_t(n)}});
    refused([&] { return e.fit_estimate(paired_samples{x, y}); }, "score matrix");
  }
}
