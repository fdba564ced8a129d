// The benchmark tasks' samplers against their definitions. Tolerances come from the sample
// size: a mean is checked to 5 standard errors (sigma / sqrt(n)), a correlation to 5 of its
// asymptotic standard errors ((1 - rho^2) / sqrt(n)), a covariance entry to 5 standard errors
// (sqrt((S_ii S_jj + S_ij^2) / n)), and a marginal by the Kolmogorov-Smirnov statistic
// against the exact CDF, below 1.95 / sqrt(n) (the 0.1% critical value). Each check is
// deterministic (fixed seeds), so at these levels a pass is not luck, and a wrong
// distribution, scale or correlation fails by many standard errors. The truths themselves
// are checked by tests/bmi_truths.py (SciPy) and, where only an estimate can, by KSG below.
#include <catch2/catch.hpp>
#include <algorithm>
#include <boost/math/distributions/gamma.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <functional>
#include <set>
#include <vector>

#include "infoplane/estimators/pairs/ksg.hpp"
#include "infoplane/validation/bmi_tasks.hpp"

using namespace infoplane;
using namespace infoplane::validation;
using mat = Eigen::MatrixXd;

namespace {

double ks_statistic(std::vector<double> v, const std::function<double(double)>& cdf) {
  std::sort(v.begin(), v.end());
  const double n = double(v.size());
  double d = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const double f = cdf(v[i]);
    d = std::max({d, f - double(i) / n, double(i + 1) / n - f});
  }
  return d;
}

std::vector<double> column(const mat& m, Eigen::Index c) { return {m.col(c).data(), m.col(c).data() + m.rows()}; }

double ks_limit(std::size_t n) { return 1.95 / std::sqrt(double(n)); }

mat joined(const xy_sample& s) {
  mat xy(s.x.rows(), s.x.cols() + s.y.cols());
  xy << s.x, s.y;
  return xy;
}

mat covariance(const mat& m) {
  const mat c = m.rowwise() - m.colwise().mean();
  return c.transpose() * c / double(m.rows() - 1);
}

double correlation(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  const Eigen::ArrayXd x = a.array() - a.mean(), y = b.array() - b.mean();
  return (x * y).sum() / std::sqrt(x.square().sum() * y.square().sum());
}

const boost::math::normal std_normal;
double phi(double x) { return boost::math::cdf(std_normal, x); }

}  // namespace

TEST_CASE("gamma and chi-square draws: moments and KS against Boost's CDF", "[bmi][sampler]") {
  const double shape = GENERATE(0.5, 1.0, 1.5, 4.0);
  const std::size_t n = 40000;
  std::vector<double> g(n);
  for (std::size_t i = 0; i < n; ++i) {
    auto rng = infoplane::detail::rng_stream(17, i);
    g[i] = validation::detail::gamma_draw(rng, shape);
  }
  const Eigen::Map<const Eigen::ArrayXd> a(g.data(), Eigen::Index(n));
  INFO("shape " << shape << " mean " << a.mean());
  // Gamma(k, 1): mean k, variance k; the sample mean's standard error is sqrt(k / n).
  CHECK(std::abs(a.mean() - shape) < 5 * std::sqrt(shape / double(n)));
  const double var = (a - a.mean()).square().sum() / double(n - 1);
  // var of the sample variance: (mu4 - sigma^4) / n with mu4 = 3k^2 + 6k for Gamma(k, 1).
  CHECK(std::abs(var - shape) < 5 * std::sqrt((3 * shape * shape + 6 * shape - shape * shape) / double(n)));
  const boost::math::gamma_distribution<> dist(shape, 1.0);
  CHECK(ks_statistic(g, [&](double x) { return boost::math::cdf(dist, x); }) < ks_limit(n));
  // chi-square(2k) is 2 Gamma(k): its KS against Gamma(k, scale 2).
  std::vector<double> c(n);
  for (std::size_t i = 0; i < n; ++i) {
    auto rng = infoplane::detail::rng_stream(18, i);
    c[i] = validation::detail::chi_square_draw(rng, 2 * shape);
  }
  const boost::math::gamma_distribution<> chi(shape, 2.0);
  CHECK(ks_statistic(c, [&](double x) { return boost::math::cdf(chi, x); }) < ks_limit(n));
}

