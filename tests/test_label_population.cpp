// The population bracket of I(Z;Y) (docs/design.md, "I(Z;Y) from the mixture"): the held-out
// kernel classifier's lower end and its influence standard error against a finite-difference
// derivative of the estimator written out here, and its coverage of a quadrature truth for
// X ~ U(0, 1)^d, f(x) = 1 + 2x, Y = floor(3 x_1). Statistical, but deterministic: fixed seeds.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <numeric>
#include <vector>

#include "infoplane/detail/rng.hpp"
#include "infoplane/estimators/dropout.hpp"
#include "infoplane/results/confidence.hpp"
#include "support/label_entropy.hpp"
#include "support/pass_settings.hpp"
#include "support/sample_stats.hpp"

using namespace infoplane;

namespace {

using test::mean_of, test::sd_of;

struct labelled {
  Eigen::MatrixXd f;
  std::vector<int> y;
};

// N points: x ~ U(0, 1)^d, f = 1 + 2x, y = floor(3 x_1) (three classes, the other units noise).
labelled make_problem(std::size_t n, std::size_t d, std::uint64_t seed) {
  labelled p{Eigen::MatrixXd(Eigen::Index(n), Eigen::Index(d)), std::vector<int>(n)};
  for (std::size_t i = 0; i < n; ++i) {
    auto rng = detail::rng_stream(seed, i);
    for (std::size_t k = 0; k < d; ++k) {
      const double x = rng.uniform();
      p.f(Eigen::Index(i), Eigen::Index(k)) = 1.0 + 2.0 * x;
      if (k == 0) p.y[i] = std::min(2, int(3.0 * x));
    }
  }
  return p;
}

// I(Z;Y) for that population by quadrature: p(z, y) = int over class y's third of [0, 1] of
// N(z; f, s2 f^2) dx (Simpson in x and in z); I = sum_y int p(z, y) log(p(z, y) / (p(z) / 3)) dz.
// The other units are independent of (Z_1, Y), so this is the truth for every d.
double quadrature_truth(double s2, double* mass = nullptr) {
  const int nx = 400, nz = 8000;  // even
  const double z0 = -12.0, z1 = 28.0, hz = (z1 - z0) / nz;
  double info = 0.0, total = 0.0;
  for (int iz = 0; iz <= nz; ++iz) {
    const double z = z0 + hz * iz, wz = (iz == 0 || iz == nz) ? 1 : (iz % 2 ? 4 : 2);
    double pzy[3];
    for (int c = 0; c < 3; ++c) {
      const double a = c / 3.0, hx = (1.0 / 3.0) / nx;
      double s = 0.0;
      for (int ix = 0; ix <= nx; ++ix) {
        const double f = 1.0 + 2.0 * (a + hx * ix), v = s2 * f * f, wx = (ix == 0 || ix == nx) ? 1 : (ix % 2 ? 4 : 2);
        s += wx * std::exp(-(z - f) * (z - f) / (2 * v)) / std::sqrt(2 * M_PI * v);
      }
      pzy[c] = s * hx / 3.0;
    }
    const double pz = pzy[0] + pzy[1] + pzy[2];
    for (double q : pzy)
      if (q > 0) info += wz * q * std::log(q / (pz / 3.0));
    total += wz * pz;
  }
  if (mass) *mass = total * hz / 3.0;
  return info * hz / 3.0;
}

}  // namespace

