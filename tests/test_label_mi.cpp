// I(Z;Y) from the dropout mixture (dataset target), against closed forms and quadrature.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <map>
#include <type_traits>
#include <vector>

#include "infoplane/detail/rng.hpp"
#include "infoplane/estimators/dropout/mixture.hpp"
#include "infoplane/kernels/mixture_logsumexp.hpp"
#include "infoplane/validation/toy.hpp"
#include "support/label_entropy.hpp"
#include "support/kernel_problem.hpp"
#include "support/mixture_entropy_truth.hpp"
#include "support/toy_noise.hpp"

using namespace infoplane;
using Catch::Matchers::WithinAbs;
using test::label_entropy;

namespace {

dropout_mixture_report run(const Eigen::MatrixXd& f, const std::vector<int>& y, const gaussian_dropout& noise,
                           dropout_mixture_options o = {}) {
  return dropout_mixture(o).report(noisy_representation{f, noise}, y);
}

// `clusters` tight groups of `per` points, cluster c centred at (c + 1) * 10 in every unit.
Eigen::MatrixXd clusters(std::size_t n_clusters, std::size_t per, std::size_t d, std::uint64_t seed) {
  Eigen::MatrixXd f(Eigen::Index(n_clusters * per), Eigen::Index(d));
  for (std::size_t i = 0; i < n_clusters * per; ++i) {
    auto rng = detail::rng_stream(seed, i);
    for (std::size_t k = 0; k < d; ++k) f(Eigen::Index(i), Eigen::Index(k)) = double(i / per + 1) * 10.0 + 0.05 * rng.normal();
  }
  return f;
}

}  // namespace

TEST_CASE("labels: well-separated clusters with labels a function of the cluster give I(Z:Y) = H(Y)",
          "[dropout][labels][closed]") {
  const std::size_t per = 30;
  const auto f = clusters(5, per, 3, 4);
  std::vector<int> y(f.rows());
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = int(i / per) % 3 * 7 - 3;  // labels -3, 4, 11: any integers
  const auto r = run(f, y, gaussian_dropout(noise_std(0.02)), {.noise_draws = 3, .seed = 2});
  REQUIRE(r.label_mi);
  const double h_y = label_entropy(y);
  CHECK_THAT(r.label_mi->value, WithinAbs(h_y, 1e-9));
  CHECK_THAT(*r.label_mi->ceiling, WithinAbs(h_y, 1e-12));
  CHECK(r.label_mi->target == estimate_target::dataset);
  CHECK(r.label_mi->kind == bound_kind::point_estimate);
  CHECK(r.label_mi->status == estimate_status::saturated);
  CHECK(r.classes == 3);
  // Within a cluster the components overlap, so I(X;Z) stays well below log N but above H(Y).
  CHECK(r.mi.value < std::log(double(f.rows())) - 1.0);
  CHECK(r.mi.value > h_y);
}

TEST_CASE("labels: the same clusters with the leave-one-out and seeded (pruned) kernels", "[dropout][labels][closed]") {
  const auto f = clusters(4, 25, 20, 9);
  std::vector<int> y(f.rows());
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = int(i / 25) % 2;
  const auto kernel = GENERATE(mixture_kernel::scalar_reference, mixture_kernel::simd_brute_force,
                               mixture_kernel::simd_pruned, mixture_kernel::simd_screened);
  const bool loo = GENERATE(true, false);
  const auto storage = GENERATE(precision::float64, precision::float32);
  const auto r = run(f, y, gaussian_dropout(noise_std(0.01)),
                     {.noise_draws = 2, .seed = 3, .kernel = kernel, .leave_one_out = loo, .storage = storage});
  CHECK_THAT(r.label_mi->value, WithinAbs(std::log(2.0), 1e-9));
}

TEST_CASE("labels: 1-D two-class mixture against quadrature", "[dropout][labels][quadrature]") {
  // Four points, two per class, overlapping at s = 0.3 so that neither I is at a limit.
  const std::vector<double> pts = {1.0, 1.4, 2.2, 3.5};
  const std::vector<int> y = {0, 0, 1, 1};
  const double s = 0.3;
  const auto truth = test::dropout_truth(pts, y, s);
  Eigen::MatrixXd f(4, 1);
  for (int i = 0; i < 4; ++i) f(i, 0) = pts[std::size_t(i)];
  const auto r = run(f, y, gaussian_dropout(noise_std(s)), {.noise_draws = 40000, .seed = 7});
  INFO("I(Z;Y) mc=" << r.label_mi->value << " se=" << *r.label_mi->std_error << " truth=" << truth.i_zy
                    << "; I(X;Z) mc=" << r.mi.value << " truth=" << truth.i_xz);
  REQUIRE(truth.i_zy > 0.1);
  REQUIRE(truth.i_zy < std::log(2.0) - 0.1);
  CHECK(std::abs(r.label_mi->value - truth.i_zy) < 4.0 * *r.label_mi->std_error);
  CHECK(std::abs(r.mi.value - truth.i_xz) < 4.0 * *r.mi.std_error);
  CHECK(*r.label_mi->std_error < 0.01);
}