TEST_CASE("bmi task list: 40 tasks with bmi's ids and dimensions, then 8 dropout tasks", "[bmi]") {
  const auto& bmi = bmi_tasks();
  REQUIRE(bmi.size() == 40);
  CHECK(bmi.front().id == "1v1-normal-0.75");
  CHECK(bmi[9].id == "swissroll_x-normal_cdf-1v1-normal-0.75");
  CHECK(bmi.back().id == "asinh-student-identity-5-5-2");
  std::set<std::string> ids;
  for (const auto* t : all_benchmark_tasks()) {
    ids.insert(t->id);
    const auto s = t->sample(64, 3);
    INFO(t->id);
    CHECK(s.x.rows() == 64);
    CHECK(s.x.cols() == t->dim_x);
    CHECK(s.y.cols() == t->dim_y);
    CHECK(s.x.allFinite());
    CHECK(s.y.allFinite());
    CHECK(t->mi > 0);
    CHECK(t->noise_model.has_value() == (t->family == "dropout"));
  }
  CHECK(ids.size() == 48);  // unique
  CHECK(find_benchmark_task("multinormal-dense-5-5-0.5").dim_x == 5);
  CHECK_THROWS_WITH(find_benchmark_task("nope"), Catch::Contains("no task with id 'nope'"));
}

TEST_CASE("bmi tasks: a seed fixes the sample, rows do not depend on n", "[bmi]") {
  for (const char* id : {"1v1-bimodal-0.75", "student-identity-3-3-2", "spiral-normal_cdf-multinormal-sparse-5-5-2-2.0",
                         "dropout-toy-5-0.1"}) {
    const auto& t = find_benchmark_task(id);
    const auto a = t.sample(300, 7), b = t.sample(300, 7), c = t.sample(300, 8), d = t.sample(100, 7);
    INFO(id);
    CHECK(a.x == b.x);
    CHECK(a.y == b.y);
    CHECK(a.y != c.y);
    CHECK(d.y == a.y.topRows(100));  // one stream per row
  }
}

TEST_CASE("multinormal tasks: sample covariance against the defining matrix", "[bmi][sampler]") {
  const std::size_t n = 20000;
  struct want {
    const char* id;
    std::function<double(Eigen::Index, Eigen::Index, Eigen::Index)> cov;  // (i, j, dim_x)
  };
  const std::vector<want> cases = {
      {"1v1-normal-0.75", [](auto i, auto j, auto) { return i == j ? 1.0 : 0.75; }},
      {"multinormal-dense-5-5-0.5", [](auto i, auto j, auto) { return i == j ? 1.0 : 0.5; }},
      // 2-pair: corr(X_i, Y_i) = 4 / 5 for i < 2, independent otherwise.
      {"multinormal-sparse-5-5-2-2.0",
       [](auto i, auto j, auto dx) { return i == j ? 1.0 : (std::abs(i - j) == dx && std::min(i, j) < 2 ? 0.8 : 0.0); }},
  };
  for (const auto& w : cases) {
    const auto& t = find_benchmark_task(w.id);
    const mat c = covariance(joined(t.sample(n, 11)));
    for (Eigen::Index i = 0; i < c.rows(); ++i)
      for (Eigen::Index j = 0; j <= i; ++j) {
        const double s = w.cov(i, j, t.dim_x), se = std::sqrt((1.0 + s * s) / double(n));
        INFO(w.id << " (" << i << ", " << j << ") sample " << c(i, j) << " want " << s);
        CHECK(std::abs(c(i, j) - s) < 5 * se);
      }
  }
}

TEST_CASE("Student-t tasks: t_df marginals, uncorrelated coordinates, a shared scale", "[bmi][sampler]") {
  const std::size_t n = 20000;
  for (auto [id, df] : {std::pair{"student-identity-1-1-1", 1}, {"student-identity-3-3-2", 2}, {"student-identity-5-5-3", 3}}) {
    const auto& t = find_benchmark_task(id);
    const mat xy = joined(t.sample(n, 5));
    const boost::math::students_t dist(df);
    for (Eigen::Index k = 0; k < xy.cols(); ++k) {
      INFO(id << " column " << k);
      CHECK(ks_statistic(column(xy, k), [&](double v) { return boost::math::cdf(dist, v); }) < ks_limit(n));
    }
    // The coordinates are uncorrelated but dependent through the shared chi-square: |X| and
    // |Y| are positively correlated, which independent t draws would not be. (Ranks, since
    // the moments need not exist.)
    auto ranks = [](Eigen::VectorXd v) {
      std::vector<std::size_t> idx(std::size_t(v.size()));
      for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
      std::sort(idx.begin(), idx.end(), [&](auto a, auto b) { return v[Eigen::Index(a)] < v[Eigen::Index(b)]; });
      Eigen::VectorXd r(v.size());
      for (std::size_t i = 0; i < idx.size(); ++i) r[Eigen::Index(idx[i])] = double(i);
      return r;
    };
    const double sign_corr = correlation(ranks(xy.col(0)), ranks(xy.col(xy.cols() - 1)));
    const double abs_corr = correlation(ranks(xy.col(0).cwiseAbs()), ranks(xy.col(xy.cols() - 1).cwiseAbs()));
    INFO(id << " rank corr " << sign_corr << ", of |.| " << abs_corr);
    CHECK(std::abs(sign_corr) < 5 / std::sqrt(double(n)));
    CHECK(abs_corr > 10 / std::sqrt(double(n)));
  }
}

