// Binning, KSG and EDGE against closed forms, discrete cases with exact answers, and EDGE
// cases worked by hand from the published algorithm.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <string>
#include <limits>

#include "infoplane/estimators/pairs/binning.hpp"
#include "infoplane/estimators/pairs/edge.hpp"
#include "infoplane/estimators/pairs/gaussian_mi.hpp"
#include "infoplane/estimators/pairs/ksg.hpp"
#include "infoplane/kernels/max_norm.hpp"
#include "support/correlated_gaussians.hpp"
#include "support/two_component_truth.hpp"

using namespace infoplane;
using Catch::Matchers::WithinAbs;
using mat = Eigen::MatrixXd;

TEST_CASE("sample-pair estimators satisfy the Estimator concept", "[classic][concept]") {
  using pairs = paired_samples<mat, mat>;
  STATIC_REQUIRE(Estimator<binning, pairs>);
  STATIC_REQUIRE(Estimator<ksg, pairs>);
  STATIC_REQUIRE(Estimator<edge, pairs>);
  STATIC_REQUIRE(!Estimator<ksg, noisy_representation<mat>>);
}

// ---------------------------------------------------------------- binning

TEST_CASE("binning: discrete cases with exact answers", "[classic][binning]") {
  mat x(8, 1), y(8, 1), z(8, 1);
  x << 0, 1, 2, 3, 0, 1, 2, 3;
  y << 0, 1, 2, 3, 0, 1, 2, 3;  // Y = X: I = H(X) = log 4
  z << 0, 0, 0, 0, 1, 1, 1, 1;  // independent of X: I = 0 exactly
  const binning b({.bin_size = 1.0});
  CHECK(b.estimate(paired_samples{x, y}).value == Approx(std::log(4.0)).epsilon(1e-14));
  CHECK_THAT(b.estimate(paired_samples{x, z}).value, WithinAbs(0.0, 1e-14));
  CHECK(b.binned_entropy(x).value == Approx(std::log(4.0)).epsilon(1e-14));
  // Four equal-width bins over [0, 3] give the same cells.
  CHECK(binning({.bins = 4}).estimate(paired_samples{x, y}).value == Approx(std::log(4.0)).epsilon(1e-14));
  // Eight distinct values with Y = X: I = log N, the ceiling, with or without Miller-Madow.
  mat u(8, 1);
  u << 0, 1, 2, 3, 4, 5, 6, 7;
  CHECK(b.estimate(paired_samples{u, u}).status == estimate_status::saturated);
  CHECK(binning({.bin_size = 1.0, .miller_madow = true}).estimate(paired_samples{u, u}).status ==
        estimate_status::saturated);
  // Labels as categories.
  CHECK(binning({.bin_size = 1.0, .discrete_y = true}).estimate(paired_samples{x, y}).value ==
        Approx(std::log(4.0)).epsilon(1e-14));
}

TEST_CASE("binning: global and per-unit ranges differ as they should", "[classic][binning]") {
  mat t(4, 2);
  t << 0, 0, 1, 0.1, 2, 0.2, 3, 0.3;  // unit 2 spans a tenth of the layer range
  // Global range [0, 3] with 2 bins: unit 2 always lands in bin 0 -> 2 codes.
  CHECK(binning({.bins = 2}).binned_entropy(t).value == Approx(std::log(2.0)));
  // Per-unit ranges: unit 2 splits too, but codes coincide with unit 1's -> still 2 codes.
  CHECK(binning({.bins = 2, .range = bin_range::per_unit}).binned_entropy(t).value == Approx(std::log(2.0)));
  // With 4 bins per unit, every row is its own code.
  CHECK(binning({.bins = 4, .range = bin_range::per_unit}).binned_entropy(t).value == Approx(std::log(4.0)));
  CHECK(binning({.bins = 4}).binned_entropy(t).value == Approx(std::log(4.0)));
}

TEST_CASE("binning: correlated Gaussians with fine bins and many samples", "[classic][binning]") {
  const auto g = test::correlated_gaussians(200000, 1, 0.8, 3);
  const auto r = binning({.bins = 40, .miller_madow = true}).estimate(paired_samples{g.x, g.y});
  CHECK_THAT(r.value, WithinAbs(g.mi, 0.02));
}