TEST_CASE("I(Z:Y) population lower end and its standard error: the estimator's derivative, by finite differences",
          "[population][labels]") {
  // T(w) = H_w(Y) + sum_k w_k cbar_k / sum w, cbar_k point k's mean over its draws of
  // log((1 - lam) A_k / B_k + lam p_k), A_k, B_k its class's and all other points' weighted
  // densities, p_k the other points' weighted frequency of its label, H_w the weighted label
  // entropy. With w = 1 it is the lower end; N dT/dw_j is point j's influence, whose spread
  // over the points is the standard error: checked against central differences of T, which
  // need none of the derivation behind the estimator's formula.
  const std::size_t n = 45, d = 2, m = 3;
  const double var = 0.1, lam = 1.0 / std::sqrt(double(n));
  const gaussian_dropout noise(noise_variance{var});
  const auto prob = make_problem(n, d, 3);
  const Eigen::MatrixXd z = draw_noisy_samples(prob.f, noise, m, 11);
  const std::size_t p = n * m;
  const Eigen::MatrixXd lp = test::dropout_log_densities(prob.f, z, var);
  // held_out: T(w), the lower end (each draw against the other points only, mixed with their
  // label frequencies); else U(w), the plug-in I(Z;Y) with weights, every point in the sums.
  // `per_point`, if given, gets each point's mean term over its draws at these weights.
  const auto F = [&](const std::vector<double>& w, bool held_out, std::vector<double>* per_point = nullptr) {
    double e = 0, wsum = 0;
    double wy[3] = {0, 0, 0};
    for (std::size_t j = 0; j < n; ++j) wsum += w[j], wy[prob.y[j]] += w[j];
    if (per_point) per_point->assign(n, 0.0);
    for (std::size_t s = 0; s < p; ++s) {
      const std::size_t k = s / m;
      double a = 0, b = 0;
      for (std::size_t j = 0; j < n; ++j)
        if (!held_out || j != k) {
          b += w[j] * std::exp(lp(s, j));
          if (prob.y[j] == prob.y[k]) a += w[j] * std::exp(lp(s, j));
        }
      const double prior = (wy[prob.y[k]] - w[k]) / (wsum - w[k]);
      const double term = (held_out ? std::log((1 - lam) * a / b + lam * prior) : std::log(a / b)) / double(m);
      e += w[k] * term;
      if (per_point) (*per_point)[k] += term;
    }
    double h = 0;
    for (double c : wy) h -= c / wsum * std::log(c / wsum);
    return h + e / wsum;
  };
  const auto T = [&](const std::vector<double>& w) { return F(w, true); };
  const auto U = [&](const std::vector<double>& w) { return F(w, false); };
  // The spread over points of N dF/dw_j, by central differences, over sqrt(N).
  const auto se_of = [&](const auto& F) {
    std::vector<double> w(n, 1.0), psi(n);
    const double step = 1e-5;
    for (std::size_t j = 0; j < n; ++j) {
      w[j] = 1 + step;
      const double up = F(w);
      w[j] = 1 - step;
      psi[j] = double(n) * (up - F(w)) / (2 * step);
      w[j] = 1;
    }
    return sd_of(psi) / std::sqrt(double(n));
  };
  const std::vector<double> ones(n, 1.0);
  const double lower = T(ones), se = se_of(T);
  const double plug_upper = U(ones) + 2.0 / (2.0 * double(n)), plug_se = se_of(U);
  std::vector<double> info;  // -log p(y_j)
  for (int c : prob.y) info.push_back(-std::log(double(std::count(prob.y.begin(), prob.y.end(), c)) / double(n)));
  for (auto o : test::pass_settings(m, 11)) {
    const auto storage = o.storage;
    CAPTURE(o.threads, storage == precision::float32);
    const auto rep = dropout_mixture(o).report(noisy_representation{prob.f, noise}, prob.y);
    REQUIRE(rep.label_mi);
    REQUIRE(rep.label_mi->population);
    const auto& b = *rep.label_mi->population;
    const double tol = storage == precision::float32 ? 1e-4 : 1e-7;
    CHECK(b.lower == Approx(lower).epsilon(tol));
    CHECK(b.lower_std_error == Approx(se).epsilon(tol));
    // The upper end: the plug-in with Miller-Madow's (C - 1)/(2N), below I(X;Z)'s here.
    REQUIRE(rep.mi.population->upper > plug_upper + 0.1);
    CHECK(b.upper_source == "plug-in");
    CHECK(b.upper == Approx(plug_upper).epsilon(tol));
    CHECK(b.upper_std_error == Approx(plug_se).epsilon(tol));
    CHECK(rep.label_mi->value == Approx(plug_upper - 1.0 / double(n)).epsilon(tol));
    // per_point: the spread of each point's own terms, -log p(y_j) + cbar_j.
    o.population_std_error = population_error::per_point;
    std::vector<double> own;
    F(ones, true, &own);
    for (std::size_t j = 0; j < n; ++j) own[j] += info[j];
    const auto pp = dropout_mixture(o).report(noisy_representation{prob.f, noise}, prob.y);
    CHECK(pp.label_mi->population->lower_std_error == Approx(sd_of(own) / std::sqrt(double(n))).epsilon(tol));
    CHECK(pp.label_mi->population->lower == Approx(lower).epsilon(tol));
    CHECK(pp.label_mi->population->upper == Approx(plug_upper).epsilon(tol));
    std::vector<double> own_plug;
    F(ones, false, &own_plug);
    for (std::size_t j = 0; j < n; ++j) own_plug[j] += info[j];
    CHECK(pp.label_mi->population->upper_std_error == Approx(sd_of(own_plug) / std::sqrt(double(n))).epsilon(tol));
  }
}