TEST_CASE("additive-noise tasks: X uniform, Y - X uniform on (-eps, eps), independent", "[bmi][sampler]") {
  const std::size_t n = 20000;
  for (double eps : {0.1, 0.75}) {
    const auto& t = find_benchmark_task(eps == 0.1 ? "1v1-additive-0.1" : "1v1-additive-0.75");
    const auto s = t.sample(n, 2);
    const Eigen::VectorXd noise = s.y.col(0) - s.x.col(0);
    CHECK(ks_statistic(column(s.x, 0), [](double v) { return std::clamp(v, 0.0, 1.0); }) < ks_limit(n));
    CHECK(ks_statistic({noise.data(), noise.data() + n}, [&](double v) { return std::clamp((v + eps) / (2 * eps), 0.0, 1.0); }) <
          ks_limit(n));
    CHECK(std::abs(correlation(s.x.col(0), noise)) < 5 / std::sqrt(double(n)));
  }
}

TEST_CASE("transformed tasks: inverting bmi's map recovers the base sample", "[bmi][sampler]") {
  const std::size_t n = 3000;
  const auto base = find_benchmark_task("1v1-normal-0.75").sample(n, 4);
  const auto check_inverse = [&](const char* id, const std::function<double(double)>& inv_x,
                                 const std::function<double(double)>& inv_y, double tol) {
    const auto s = find_benchmark_task(id).sample(n, 4);
    double err = 0;
    for (Eigen::Index i = 0; i < Eigen::Index(n); ++i)
      err = std::max({err, std::abs(inv_x(s.x(i, 0)) - base.x(i, 0)), std::abs(inv_y(s.y(i, 0)) - base.y(i, 0))});
    INFO(id << " max error " << err);
    CHECK(err < tol);
  };
  const auto probit = [](double u) { return boost::math::quantile(std_normal, u); };
  check_inverse("normal_cdf-1v1-normal-0.75", probit, probit, 1e-9);
  const auto inv_half_cube = [](double v) { return std::copysign(std::cbrt(v * v), v); };
  check_inverse("half_cube-1v1-normal-0.75", inv_half_cube, inv_half_cube, 1e-12);
  // Wiggly: bisection on the map, which must be increasing for this to be an inverse.
  auto invert = [](std::function<double(double)> f) {
    return [f](double v) {
      double lo = -50, hi = 50;
      for (int k = 0; k < 200; ++k) (f(0.5 * (lo + hi)) < v ? lo : hi) = 0.5 * (lo + hi);
      return 0.5 * (lo + hi);
    };
  };
  check_inverse("wiggly-1v1-normal-0.75", invert(validation::detail::wiggly_x), invert(validation::detail::wiggly_y), 1e-9);
  // Bimodal: the mixture CDF, then the probit, undo bmi's map.
  const auto bx = [&](double v) { return probit(0.3 * phi(v) + 0.7 * phi(v - 5)); };
  const auto by = [&](double v) { return probit(0.5 * phi(v + 1) + 0.5 * phi(v - 3)); };
  check_inverse("1v1-bimodal-0.75", bx, by, 1e-6);
  // Swiss roll: the radius is t / 21 with t = 1.5 pi (1 + 2u).
  const auto roll = find_benchmark_task("swissroll_x-normal_cdf-1v1-normal-0.75").sample(n, 4);
  double err = 0;
  for (Eigen::Index i = 0; i < Eigen::Index(n); ++i) {
    const double t = 21 * roll.x.row(i).norm(), u = (t / (1.5 * M_PI) - 1) / 2;
    err = std::max(err, std::abs(probit(u) - base.x(i, 0)));
    // The angle is t itself (mod 2 pi): the point lies on the roll.
    CHECK(std::abs(std::remainder(std::atan2(roll.x(i, 1), roll.x(i, 0)) - t, 2 * M_PI)) < 1e-9);
  }
  CHECK(err < 1e-6);
  // Asinh of the Student task: sinh undoes it.
  const auto st = find_benchmark_task("student-identity-2-2-1").sample(n, 4), as = find_benchmark_task("asinh-student-identity-2-2-1").sample(n, 4);
  CHECK((as.x.array().sinh() - st.x.array()).abs().maxCoeff() < 1e-9 * (1 + st.x.array().abs().maxCoeff()));
}