TEST_CASE("binning: Miller-Madow removes most of the plug-in bias under independence", "[classic][binning]") {
  double plug = 0, mm = 0;
  for (std::uint64_t s = 0; s < 20; ++s) {
    const auto g = test::correlated_gaussians(500, 1, 0.0, s);
    plug += binning({.bins = 8}).estimate(paired_samples{g.x, g.y}).value / 20;
    mm += binning({.bins = 8, .miller_madow = true}).estimate(paired_samples{g.x, g.y}).value / 20;
  }
  CHECK(plug > 0.03);  // roughly (8 - 1)^2 / (2 * 500) = 0.049
  CHECK(std::abs(mm) < 0.5 * plug);
}

TEST_CASE("binning: high dimensions cost O(N d) and hit log N", "[classic][binning]") {
  const auto g = test::correlated_gaussians(2000, 1000, 0.5, 1);
  const auto r = binning({.bins = 10}).binned_entropy(g.x);
  CHECK(r.value == Approx(std::log(2000.0)));
  CHECK(r.status == estimate_status::saturated);
}

TEST_CASE("binning: bad input", "[classic][binning][bad-input]") {
  CHECK_THROWS_AS(binning({.bins = 3, .bin_size = 1.0}), infoplane::invalid_argument);
  CHECK_THROWS_AS(binning(binning_options{}), infoplane::invalid_argument);
  CHECK_THROWS_AS(binning({.bins = 0}), infoplane::invalid_argument);
  CHECK_THROWS_AS(binning({.bin_size = -1.0}), infoplane::invalid_argument);
  mat x = mat::Ones(5, 2), y = mat::Ones(4, 1);
  CHECK_THROWS_WITH(binning().estimate(paired_samples{x, y}), Catch::Contains("mismatched shapes"));
  mat y5(5, 1);
  y5 << 0, 1, 0.5, 1, 0;
  CHECK_THROWS_WITH(binning({.bins = 2, .discrete_y = true}).estimate(paired_samples{x, y5}),
                    Catch::Contains("integer labels"));
  x(2, 1) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(binning().estimate(paired_samples{x, y5}), Catch::Contains("NaN"));
}

// ---------------------------------------------------------------- KSG

TEST_CASE("ksg: correlated Gaussians", "[classic][ksg][threads]") {
  const std::size_t d = GENERATE(1u, 2u);
  const double rho = GENERATE(0.0, 0.6, 0.9);
  const auto g = test::correlated_gaussians(3000, d, rho, d * 10 + std::size_t(rho * 10));
  const auto r = ksg().estimate(paired_samples{g.x, g.y});
  INFO("d=" << d << " rho=" << rho << " ksg=" << r.value << " truth=" << g.mi);
  CHECK_THAT(r.value, WithinAbs(g.mi, 0.03 + 0.03 * g.mi));
}

TEST_CASE("ksg: continuous-discrete (Ross) against quadrature", "[classic][ksg][threads]") {
  // Y uniform on {0, 1}, X | Y ~ N(2 Y, 1): I(X;Y) is the two-component mixture MI.
  const std::size_t n = 4000;
  mat x(n, 1), y(n, 1);
  auto rng = detail::rng_stream(5, 0);
  for (std::size_t i = 0; i < n; ++i) {
    y(Eigen::Index(i), 0) = double(i % 2);
    x(Eigen::Index(i), 0) = 2.0 * double(i % 2) + rng.normal();
  }
  const double truth = test::two_component_mi(0.0, 1.0, 2.0, 1.0);
  const auto r = ksg({.discrete_y = true}).estimate(paired_samples{x, y});
  CHECK_THAT(r.value, WithinAbs(truth, 0.03));
}