TEST_CASE("labels: one point per class gives I(Z:Y) = I(X:Z) draw by draw", "[dropout][labels][closed]") {
  const auto f = make_toy_representation(60, 2, 5);
  std::vector<int> y(60);
  for (int i = 0; i < 60; ++i) y[std::size_t(i)] = 59 - i;
  const auto r = run(f, y, test::var04, {.noise_draws = 5, .seed = 1});
  CHECK_THAT(r.label_mi->value, WithinAbs(r.mi.value, 1e-12));
  CHECK_THAT(r.mi_given_labels, WithinAbs(0.0, 1e-12));
}

TEST_CASE("labels: one class gives I(Z:Y) = 0 and leaves I(X:Z) bit-identical", "[dropout][labels][closed]") {
  const auto f = make_toy_representation(300, 3, 6);
  const std::vector<int> y(300, 4);
  const dropout_mixture_options o{.noise_draws = 3, .seed = 8};
  const auto a = dropout_mixture(o).report(noisy_representation{f, test::var01});
  const auto b = run(f, y, test::var01, o);
  CHECK(b.label_mi->value == 0.0);
  CHECK(b.mi.value == a.mi.value);
  CHECK(*b.mi.std_error == *a.mi.std_error);
  CHECK(b.mi_leave_one_out == a.mi_leave_one_out);
  CHECK(b.h_z == a.h_z);
  CHECK_FALSE(a.label_mi);
}

TEST_CASE("labels: several classes change I(X:Z) only by rounding", "[dropout][labels]") {
  const auto f = make_toy_representation(500, 4, 2);
  std::vector<int> y(500);
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = int(i % 7);
  const dropout_mixture_options o{.noise_draws = 2, .seed = 4};
  const auto a = dropout_mixture(o).report(noisy_representation{f, test::var01});
  const auto b = run(f, y, test::var01, o);
  CHECK(b.mi.value == Approx(a.mi.value).epsilon(1e-10));
  CHECK(b.mi_leave_one_out == Approx(a.mi_leave_one_out).epsilon(1e-10));
  CHECK(b.h_z == Approx(a.h_z).epsilon(1e-10));
}

TEST_CASE("labels independent of f give I(Z:Y) near 0", "[dropout][labels]") {
  // Dataset target: with random labels on N points the exact value is not 0 but about
  // (C - 1) / (2 n_eff), n_eff = N e^-I(X;Z) points per neighbourhood: here < 0.002.
  const std::size_t n = 3000;
  const auto f = make_toy_representation(n, 1, 12);
  std::vector<int> y(n);
  for (std::size_t i = 0; i < n; ++i) y[i] = int(detail::rng_stream(99, i).below(2));
  const auto r = run(f, y, test::var04, {.noise_draws = 4, .seed = 3});
  INFO("I(Z;Y)=" << r.label_mi->value << " se=" << *r.label_mi->std_error << " I(X;Z)=" << r.mi.value);
  CHECK(r.mi.value > 0.5);
  CHECK(r.label_mi->value > -3.0 * *r.label_mi->std_error);
  CHECK(r.label_mi->value < 0.002 + 3.0 * *r.label_mi->std_error);
}

TEST_CASE("labels: I(Z:Y) <= min(I(X:Z), H(Y))", "[dropout][labels]") {
  const double var = GENERATE(0.05, 0.4, 2.0);
  const std::size_t d = GENERATE(1u, 8u);
  const auto f = make_toy_representation(400, d, 17);
  std::vector<int> y(400);
  // Labels that depend on f (sign of the first unit's x) and on chance.
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = (f(Eigen::Index(i), 0) > 0.5) + 2 * int(i % 2);
  const auto r = run(f, y, gaussian_dropout(noise_variance(var)), {.noise_draws = 3, .seed = 5});
  INFO("var=" << var << " d=" << d << " I(Z;Y)=" << r.label_mi->value << " I(X;Z)=" << r.mi.value
              << " I(X;Z|Y)=" << r.mi_given_labels << " +- " << r.mi_given_labels_std_error);
  CHECK(r.label_mi->value <= r.mi.value + 3.0 * r.mi_given_labels_std_error);
  CHECK(r.mi_given_labels >= -3.0 * r.mi_given_labels_std_error);
  CHECK(r.label_mi->value <= *r.label_mi->ceiling);
  CHECK_THAT(r.mi.value - r.label_mi->value, WithinAbs(r.mi_given_labels, 1e-9));
}