TEST_CASE("spiral tasks: norm kept, the rotation angle is ||x||^2 / dim, inverse gives the base", "[bmi][sampler]") {
  const std::size_t n = 2000;
  for (int d : {3, 5, 25}) {
    const std::string base_id = "multinormal-sparse-" + std::to_string(d) + "-" + std::to_string(d) + "-2-2.0";
    const auto b = find_benchmark_task(base_id).sample(n, 9), s = find_benchmark_task("spiral-" + base_id).sample(n, 9);
    for (Eigen::Index i = 0; i < Eigen::Index(n); ++i) {
      CHECK(s.x.row(i).norm() == Approx(b.x.row(i).norm()).epsilon(1e-12));
      // X rotates in the (0, 1) plane, Y in the (1, 2) plane; other coordinates are unchanged.
      const double ax = std::atan2(s.x(i, 1), s.x(i, 0)) - std::atan2(b.x(i, 1), b.x(i, 0));
      CHECK(std::abs(std::remainder(ax - b.x.row(i).squaredNorm() / d, 2 * M_PI)) < 1e-9);
      const double ay = std::atan2(s.y(i, 2), s.y(i, 1)) - std::atan2(b.y(i, 2), b.y(i, 1));
      CHECK(std::abs(std::remainder(ay - b.y.row(i).squaredNorm() / d, 2 * M_PI)) < 1e-9);
      CHECK(s.x(i, d - 1) == (d > 2 ? b.x(i, d - 1) : s.x(i, d - 1)));
      CHECK(s.y(i, 0) == b.y(i, 0));
    }
  }
}

TEST_CASE("normal-CDF tasks: uniform marginals", "[bmi][sampler]") {
  const std::size_t n = 20000;
  const auto s = find_benchmark_task("normal_cdf-multinormal-sparse-5-5-2-2.0").sample(n, 1);
  for (Eigen::Index k = 0; k < 5; ++k) {
    CHECK(ks_statistic(column(s.x, k), [](double v) { return v; }) < ks_limit(n));
    CHECK(ks_statistic(column(s.y, k), [](double v) { return v; }) < ks_limit(n));
  }
}

TEST_CASE("bimodal task: the mixture marginals", "[bmi][sampler]") {
  const std::size_t n = 20000;
  const auto s = find_benchmark_task("1v1-bimodal-0.75").sample(n, 6);
  CHECK(ks_statistic(column(s.x, 0), [](double v) { return 0.3 * phi(v) + 0.7 * phi(v - 5); }) < ks_limit(n));
  CHECK(ks_statistic(column(s.y, 0), [](double v) { return 0.5 * phi(v + 1) + 0.5 * phi(v - 3); }) < ks_limit(n));
}

TEST_CASE("dropout tasks: X ~ N(0, I), Z = (2X + 0.5) eps, and the noise model's representation", "[bmi][sampler]") {
  const std::size_t n = 20000;
  const auto& t = find_benchmark_task("dropout-toy-5-0.4");
  const auto s = t.sample(n, 3);
  REQUIRE(t.noise_model);
  const mat f = t.noise_model->representation(n, 3);
  CHECK(f.isApprox(mat((2 * s.x.array() + 0.5).matrix()), 1e-14));  // the pairs' X is the representation's input
  for (Eigen::Index k = 0; k < 5; ++k) {
    CHECK(ks_statistic(column(s.x, k), phi) < ks_limit(n));
    const Eigen::ArrayXd eps = s.y.col(k).array() / f.col(k).array();  // eps ~ N(1, 0.4)
    std::vector<double> e(eps.data(), eps.data() + n);
    CHECK(ks_statistic(e, [](double v) { return phi((v - 1) / std::sqrt(0.4)); }) < ks_limit(n));
  }
  CHECK(t.mi == Approx(5 * toy_truth(gaussian_dropout(noise_variance(0.4))).mi));
}

TEST_CASE("bmi truths where only an estimate can check them: KSG at n = 20000", "[bmi][ksg]") {
  // The bijections keep I exactly, so a transformed task must estimate like its base. KSG
  // (k = 10) at n = 20000 has bias and spread of a few 0.01 nats on these one-dimensional
  // tasks (Kraskov et al. 2004, Fig. 6; Czyz et al. 2023): tolerance 0.06 nats.
  for (const char* id : {"1v1-normal-0.75", "1v1-bimodal-0.75", "wiggly-1v1-normal-0.75", "half_cube-1v1-normal-0.75",
                         "swissroll_x-normal_cdf-1v1-normal-0.75", "1v1-additive-0.75", "student-identity-1-1-1"}) {
    const auto& t = find_benchmark_task(id);
    const auto s = t.sample(20000, 1);
    const auto r = ksg({.k = 10}).estimate(paired_samples{s.x, s.y});
    INFO(id << ": ksg " << r.value << ", truth " << t.mi);
    CHECK(std::abs(r.value - t.mi) < 0.06);
  }
}
