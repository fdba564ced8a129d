// One information-plane point (plane/information_plane.hpp), against closed forms.
#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "infoplane/detail/rng.hpp"
#include "infoplane/plane/information_plane.hpp"
#include "infoplane/validation/toy.hpp"
#include "support/label_entropy.hpp"

using namespace infoplane;
using Catch::Matchers::WithinAbs;
using test::label_entropy;

namespace {

// n points, each in its own far-apart spot.
Eigen::MatrixXd separated(std::size_t n, std::size_t d) {
  Eigen::MatrixXd f(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(d));
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t k = 0; k < d; ++k) f(Eigen::Index(i), Eigen::Index(k)) = 1.0 + double((i * (k + 3)) % n) + 0.5 * double(k);
  return f;
}

const gaussian_dropout small_noise(noise_std(1e-3));

}  // namespace

TEST_CASE("plane: well-separated representations give I(X;Z) = log N and I(Z;Y) = H(Y)", "[plane][closed]") {
  const std::size_t n = 120;
  const auto f = separated(n, 3);
  std::vector<int> y(n);
  for (std::size_t i = 0; i < n; ++i) y[i] = int(i % 4 == 3 ? 2 : i % 2);  // unbalanced: 3 classes
  const auto p = information_plane_point(
      f, y, small_noise, {.noise_draws = 2, .label_estimators = {"mixture", "ksg", "edge", "binning"}});
  const double h_y = label_entropy(y);
  CHECK(std::abs(p.i_xz.value - std::log(double(n))) <= std::max(3.0 * *p.i_xz.std_error, 1e-9));
  CHECK(p.i_xz.status == estimate_status::saturated);
  CHECK(*p.i_xz.ceiling == Approx(std::log(double(n))));
  REQUIRE(p.i_zy_mixture);
  CHECK_THAT(p.i_zy_mixture->value, WithinAbs(h_y, 1e-9));
  CHECK_THAT(p.h_y, WithinAbs(h_y, 1e-12));
  CHECK(p.i_zy_mixture->target == estimate_target::dataset);
  CHECK(p.i_zy_mixture->status == estimate_status::saturated);
  REQUIRE(p.i_zy_ksg);  // one spot per point: KSG's k = 3 neighbours lie in other spots (next test)
  REQUIRE(p.i_zy_edge);
  REQUIRE(p.i_zy_binning);
  CHECK(p.i_zy_binning->value <= h_y + 1e-12);
  REQUIRE(p.i_xz_gauss_bound);
  CHECK(p.i_xz_gauss_bound->value >= p.i_xz.value - 3.0 * *p.i_xz.std_error);
  CHECK(p.n == n);
  CHECK(p.d == 3);
  CHECK(p.m == 2);
  CHECK(p.classes == 3);
  CHECK(p.seconds.count("i_xz"));
  CHECK(p.seconds.count("ksg"));
}

TEST_CASE("plane: one tight cluster per class gives I(Z;Y) = H(Y) for the label estimators", "[plane][closed]") {
  const std::size_t n = 600;
  Eigen::MatrixXd f(static_cast<Eigen::Index>(n), 2);
  std::vector<int> y(n);
  for (std::size_t i = 0; i < n; ++i) {
    y[i] = int(i % 3);
    auto rng = detail::rng_stream(3, i);
    for (Eigen::Index k = 0; k < 2; ++k) f(Eigen::Index(i), k) = 10.0 * (y[i] + 1) + rng.normal();
  }
  const auto p = information_plane_point(f, y, gaussian_dropout(noise_variance(1e-4)),  // sd 0.01 f: no overlap
                                         {.noise_draws = 2, .label_estimators = {"mixture", "ksg", "edge", "binning"}});
  INFO("mixture " << p.i_zy_mixture->value << ", ksg " << p.i_zy_ksg->value << ", edge " << p.i_zy_edge->value
                  << ", binning " << p.i_zy_binning->value);
  CHECK_THAT(p.i_zy_mixture->value, WithinAbs(std::log(3.0), 1e-9));
  CHECK_THAT(p.i_zy_ksg->value, WithinAbs(std::log(3.0), 0.01));
  CHECK_THAT(p.i_zy_edge->value, WithinAbs(std::log(3.0), 0.05));
  CHECK_THAT(p.i_zy_binning->value, WithinAbs(std::log(3.0), 1e-12));  // 30 bins: no bin spans two clusters
}

TEST_CASE("plane: identical rows give 0 everywhere", "[plane][closed]") {
  const Eigen::MatrixXd f = Eigen::MatrixXd::Constant(80, 4, 0.7);
  std::vector<int> y(80);
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = int(i % 2);
  const auto p = information_plane_point(f, y, gaussian_dropout(noise_variance(0.2)),
                                         {.noise_draws = 3, .label_estimators = {"mixture"}, .bins = {10}});
  CHECK_THAT(p.i_xz.value, WithinAbs(0.0, 1e-12));
  CHECK_THAT(p.i_zy_mixture->value, WithinAbs(0.0, 1e-12));
  CHECK_THAT(p.i_xz_gauss_bound->value, WithinAbs(0.0, 1e-9));
  REQUIRE(p.binning.size() == 1);
  CHECK(p.binning[0].i_xt.value == 0.0);
  CHECK(p.binning[0].i_ty.value == 0.0);
}