TEST_CASE("I(Z:Y) population bracket: the same bits for 1, 2 and 3 threads", "[population][labels][threads]") {
  const gaussian_dropout noise(noise_variance{0.25});
  const auto prob = make_problem(400, 3, 2);
  std::vector<double> bits;
  for (unsigned threads : {1u, 2u, 3u}) {
    dropout_mixture_options o;
    o.noise_draws = 2;
    o.threads = threads;
    const auto b = *dropout_mixture(o).report(noisy_representation{prob.f, noise}, prob.y).label_mi->population;
    const std::vector<double> now = {b.lower, b.upper, b.lower_std_error, b.upper_std_error};
    if (bits.empty()) bits = now;
    for (std::size_t i = 0; i < now.size(); ++i) CHECK(std::memcmp(&now[i], &bits[i], sizeof(double)) == 0);
  }
}

TEST_CASE("I(Z:Y) population bracket: a class of one point and a point alone in its zero pattern",
          "[population][labels][zeros]") {
  const gaussian_dropout noise(noise_variance{0.3});
  auto prob = make_problem(60, 2, 4);
  // Class 7 has one member: its draws have no other point of their class, the prior of the
  // others gives it 0, so no classifier held out from it can give its label any mass.
  prob.y[5] = 7;
  for (bool spatial : {true, false}) {
    const auto r = dropout_mixture({.noise_draws = 2, .spatial_order = spatial}).report(noisy_representation{prob.f, noise}, prob.y);
    CHECK(r.label_mi->population->lower == -std::numeric_limits<double>::infinity());
    CHECK(r.label_mi->population->upper_source == "plug-in");
  }
  // Every point its own class: the plug-in I(Z;Y) is I(X;Z)'s, and Miller-Madow's (N - 1)/(2N)
  // puts it above I(X;Z)'s upper end, which data processing then gives.
  std::vector<int> own(60);
  std::iota(own.begin(), own.end(), 0);
  const auto a = dropout_mixture({.noise_draws = 2}).report(noisy_representation{prob.f, noise}, own);
  CHECK(a.label_mi->population->upper_source == "i_xz-" + a.mi.population->upper_source);
  CHECK(a.label_mi->population->upper == a.mi.population->upper);
  CHECK(a.label_mi->population->upper_std_error == a.mi.population->upper_std_error);
  // Without leave-one-out the kernel's sums without the own component are not exact: no lower end.
  const auto nl = dropout_mixture({.noise_draws = 2, .leave_one_out = false}).report(noisy_representation{prob.f, noise}, prob.y);
  CHECK(std::isnan(nl.label_mi->population->lower));
  CHECK(std::isfinite(nl.label_mi->population->upper));
  // A point alone in its zero pattern (an exact zero): S = 0 at its draws, the classifier falls
  // back to the prior there, and the lower end stays finite.
  prob.y[5] = prob.y[6];
  prob.f(9, 1) = 0.0;
  const auto z = dropout_mixture({.noise_draws = 2}).report(noisy_representation{prob.f, noise}, prob.y);
  CHECK(z.zero_patterns == 2);
  CHECK(std::isfinite(z.label_mi->population->lower));
  CHECK(std::isfinite(z.label_mi->population->lower_std_error));
  // A weight outside (0, 1) is refused, naming the option.
  CHECK_THROWS_WITH(dropout_mixture({.label_prior_weight = 1.0}), Catch::Contains("label_prior_weight"));
}

TEST_CASE("I(Z:Y) quadrature truth: the joint density integrates to 1", "[population][labels][quadrature]") {
  double mass = 0;
  const double truth = quadrature_truth(0.4, &mass);
  CHECK(mass == Approx(1.0).epsilon(1e-8));
  CHECK(truth > 0.05);
  CHECK(truth < std::log(3.0) - 0.05);
}