TEST_CASE("ksg: deterministic for any thread count, ties broken by seeded jitter", "[classic][ksg][threads]") {
  const auto g = test::correlated_gaussians(600, 2, 0.5, 2);
  CHECK(ksg({.threads = 1}).estimate(paired_samples{g.x, g.y}).value ==
        ksg({.threads = 3}).estimate(paired_samples{g.x, g.y}).value);
  mat q = (g.x.array() * 2).round().matrix();  // heavy ties
  const auto r = ksg().estimate(paired_samples{q, g.y});
  CHECK(std::isfinite(r.value));
}

TEST_CASE("ksg: bad input", "[classic][ksg][bad-input][threads]") {
  mat x = mat::Random(3, 1), y = mat::Random(3, 1);
  CHECK_THROWS_WITH(ksg().estimate(paired_samples{x, y}), Catch::Contains("too few samples"));
  CHECK_THROWS_AS(ksg({.k = 0}), infoplane::invalid_argument);
  mat y2 = mat::Random(10, 2), x10 = mat::Random(10, 1);
  CHECK_THROWS_WITH(ksg({.discrete_y = true}).estimate(paired_samples{x10, y2}), Catch::Contains("one label column"));
}

// ---------------------------------------------------------------- EDGE

TEST_CASE("edge: cases worked by hand with fixed bandwidths", "[classic][edge]") {
  // floor hashing, eps = [0.5, 0.5] scaled by 0.9 * gamma * 3 d' = 1.35 * gamma, L = 1, b = 0.
  // gamma = 1 / 1.35 makes eps exactly 0.5: codes floor(v / 0.5).
  const double g = 1.0 / 1.35;
  edge_options o{.gamma = {g, g}, .epsilon = {0.5, 0.5}, .epsilon_vector = edge_epsilon_vector::fixed,
                 .normalize_epsilon = false, .L = 1, .hashing = edge_hashing::floor};
  mat x(4, 1), y(4, 1), z(4, 1);
  x << 0, 0, 1, 1;
  y << 0, 0, 1, 1;
  z << 0, 1, 0, 1;
  // Y = X: two cells of 2 with N_i = M_j = 2: each term ln(2 * 4 / 4) = ln 2.
  CHECK(edge(o).estimate(paired_samples{x, y}).value == Approx(std::log(2.0)).epsilon(1e-12));
  // Independent: every ratio is 1, ln 1 = 0 is floored at 0.001.
  CHECK(edge(o).estimate(paired_samples{x, z}).value == Approx(0.001).epsilon(1e-12));
  // The U clip applies per cell: U = 0.5 caps ln 2.
  o.U = 0.5;
  CHECK(edge(o).estimate(paired_samples{x, y}).value == Approx(0.5).epsilon(1e-12));
}

TEST_CASE("edge: ensemble shifts and median, by hand", "[classic][edge]") {
  // L = 2, 'fixed': eps = 1 for both, shifts b_0 = 0, b_1 = 0.5.
  const double g = 1.0 / 2.7;  // 0.9 * 3 * g = 1 with epsilon 1
  const edge_options o{.gamma = {g, g}, .epsilon = {1.0, 1.0}, .epsilon_vector = edge_epsilon_vector::fixed,
                       .normalize_epsilon = false, .L = 2, .hashing = edge_hashing::floor};
  mat x(4, 1), y(4, 1);
  x << 0.2, 0.4, 0.6, 0.8;
  y << 0.2, 0.4, 0.6, 0.8;
  // j = 0: all values in one bucket -> one cell, ln(4 * 4 / 16) = 0 -> 0.001.
  // j = 1: floor(v + 0.5): {0, 0, 1, 1} for both -> ln 2.  Median of two = their mean.
  CHECK(edge(o).estimate(paired_samples{x, y}).value == Approx(0.5 * (0.001 + std::log(2.0))).epsilon(1e-12));
}