TEST_CASE("plane: labels independent of Z give I(Z;Y) near 0 for every label estimator", "[plane][independent]") {
  const std::size_t n = 4000;
  const auto f = make_toy_representation(n, 1, 31);
  std::vector<int> y(n);
  for (std::size_t i = 0; i < n; ++i) y[i] = int(detail::rng_stream(5, i).below(2));
  const auto p = information_plane_point(
      f, y, gaussian_dropout(noise_variance(0.4)),
      {.noise_draws = 1, .label_estimators = {"mixture", "edge", "ksg", "binning"}, .bins = {30}});
  INFO("mixture " << p.i_zy_mixture->value << " +- " << *p.i_zy_mixture->std_error << ", edge " << p.i_zy_edge->value
                  << ", ksg " << p.i_zy_ksg->value << ", binning " << p.i_zy_binning->value);
  CHECK(std::abs(p.i_zy_mixture->value) < 0.003 + 3.0 * *p.i_zy_mixture->std_error);
  CHECK(std::abs(p.i_zy_ksg->value) < 0.01);
  // EDGE floors every cell at 0.001 nats; binning's plug-in is biased up by about (K - 1)(C - 1) / 2N.
  CHECK(p.i_zy_edge->value < 0.02);
  CHECK(p.i_zy_binning->value >= 0.0);
  CHECK(p.i_zy_binning->value < 0.01);
  for (const auto* r : {&p.i_zy_mixture, &p.i_zy_edge, &p.i_zy_ksg, &p.i_zy_binning})
    CHECK((*r)->status != estimate_status::bound_violated);
}

TEST_CASE("plane: binning plane against hand counts", "[plane][binning]") {
  // Two equal-width bins over [0, 1]: codes 0 0 1 1 1; labels 0 0 1 1 0.
  Eigen::MatrixXd f(5, 1);
  f << 0.0, 0.1, 0.5, 0.9, 1.0;
  const std::vector<int> y = {0, 0, 1, 1, 0};
  const Eigen::MatrixXd g = f.array() + 0.5;  // bins over [0.5, 1.5]: the same codes
  const auto q = information_plane_point(g, y, small_noise, {.gaussian_bound = false, .label_estimators = {}, .bins = {2}});
  const double h_t = -(0.4 * std::log(0.4) + 0.6 * std::log(0.6));
  // I(T;Y) = H(Y) - H(Y|T): T=0 holds y {0,0} (H 0), T=1 holds {1,1,0}.
  const double h_y = -(0.6 * std::log(0.6) + 0.4 * std::log(0.4));
  const double h_y_t = 0.6 * -((2.0 / 3) * std::log(2.0 / 3) + (1.0 / 3) * std::log(1.0 / 3));
  REQUIRE(q.binning.size() == 1);
  CHECK(*q.binning[0].bins == 2);
  CHECK_THAT(q.binning[0].i_xt.value, WithinAbs(h_t, 1e-12));
  CHECK_THAT(q.binning[0].i_ty.value, WithinAbs(h_y - h_y_t, 1e-12));
  CHECK_FALSE(q.i_xz_gauss_bound);
  CHECK_FALSE(q.i_zy_mixture);
  // By size: floor(v / 0.5) of 0.5..1.5 gives 1 1 2 2 3.
  const auto r = information_plane_point(g, y, small_noise, {.label_estimators = {}, .bin_sizes = {0.5}});
  const double h_sz = -(2 * 0.4 * std::log(0.4) + 0.2 * std::log(0.2));
  CHECK_THAT(r.binning[0].i_xt.value, WithinAbs(h_sz, 1e-12));
  CHECK(*r.binning[0].bin_size == 0.5);
}

TEST_CASE("plane: the cross-entropy bound and the held-out bracket", "[plane][bounds]") {
  const auto f = make_toy_representation(300, 2, 3);
  std::vector<int> y(300);
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = f(Eigen::Index(i), 0) > 0.5;
  const double h_y = label_entropy(y);
  information_plane_options o{.noise_draws = 2, .cross_entropy = 0.3};
  const auto train = information_plane_point(f, y, gaussian_dropout(noise_variance(0.1)), o);
  REQUIRE(train.i_zy_ce_bound);
  CHECK_THAT(train.i_zy_ce_bound->value, WithinAbs(h_y - 0.3, 1e-12));
  CHECK(train.i_zy_ce_bound->kind == bound_kind::lower_bound);
  CHECK(train.i_zy_ce_bound->target == estimate_target::population);
  CHECK_FALSE(train.i_zy_lower);  // not held out: no population bracket
  CHECK_FALSE(train.i_zy_upper);
  o.held_out = true;
  o.split = "test";
  o.class_entropy = std::log(2.0);
  const auto test = information_plane_point(f, y, gaussian_dropout(noise_variance(0.1)), o);
  CHECK_THAT(*test.i_zy_lower, WithinAbs(std::log(2.0) - 0.3, 1e-12));
  CHECK_THAT(*test.i_zy_upper, WithinAbs(test.i_zy_mixture->value + std::log(2.0) - h_y, 1e-12));
}