namespace {

struct label_calibration {
  double truth, mean_lower, spread, mean_se, coverage, mean_upper, upper_spread, upper_mean_se;
};

// Seeds 1..S of the labelled problem (new points and new noise each): how often the 95%
// population interval covers the truth, and the lower end's spread against its mean SE.
label_calibration label_run(std::size_t n, std::size_t d, double var, std::size_t m, std::size_t seeds) {
  const gaussian_dropout noise(noise_variance{var});
  label_calibration c{};
  c.truth = quadrature_truth(var);
  std::vector<double> lower, ses, upper, upper_ses;
  std::size_t covered = 0;
  for (std::size_t s = 1; s <= seeds; ++s) {
    const auto prob = make_problem(n, d, 1000 + s);
    const auto r = dropout_mixture({.noise_draws = m, .seed = s, .threads = 2}).report(noisy_representation{prob.f, noise}, prob.y);
    const estimate_result& y = *r.label_mi;
    REQUIRE(y.population);
    lower.push_back(y.population->lower);
    upper.push_back(y.population->upper);
    ses.push_back(y.population->lower_std_error);
    upper_ses.push_back(y.population->upper_std_error);
    const auto ci = interval_of(y, estimate_target::population, 0.95);
    covered += ci.lower <= c.truth && c.truth <= ci.upper;
  }
  c.mean_lower = mean_of(lower);
  c.mean_upper = mean_of(upper);
  c.spread = sd_of(lower);
  c.mean_se = mean_of(ses);
  c.coverage = double(covered) / double(seeds);
  c.upper_spread = sd_of(upper);
  c.upper_mean_se = mean_of(upper_ses);
  std::printf("I(Z;Y) population N=%zu d=%zu var=%.1f M=%zu: truth %.4f, mean lower %.4f (spread %.4f, mean SE %.4f, "
              "ratio %.3f), mean upper %.4f (spread %.4f, mean SE %.4f, ratio %.3f), coverage %.2f\n",
              n, d, var, m, c.truth, c.mean_lower, c.spread, c.mean_se, c.mean_se / c.spread, c.mean_upper,
              c.upper_spread, c.upper_mean_se, c.upper_mean_se / c.upper_spread, c.coverage);
  return c;
}

}  // namespace

TEST_CASE("I(Z:Y) population bracket: below the quadrature truth in expectation, the SE matches the spread, the "
          "interval covers", "[population][labels][long]") {
  const auto c = label_run(300, 1, 0.4, 4, 100);
  const double se_of_mean = c.spread / 10.0;
  CHECK(c.mean_lower <= c.truth + 2 * se_of_mean);  // a lower bound in expectation
  CHECK(c.mean_lower >= c.truth - 0.15);            // and not a vacuous one
  CHECK(c.mean_upper >= c.truth - 2 * c.upper_spread / 10.0);  // an upper bound in expectation
  CHECK(c.mean_upper <= c.truth + 0.05);
  CHECK(c.mean_se == Approx(c.spread).epsilon(0.2));
  CHECK(c.upper_mean_se == Approx(c.upper_spread).epsilon(0.2));
  CHECK(c.coverage >= 0.92);
}

// Minutes: run by hand, `infoplane_tests "[label-calibration]"` (docs/accuracy.md has its output).
TEST_CASE("I(Z:Y) population calibration over d in {1, 2, 5}, var in {0.1, 0.4}, N in {500, 3000}",
          "[.label-calibration][population][labels][long]") {
  for (std::size_t n : {500u, 3000u})
    for (std::size_t d : {1u, 2u, 5u})
      for (double var : {0.1, 0.4}) {
        const auto c = label_run(n, d, var, 4, 100);
        CHECK(c.mean_lower <= c.truth + 2 * c.spread / 10.0);
        CHECK(c.mean_upper >= c.truth - 2 * c.upper_spread / 10.0);
        CHECK(c.mean_se == Approx(c.spread).epsilon(0.2));
        CHECK(c.upper_mean_se == Approx(c.upper_spread).epsilon(0.2));
        CHECK(c.coverage >= 0.92);
      }
}