TEST_CASE("edge: dependence versus independence with the reference defaults", "[classic][edge]") {
  const auto dep = test::correlated_gaussians(4000, 2, 0.9, 1);
  const auto ind = test::correlated_gaussians(4000, 2, 0.0, 2);
  const auto a = edge().estimate(paired_samples{dep.x, dep.y});
  const auto b = edge().estimate(paired_samples{ind.x, ind.y});
  INFO("dependent " << a.value << " (truth " << dep.mi << "), independent " << b.value);
  CHECK(a.value > 0.5);
  CHECK(b.value < 0.15);
  CHECK(b.value >= 0.001);  // the floor
  CHECK(edge({.seed = 3}).estimate(paired_samples{dep.x, dep.y}).value ==
        edge({.seed = 3}).estimate(paired_samples{dep.x, dep.y}).value);
}

TEST_CASE("edge: bad input", "[classic][edge][bad-input]") {
  CHECK_THROWS_AS(edge({.L = 0}), infoplane::invalid_argument);
  CHECK_THROWS_AS(edge({.U = 0.0}), infoplane::invalid_argument);
  CHECK_THROWS_AS(edge({.gamma = {0.0, 1.0}}), infoplane::invalid_argument);
  mat x = mat::Ones(1, 1), y = mat::Ones(1, 1);
  CHECK_THROWS_WITH(edge().estimate(paired_samples{x, y}), Catch::Contains("too few samples"));
  mat e(0, 1);
  CHECK_THROWS_WITH(edge().estimate(paired_samples{e, e}), Catch::Contains("empty"));
}

TEST_CASE("edge: working memory refused up front, more with more ensemble members at once", "[classic][edge][memory]") {
  // N = 4000, dx = 8 (projected to 8), dy = 1: 1.62 MB with one member at a time, 2.62 MB with
  // two (code books, cells and ids per member).
  const mat x = mat::Random(4000, 8), y = mat::Random(4000, 1);
  ::setenv("INFOPLANE_MEMORY_LIMIT", "2000K", 1);
  CHECK_NOTHROW(edge({.threads = 1}).estimate(paired_samples{x, y}));
  std::string msg;
  try {
    (void)edge({.threads = 2}).estimate(paired_samples{x, y});
  } catch (const std::invalid_argument& err) {
    msg = err.what();
  }
  ::unsetenv("INFOPLANE_MEMORY_LIMIT");
  INFO(msg);
  CHECK(msg.find("edge: N = 4000 samples, dx = 8, dy = 1") != std::string::npos);
}

TEST_CASE("ksg: k-d tree (sorted line in 1-D) and brute force give identical values, with ties", "[classic][ksg][threads]") {
  const std::size_t d = GENERATE(1u, 3u);
  const bool ties = GENERATE(false, true);  // rounded data without jitter: exact ties at the radii
  auto g = test::correlated_gaussians(1500, d, 0.7, 4);
  if (ties) {
    g.x = (4.0 * g.x).array().round();
    g.y = (4.0 * g.y).array().round();
  }
  const double jitter = ties ? 0.0 : 1e-10;
  const auto tree = ksg({.jitter = jitter, .tree_max_dims = 100}).estimate(paired_samples{g.x, g.y});
  const auto brute = ksg({.jitter = jitter, .tree_max_dims = 0}).estimate(paired_samples{g.x, g.y});
  INFO("d=" << d << " ties=" << ties);
  CHECK(tree.value == brute.value);
  CHECK(tree.value > 0.1);
}