TEST_CASE("labels that are the zero pattern give I(Z:Y) = H(pattern)", "[dropout][labels][zeros]") {
  // Components of different patterns have disjoint supports, however much they overlap otherwise.
  const std::size_t n = 240;
  Eigen::MatrixXd f = make_toy_representation(n, 3, 21);
  std::vector<int> y(n);
  for (std::size_t i = 0; i < n; ++i) {
    y[i] = int(i % 3);
    if (y[i] > 0) f(Eigen::Index(i), y[i]) = 0.0;  // patterns {all}, {unit 1 zero}, {unit 2 zero}
  }
  const auto r = run(f, y, test::var04, {.noise_draws = 2, .seed = 1});
  CHECK(r.zero_patterns == 3);
  CHECK_THAT(r.label_mi->value, WithinAbs(std::log(3.0), 1e-12));
}

TEST_CASE("labels with subsampled components: the chosen points' H(Y) is the ceiling", "[dropout][labels][subset]") {
  const auto f = clusters(3, 40, 2, 6);
  std::vector<int> y(f.rows());
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = int(i / 40);
  const auto r = run(f, y, gaussian_dropout(noise_std(0.01)), {.noise_draws = 2, .seed = 11, .components = 50});
  CHECK(r.label_mi->n_samples == 50);
  CHECK(*r.label_mi->ceiling > 0.5);
  CHECK(*r.label_mi->ceiling <= std::log(3.0) + 1e-12);
  CHECK_THAT(r.label_mi->value, WithinAbs(*r.label_mi->ceiling, 1e-9));
}

TEST_CASE("labels: results do not depend on the thread count", "[dropout][labels][threads]") {
  const auto f = make_toy_representation(700, 5, 3);
  std::vector<int> y(700);
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = int(i % 4);
  const auto a = run(f, y, test::var01, {.noise_draws = 2, .seed = 2, .threads = 1});
  const auto b = run(f, y, test::var01, {.noise_draws = 2, .seed = 2, .threads = 3});
  CHECK(a.label_mi->value == b.label_mi->value);
  CHECK(*a.label_mi->std_error == *b.label_mi->std_error);
  CHECK(a.mi.value == b.mi.value);
}

TEST_CASE("labels: a length that differs from N is refused, naming both", "[dropout][labels][errors]") {
  const auto f = make_toy_representation(10, 2, 1);
  const std::vector<int> y(9, 0);
  CHECK_THROWS_AS(run(f, y, test::var01), infoplane::invalid_argument);
  CHECK_THROWS_WITH(run(f, y, test::var01), Catch::Contains("labels has 9 entries") && Catch::Contains("10 rows"));
}

TEMPLATE_TEST_CASE("kernels: an own index that matches no component keeps every component", "[kernel][labels]", float,
                   double) {
  // The dropout estimator's per-class passes rely on this for samples of other classes.
  auto pr = test::make_kernel_problem<TestType>(200, 70, 12);
  std::fill(pr.own.begin(), pr.own.end(), std::numeric_limits<std::uint32_t>::max());
  const auto kernel = GENERATE(mixture_kernel::scalar_reference, mixture_kernel::simd_brute_force,
                               mixture_kernel::simd_pruned, mixture_kernel::simd_screened);
  std::vector<double> out(pr.p);
  mixture_evaluator<TestType>(pr.mixture(), kernel)(pr.samples(), out.data());
  for (std::size_t i = 0; i < pr.p; ++i) {
    // Direct sum over all K components in long double.
    long double mx = -INFINITY;
    std::vector<long double> w(pr.k);
    for (std::size_t j = 0; j < pr.k; ++j) {
      long double q = 0;
      for (std::size_t c = 0; c < pr.d; ++c) {
        const long double diff = (long double)pr.z[i * pr.d + c] - (long double)pr.mean[j * pr.d + c];
        q += diff * diff * (long double)pr.half_prec[j * pr.d + c];
      }
      w[j] = (long double)pr.log_norm[j] - q;
      mx = std::max(mx, w[j]);
    }
    long double sum = 0;
    for (auto v : w) sum += std::exp(v - mx);
    const double want = double(mx + std::log(sum));
    INFO("sample " << i);
    const double tol = std::is_same_v<TestType, float> ? 1e-4 : 1e-9;  // float kernels sum in float
    CHECK_THAT(out[i], WithinAbs(want, tol * (1 + std::abs(want))));
  }
}