TEST_CASE("plane: a value above a data-processing bound is flagged", "[plane][bounds]") {
  // Identical rows: I(X;Z) = 0 (plug-in and leave-one-out), so H(Y) - CE = H(Y) > 0 violates it.
  const Eigen::MatrixXd f = Eigen::MatrixXd::Constant(50, 2, 1.3);
  std::vector<int> y(50);
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = int(i % 2);
  const auto p = information_plane_point(f, y, gaussian_dropout(noise_variance(0.1)),
                                         {.noise_draws = 2, .cross_entropy = 0.0});
  CHECK(p.i_zy_ce_bound->status == estimate_status::bound_violated);
  CHECK(to_string(p.i_zy_ce_bound->status) == "bound_violated");
  CHECK(p.i_zy_mixture->status != estimate_status::bound_violated);
}

TEST_CASE("plane: seeded by (seed, epoch, split), not by the thread count", "[plane][seed]") {
  const auto f = make_toy_representation(400, 3, 8);
  std::vector<int> y(400);
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = int(i % 3);
  auto point = [&](std::uint64_t epoch, std::string split, unsigned threads) {
    return information_plane_point(f, y, gaussian_dropout(noise_variance(0.4)),
                                   {.noise_draws = 2, .seed = 5, .epoch = epoch, .split = split, .threads = threads,
                                    .label_estimators = {"mixture", "ksg", "edge"}});
  };
  const auto a = point(4, "train", 1), b = point(4, "train", 2), c = point(6, "train", 1), e = point(4, "test", 1);
  CHECK(a.i_xz.value == b.i_xz.value);
  CHECK(a.i_zy_mixture->value == b.i_zy_mixture->value);
  CHECK(a.i_zy_ksg->value == b.i_zy_ksg->value);
  CHECK(a.i_zy_edge->value == b.i_zy_edge->value);
  CHECK(a.i_xz.value != c.i_xz.value);
  CHECK(a.i_xz.value != e.i_xz.value);
  CHECK(detail::point_seed(5, 4, "train") != detail::point_seed(5, 4, "test"));
}

TEST_CASE("plane: float, row-major input gives the same point as double column-major", "[plane][layout]") {
  Eigen::MatrixXd f = make_toy_representation(200, 3, 2);
  f = (f * 8).array().round() / 8;  // exact in float
  const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> g = f.cast<float>();
  std::vector<std::int64_t> y(200);
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = std::int64_t(i % 2);
  const information_plane_options o{.noise_draws = 2, .bins = {5}};
  const auto a = information_plane_point(f, y, gaussian_dropout(noise_variance(0.3)), o);
  const auto b = information_plane_point(g, y, gaussian_dropout(noise_variance(0.3)), o);
  CHECK(a.i_xz.value == Approx(b.i_xz.value).epsilon(1e-12));
  CHECK(a.i_zy_mixture->value == Approx(b.i_zy_mixture->value).epsilon(1e-12));
  CHECK(a.binning[0].i_xt.value == b.binning[0].i_xt.value);
}

TEST_CASE("plane: bad options and inputs fail naming the problem", "[plane][errors]") {
  const auto f = make_toy_representation(20, 2, 1);
  const std::vector<int> y(20, 0), short_y(19, 0);
  const gaussian_dropout nz(noise_variance(0.1));
  CHECK_THROWS_WITH(information_plane_point(f, short_y, nz, {}), Catch::Contains("labels has 19 entries"));
  CHECK_THROWS_WITH(information_plane_point(f, y, nz, {.label_estimators = {"mine"}}),
                    Catch::Contains("unknown label estimator 'mine'"));
  CHECK_THROWS_WITH(information_plane_point(f, y, nz, {.bins = {3}, .bin_sizes = {0.1}}), Catch::Contains("not both"));
  Eigen::MatrixXd bad = f;
  bad(3, 1) = std::nan("");
  CHECK_THROWS_WITH(information_plane_point(bad, y, nz, {}), Catch::Contains("row 3, column 1"));
}

TEST_CASE("plane: the progress callback sees every part", "[plane]") {
  const auto f = make_toy_representation(50, 2, 1);
  const std::vector<int> y(50, 1);
  std::vector<std::string> parts;
  information_plane_options o{.label_estimators = {"mixture", "binning"}, .bins = {4}};
  o.progress = [&](std::string_view part, double s) {
    parts.emplace_back(part);
    CHECK(s >= 0);
  };
  (void)information_plane_point(f, y, gaussian_dropout(noise_variance(0.1)), o);
  CHECK(parts == std::vector<std::string>{"i_xz", "gauss_bound", "noisy_draws", "binning", "binning_plane"});
}