TEST_CASE("max-norm blocks: k-th distances and counts equal a scalar loop's, ties and partial tiles included", "[classic][ksg]") {
  const std::size_t n = GENERATE(2u, 9u, 17u, 130u, 700u), d = GENERATE(1u, 3u, 33u);
  const bool quantised = GENERATE(false, true);  // integer grid: many exact ties and duplicates
  // The counts scan in float beside the double: tiny and huge scales test its slack (1e38 is
  // beyond float's range, where the counts stay in double).
  const double scale = GENERATE(1.0, 1e-30, 3e30, 1e38);
  // Offset by 1000 (at scale 1): float coordinates then carry errors far above the gaps
  // between neighbours' distances, which only the slack and the double distances resolve.
  const bool offset = GENERATE(false, true);
  if (offset && scale != 1.0) return;
  mat pts = mat::Random(Eigen::Index(n), Eigen::Index(d));
  if (quantised) pts = (3.0 * pts).array().round();
  pts *= scale;
  if (offset) pts.array() += 1000.0;
  const Eigen::Matrix<double, -1, -1, Eigen::RowMajor> rm = pts;
  const max_norm_blocks set(rm.data(), n, d);
  // The order is a permutation of the rows.
  std::vector<std::size_t> seen = set.order();
  std::sort(seen.begin(), seen.end());
  for (std::size_t i = 0; i < n; ++i) REQUIRE(seen[i] == i);
  auto dist = [&](std::size_t i, std::size_t j) {
    double m = 0;
    for (std::size_t c = 0; c < d; ++c) m = std::max(m, std::abs(rm(Eigen::Index(i), Eigen::Index(c)) - rm(Eigen::Index(j), Eigen::Index(c))));
    return m;
  };
  const std::size_t k = std::min<std::size_t>(3, n - 1);
  for (std::size_t p0 = 0; p0 < n; p0 += 5) {  // 5 queries at a time: tiles never full
    const std::size_t nq = std::min<std::size_t>(5, n - p0);
    double eps[max_norm_blocks::tile], radius[max_norm_blocks::tile];
    std::size_t counts[max_norm_blocks::tile];
    std::size_t closer[max_norm_blocks::tile];
    set.kth_distances(p0, nq, k, eps, closer);
    for (std::size_t r = 0; r < nq; ++r) {
      const std::size_t i = set.order()[p0 + r];
      std::vector<double> all;
      for (std::size_t j = 0; j < n; ++j)
        if (j != i) all.push_back(dist(i, j));
      std::sort(all.begin(), all.end());
      INFO("n=" << n << " d=" << d << " quantised=" << quantised << " scale " << scale << " position " << p0 + r);
      REQUIRE(eps[r] == all[k - 1]);
      CHECK(closer[r] == std::size_t(std::count_if(all.begin(), all.end(), [&](double v) { return v < eps[r]; })));
      // radii at an exact tie (the k-th distance, which is out), wide, and none
      radius[r] = r % 3 == 0 ? eps[r] : r % 3 == 1 ? 0.7 * double(r) * scale : 0.0;
    }
    const auto check_counts = [&] {
      set.count_within(p0, nq, radius, counts);
      for (std::size_t r = 0; r < nq; ++r) {
        const std::size_t i = set.order()[p0 + r];
        std::size_t want = 0;
        for (std::size_t j = 0; j < n; ++j) want += dist(i, j) < radius[r];
        INFO("n=" << n << " d=" << d << " quantised=" << quantised << " scale " << scale << " position " << p0 + r
                  << " radius " << radius[r]);
        CHECK(counts[r] == want);
      }
    };
    check_counts();
    // Radii within float's rounding of a tie: one ulp above it (the tie is in), and 1e-7
    // relative either side, where the float distances cannot decide.
    for (int shift : {1, 2, 3}) {
      for (std::size_t r = 0; r < nq; ++r)
        radius[r] = shift == 1 ? std::nextafter(eps[r], INFINITY) : eps[r] * (shift == 2 ? 1 + 1e-7 : 1 - 1e-7);
      check_counts();
    }
    // Wide radii in the whole tile, so that blocks and panels are also counted whole.
    const double span = (quantised ? 3.0 : 1.0) * scale;
    for (std::size_t r = 0; r < nq; ++r) radius[r] = eps[r] + span * (1.2 + 0.2 * double(r));
    check_counts();
  }
}

TEST_CASE("max-norm blocks: counts from another set's queries equal a scalar loop's", "[classic][ksg]") {
  // Two sets whose coordinates rank differently by range (each stores its own order), at
  // scales where the float scan's slack must cover the larger set's magnitude.
  const std::size_t d = GENERATE(3u, 33u);
  const double scale_b = GENERATE(1.0, 1e6, 1e38);
  mat a = mat::Random(300, Eigen::Index(d)), b = mat::Random(200, Eigen::Index(d));
  for (Eigen::Index c = 0; c < Eigen::Index(d); ++c) {
    a.col(c) *= double(c + 1);
    b.col(c) *= scale_b * double(Eigen::Index(d) - c);
  }
  b.topRows(20) = a.topRows(20);  // exact duplicates across the sets: distance 0
  const Eigen::Matrix<double, -1, -1, Eigen::RowMajor> ra = a, rb = b;
  const max_norm_blocks sa(ra.data(), 300, d), sb(rb.data(), 200, d);
  for (std::size_t p0 = 0; p0 < 300; p0 += 7) {
    const std::size_t nq = std::min<std::size_t>(7, 300 - p0);
    double radius[max_norm_blocks::tile];
    std::size_t counts[max_norm_blocks::tile];
    for (std::size_t r = 0; r < nq; ++r) radius[r] = (r % 4 == 0 ? 0.0 : 0.3 * double(r)) * scale_b;
    sb.count_within(sa, p0, nq, radius, counts);
    for (std::size_t r = 0; r < nq; ++r) {
      const Eigen::Index i = Eigen::Index(sa.order()[p0 + r]);
      std::size_t want = 0;
      for (Eigen::Index j = 0; j < 200; ++j) want += (ra.row(i) - rb.row(j)).cwiseAbs().maxCoeff() < radius[r];
      INFO("d=" << d << " scale " << scale_b << " position " << p0 + r << " radius " << radius[r]);
      CHECK(counts[r] == want);
    }
  }
  const mat other = mat::Random(10, Eigen::Index(d) + 1);
  const Eigen::Matrix<double, -1, -1, Eigen::RowMajor> ro = other;
  const max_norm_blocks so(ro.data(), 10, d + 1);
  double r1[1] = {1.0};
  std::size_t c1[1];
  CHECK_THROWS_AS(sb.count_within(so, 0, 1, r1, c1), infoplane::invalid_argument);
}

TEST_CASE("ksg: brute force in high dimensions (18 joint) equals the k-d tree forced on", "[classic][ksg][threads]") {
  const auto g = test::correlated_gaussians(1003, 9, 0.5, 8);
  const auto tree = ksg({.threads = 2, .tree_max_dims = 100}).estimate(paired_samples{g.x, g.y});
  const auto brute = ksg({.threads = 3}).estimate(paired_samples{g.x, g.y});
  CHECK(tree.value == brute.value);
}

TEST_CASE("ksg (Ross): brute force in 20 dimensions equals the k-d tree forced on", "[classic][ksg][threads]") {
  // 3 classes: the brute force class by class (counts queried across the classes' sets);
  // 40: over every point at once (classes of fewer than 64 points on average). Quantised x:
  // exact ties at the k-th distance.
  const int n_labels = GENERATE(3, 40);
  const bool quantised = GENERATE(false, true);
  auto g = test::correlated_gaussians(1001, 20, 0.6, 9);
  if (quantised) g.x = (4.0 * g.x).array().round();
  mat labels(1001, 1);
  for (Eigen::Index i = 0; i < 1001; ++i)
    labels(i, 0) = n_labels == 3 ? (g.y(i, 0) > 0.5 ? 2.0 : g.y(i, 0) > -0.5 ? 1.0 : 0.0)
                                 : std::clamp(std::floor(g.y(i, 0) * 8.0), -20.0, 19.0);
  INFO("labels " << n_labels << " quantised " << quantised);
  const double jitter = quantised ? 0.0 : 1e-10;
  const auto tree = ksg({.jitter = jitter, .discrete_y = true, .threads = 2, .tree_max_dims = 100}).estimate(paired_samples{g.x, labels});
  const auto brute = ksg({.jitter = jitter, .discrete_y = true, .threads = 3}).estimate(paired_samples{g.x, labels});
  CHECK(tree.value == brute.value);
  CHECK(tree.value > (n_labels == 3 ? 0.05 : 0.01));
}

TEST_CASE("ksg (Ross): k-d tree (sorted line in 1-D) and brute force give identical values, singleton labels dropped", "[classic][ksg][threads]") {
  const std::size_t d = GENERATE(1u, 2u);
  const auto g = test::correlated_gaussians(900, d, 0.7, 6);
  mat labels(900, 1);
  for (Eigen::Index i = 0; i < 900; ++i) labels(i, 0) = g.y(i, 0) > 0 ? 1.0 : 0.0;
  labels(5, 0) = 7.0;  // a label that occurs once
  const auto tree = ksg({.discrete_y = true, .tree_max_dims = 100}).estimate(paired_samples{g.x, labels});
  const auto brute = ksg({.discrete_y = true, .tree_max_dims = 0}).estimate(paired_samples{g.x, labels});
  CHECK(tree.value == brute.value);
  CHECK(tree.value > 0.1);
}

TEST_CASE("gaussian-mi: -1/2 log(1 - r^2) of the sample correlation, and the closed form at large N", "[classic][gaussian_mi]") {
  const auto g = test::correlated_gaussians(500, 1, 0.6, 11);
  // Pearson's r from plain sums, independently of the estimator's log-determinants.
  const double n = 500, sx = g.x.sum(), sy = g.y.sum(), sxx = g.x.squaredNorm(), syy = g.y.squaredNorm(),
               sxy = g.x.col(0).dot(g.y.col(0));
  const double r = (n * sxy - sx * sy) / std::sqrt((n * sxx - sx * sx) * (n * syy - sy * sy));
  CHECK_THAT(gaussian_mi().estimate(paired_samples{g.x, g.y}).value, WithinAbs(-0.5 * std::log(1 - r * r), 1e-12));
  // Two independent correlated pairs: I = -log(1 - rho^2). The estimate's standard error is
  // about sqrt(2 rho^2 / N) = 0.008 at N = 20000 (bias d_x d_y / 2N = 1e-4): 0.02 is 2.5 of them.
  const auto h = test::correlated_gaussians(20000, 2, 0.8, 12);
  CHECK_THAT(gaussian_mi().estimate(paired_samples{h.x, h.y}).value, WithinAbs(h.mi, 0.02));
}

TEST_CASE("gaussian-mi: a singular covariance is a numerical issue, not a number", "[classic][gaussian_mi]") {
  const auto g = test::correlated_gaussians(200, 1, 0.5, 13);
  mat y(200, 2);
  y << g.y, 2.0 * g.y;  // rank 1
  const auto r = gaussian_mi().estimate(paired_samples{g.x, y});
  CHECK(r.status == estimate_status::numerical_issue);
  CHECK(std::isnan(r.value));
  CHECK(gaussian_mi({.ridge = 1e-3}).estimate(paired_samples{g.x, y}).ok());
  CHECK_THROWS_AS(gaussian_mi({.ridge = -1}), infoplane::invalid_argument);
}

TEST_CASE("edge: the k-th nearest value by bisection equals widening the window, ties included", "[classic][edge]") {
  // EDGE's step 3 as its reference code does it: widen a window around `at`, one nearer
  // neighbour at a time (the left one on a tie), and take the window's farther end.
  const auto widen = [](const std::vector<double>& v, std::size_t at, std::size_t k) {
    std::size_t lo = at, hi = at;
    for (std::size_t taken = 1; taken < k; ++taken) {
      if (lo == 0) ++hi;
      else if (hi + 1 == v.size()) --lo;
      else if (v[at] - v[lo - 1] <= v[hi + 1] - v[at]) --lo;
      else ++hi;
    }
    return std::max(v[at] - v[lo], v[hi] - v[at]);
  };
  auto rng = detail::rng_stream(11, 2);
  for (const bool ties : {false, true})
    for (std::size_t n : {1, 2, 3, 17, 200}) {
      std::vector<double> v(n);
      for (double& x : v) x = ties ? std::floor(6.0 * rng.uniform()) * 0.25 : rng.normal();
      std::sort(v.begin(), v.end());
      for (std::size_t at = 0; at < n; ++at)
        for (std::size_t k = 1; k <= n; ++k) {
          INFO("n " << n << " at " << at << " k " << k << (ties ? " ties" : ""));
          REQUIRE(detail::kth_nearest_gap(v, at, k) == widen(v, at, k));
        }
    }
}
