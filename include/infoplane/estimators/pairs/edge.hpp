#pragma once
// EDGE, the Ensemble Dependency Graph Estimator (Noshad, Zeng & Hero 2019), following the
// reference code version 4.3.1 that the paper used, with its *actual* defaults (its header
// comment lists others: 'fixed', normalize_epsilon=False, L=5). Results in nats, as in the
// paper's vendored copy (upstream reports bits). Deterministic for a given seed; the reference
// reseeds NumPy with 3334 inside the function instead.
//
// Algorithm:
//  1. gamma <- 0.9 gamma.
//  2. p-stable hashing: project X (N x d) to d' = min(d, floor(log2(N / 10))) (at least 1)
//     coordinates with W[i, c] ~ N(0, 1 / (std(X_i) sqrt(d))^2) (std < 1e-4 counts as 1).
//     `floor` hashing skips the projection.
//  3. Bandwidth per projected coordinate, unless given: mean distance from r = 500 random
//     query points to their k-th nearest value (the point itself is the first), with
//     k = floor(0.43 N^(2/3 + 0.17 d' / (d' + 1)) exp(-1 / max(10000, d'^4))), plus 1e-4;
//     then eps = that * 3 d' * gamma.
//  4. Ensemble of L: eps_j = eps * T_j with T = linspace(1, 1 + eps_range_factor, L) ('range')
//     or ones ('fixed'), shifts b_j = (j / L) eps_j (or 0.1 U(0,1) eps_j if stochastic).
//  5. Base estimate: bucket h(v) = floor((v + b) / eps) per coordinate; with counts N_i, M_j,
//     N_ij, I_j = (1/N) sum_ij N_ij max(min(ln(N_ij N / (N_i M_j)), U), 0.001).
//  6. Combine by median (default) or mean.
//  7. normalize_epsilon: gamma <- gamma 2^(-sqrt(2 I) + 0.5 / I), then the whole estimator runs
//     once more without normalisation (so step 1 scales gamma by 0.9 again, as in the code).
// Pitfalls kept on purpose, so that results match the paper's tool: the U clip caps the total
// at U; the 0.001 floor makes every term positive, so independent data give >= 0.001.
#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "infoplane/estimators/pairs/detail/discrete.hpp"
#include "infoplane/estimators/pairs/detail/kth_gap.hpp"
#include "infoplane/detail/rng.hpp"
#include "infoplane/detail/math.hpp"
#include "infoplane/detail/memory.hpp"
#include "infoplane/detail/parallel.hpp"
#include "infoplane/estimators/concepts.hpp"
#include "infoplane/inputs/samples.hpp"
#include "infoplane/results/estimate_result.hpp"
#include "infoplane/results/warnings.hpp"

namespace infoplane {

enum class edge_hashing { p_stable, floor };
enum class edge_epsilon_vector { range, fixed };
enum class edge_ensemble { median, average };

struct edge_options {
  double U = 10.0;                                    ///< per-cell clip (nats)
  std::array<double, 2> gamma{1.0, 1.0};              ///< bandwidth scale for X and Y
  std::array<double, 2> epsilon{0.0, 0.0};            ///< fixed bandwidths; 0: automatic (step 3)
  edge_epsilon_vector epsilon_vector = edge_epsilon_vector::range;
  double eps_range_factor = 0.1;
  bool normalize_epsilon = true;
  edge_ensemble ensemble = edge_ensemble::median;
  std::size_t L = 10;                                 ///< ensemble size
  edge_hashing hashing = edge_hashing::p_stable;
  bool stochastic = false;                            ///< random shifts instead of j / L
  std::size_t knn_queries = 500;                      ///< r in step 3
  std::uint64_t seed = 0;
  unsigned threads = 0;                               ///< ensemble members at once (0: all cores)
};

class edge {
 public:
  static constexpr std::string_view name = "edge";
  static constexpr bound_kind kind = bound_kind::point_estimate;

  explicit edge(edge_options options = {}) : opt_(options) {
    INFOPLANE_CHECK(opt_.L >= 1, "edge: L (ensemble size) must be >= 1");
    INFOPLANE_CHECK(opt_.U > 0.001, "edge: U must exceed the 0.001 floor");
    INFOPLANE_CHECK(opt_.gamma[0] > 0 && opt_.gamma[1] > 0, "edge: gamma must be > 0");
    INFOPLANE_CHECK(opt_.epsilon[0] >= 0 && opt_.epsilon[1] >= 0, "edge: epsilon must be >= 0");
    INFOPLANE_CHECK(opt_.eps_range_factor >= 0, "edge: eps_range_factor must be >= 0");
    INFOPLANE_CHECK(opt_.knn_queries >= 1, "edge: knn_queries must be >= 1");
  }

  template <class MX, class MY>
  [[nodiscard]] estimate_result estimate(const paired_samples<MX, MY>& in) const {
    validate(in, "edge");
    INFOPLANE_CHECK(in.x.rows() >= 2, "edge: too few samples: need at least 2");
    check_memory(static_cast<std::size_t>(in.x.rows()), static_cast<std::size_t>(in.x.cols()),
                 static_cast<std::size_t>(in.y.cols()));
    const matrix x = in.x.template cast<double>(), y = in.y.template cast<double>();
    const matrix xw = project(x, 0), yw = project(y, 1);
    const auto knn_x = knn_bandwidths(xw, opt_.epsilon[0], 0), knn_y = knn_bandwidths(yw, opt_.epsilon[1], 1);
    double value = run(xw, yw, knn_x, knn_y, opt_.gamma);
    if (opt_.normalize_epsilon) {
      const double f = std::pow(2.0, -std::sqrt(2.0 * value) + 0.5 / value);
      value = run(xw, yw, knn_x, knn_y, {0.9 * opt_.gamma[0] * f, 0.9 * opt_.gamma[1] * f});
    }
    auto r = detail::result_of<edge>();
    for (const auto& [knn, fixed, side] : {std::tuple{&knn_x, opt_.epsilon[0], "x"}, std::tuple{&knn_y, opt_.epsilon[1], "y"}})
      if (fixed == 0 && floor_sets_bandwidth(*knn))
        detail::add_warning(r, std::string("edge: the k-NN distances of ") + side +
                                   " are below the fixed 1e-4 that EDGE adds to its bandwidth (reference 4.3.1), "
                                   "so the bandwidth does not follow the data: on data varying by less than 1e-4 "
                                   "the samples share one cell and the estimate is its 0.001 floor; rescale " + side);
    r.value = value;
    r.n_samples = static_cast<std::size_t>(x.rows());
    r.ceiling = opt_.U;  // the per-cell clip caps the total
    r.status = detail::saturation_status(value, r.ceiling);
    detail::representation_warnings(r, in.x, "x");
    return r;
  }

 private:
  using matrix = Eigen::MatrixXd;

  // d' = min(d, log2(N / 10)), at least 1, as project() takes it (d itself with floor hashing).
  std::size_t projected_dims(std::size_t n, std::size_t d) const {
    if (opt_.hashing == edge_hashing::floor) return d;
    return std::size_t(std::clamp<Eigen::Index>(static_cast<Eigen::Index>(std::floor(std::log2(double(n) / 10.0))), 1,
                                                Eigen::Index(d)));
  }

  // Refused up front: the double copies of x and y, 8 N (dx + dy) bytes; the projections, 8 N d'
  // a side, and the d x d' weights; the sorted coordinate of the k-NN bandwidths, 8 N; and per
  // ensemble member in work (one per thread) a code book of up to N entries of d' 64-bit codes
  // and 64 bytes of hash node a side, cell counts (40 N) and 4-byte ids.
  void check_memory(std::size_t n, std::size_t dx, std::size_t dy) const {
    const std::size_t px = projected_dims(n, dx), py = projected_dims(n, dy);
    const long double rows = static_cast<long double>(n);
    const auto at_once = static_cast<long double>(std::min<std::size_t>(detail::resolve_threads(opt_.threads), opt_.L));
    const long double bytes = 8 * rows * (dx + dy) + 8 * rows * (px + py) + 8.0L * (dx * px + dy * py) + 8 * rows +
                              at_once * (8 * rows * (px + py) + rows * (2 * 64 + 40 + 12));
    detail::require_bytes(bytes, "edge: N = " + std::to_string(n) + " samples, dx = " + std::to_string(dx) +
                                     ", dy = " + std::to_string(dy) + " projected to " + std::to_string(px) + " and " +
                                     std::to_string(py));
  }

  matrix project(const matrix& m, std::uint64_t which) const {
    if (opt_.hashing == edge_hashing::floor) return m;
    const auto n = static_cast<double>(m.rows());
    const Eigen::Index d = m.cols();
    const auto dp = static_cast<Eigen::Index>(projected_dims(static_cast<std::size_t>(n), static_cast<std::size_t>(d)));
    auto rng = detail::make_stream(opt_.seed, detail::rng_purpose::data, (1ull << 50) + which);
    matrix w(d, dp);
    for (Eigen::Index i = 0; i < d; ++i) {
      const double mean = m.col(i).mean();
      double sd = detail::stable_rms((m.col(i).array() - mean).matrix());  // the plain formula overflows at 1e200
      if (sd < 1e-4) sd = 1.0;
      for (Eigen::Index c = 0; c < dp; ++c) w(i, c) = rng.normal() / (sd * std::sqrt(double(d)));
    }
    return m * w;
  }

  // Step 3 for one projected coordinate.
  double knn_bandwidth(const matrix& m, Eigen::Index col, std::uint64_t which) const {
    const std::size_t n = static_cast<std::size_t>(m.rows());
    const double dd = static_cast<double>(m.cols());
    std::vector<double> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = m(Eigen::Index(i), col);
    std::sort(v.begin(), v.end());
    auto k = static_cast<std::size_t>(std::floor(0.43 * std::pow(double(n), 2.0 / 3.0 + 0.17 * dd / (dd + 1.0)) *
                                                 std::exp(-1.0 / std::max(10000.0, std::pow(dd, 4.0)))));
    k = std::clamp<std::size_t>(k, 1, n);
    auto rng = detail::make_stream(opt_.seed, detail::rng_purpose::subsample, (which << 32) + std::uint64_t(col));
    double total = 0;
    for (std::size_t q = 0; q < opt_.knn_queries; ++q) total += detail::kth_nearest_gap(v, static_cast<std::size_t>(rng.below(n)), k);
    return total / static_cast<double>(opt_.knn_queries) + 1e-4;
  }

  // Step 3 for every coordinate of one side, once: both runs and the warning's test read it.
  std::vector<double> knn_bandwidths(const matrix& m, double fixed, std::uint64_t which) const {
    std::vector<double> b(static_cast<std::size_t>(m.cols()), fixed);
    if (fixed == 0)
      for (Eigen::Index c = 0; c < m.cols(); ++c) b[std::size_t(c)] = knn_bandwidth(m, c, which);
    return b;
  }

  // Whether the 1e-4 that step 3 adds exceeds the data's own k-NN distance on every coordinate.
  static bool floor_sets_bandwidth(const std::vector<double>& knn) {
    return std::all_of(knn.begin(), knn.end(), [](double b) { return b <= 2e-4; });
  }

  static std::vector<double> bandwidths(const std::vector<double>& knn, double gamma) {
    std::vector<double> eps(knn.size());
    const double dp = static_cast<double>(knn.size());
    for (std::size_t c = 0; c < knn.size(); ++c) eps[c] = knn[c] * 3.0 * dp * gamma;
    return eps;
  }

  std::vector<std::uint32_t> hash(const matrix& m, const std::vector<double>& eps, const std::vector<double>& shift,
                                  std::size_t& k) const {
    detail::code_book book;
    std::vector<std::uint32_t> ids(static_cast<std::size_t>(m.rows()));
    std::vector<std::int64_t> code(static_cast<std::size_t>(m.cols()));
    for (Eigen::Index r = 0; r < m.rows(); ++r) {
      for (Eigen::Index c = 0; c < m.cols(); ++c)
        code[std::size_t(c)] = static_cast<std::int64_t>(std::floor((m(r, c) + shift[std::size_t(c)]) / eps[std::size_t(c)]));
      ids[std::size_t(r)] = book.id(code);
    }
    k = book.size();
    return ids;
  }

  double base_estimate(const std::vector<std::uint32_t>& ix, std::size_t kx, const std::vector<std::uint32_t>& iy,
                       std::size_t ky) const {
    std::size_t kxy = 0;
    const auto ixy = detail::joint_ids(ix, iy, kxy);
    std::vector<std::size_t> nx(kx), ny(ky), nxy(kxy);
    std::vector<std::pair<std::uint32_t, std::uint32_t>> cell(kxy);
    for (std::size_t i = 0; i < ix.size(); ++i) {
      ++nx[ix[i]], ++ny[iy[i]], ++nxy[ixy[i]];
      cell[ixy[i]] = {ix[i], iy[i]};
    }
    const double n = static_cast<double>(ix.size());
    double total = 0;
    for (std::size_t c = 0; c < kxy; ++c) {
      const double ratio = double(nxy[c]) * n / (double(nx[cell[c].first]) * double(ny[cell[c].second]));
      total += double(nxy[c]) * std::max(std::min(std::log(ratio), opt_.U), 0.001);
    }
    return total / n;
  }

  double run(const matrix& xw, const matrix& yw, const std::vector<double>& knn_x, const std::vector<double>& knn_y,
             std::array<double, 2> gamma) const {
    gamma = {0.9 * gamma[0], 0.9 * gamma[1]};
    const auto ex = bandwidths(knn_x, gamma[0]), ey = bandwidths(knn_y, gamma[1]);
    auto shift_rng = detail::make_stream(opt_.seed, detail::rng_purpose::noise, 7);
    // Each member's bandwidths and shifts in turn (the shifts share one stream), then the
    // members on the threads, each estimate in its own slot: the same for any thread count.
    struct member {
      std::vector<double> ex, bx, ey, by;
    };
    std::vector<member> members(opt_.L);
    for (std::size_t j = 0; j < opt_.L; ++j) {
      const double t = opt_.epsilon_vector == edge_epsilon_vector::fixed || opt_.L == 1
                           ? 1.0
                           : 1.0 + opt_.eps_range_factor * double(j) / double(opt_.L - 1);
      auto scaled = [&](const std::vector<double>& e, std::vector<double>& shift) {
        std::vector<double> out(e.size());
        shift.resize(e.size());
        for (std::size_t c = 0; c < e.size(); ++c) {
          out[c] = e[c] * t;
          shift[c] = (opt_.stochastic ? 0.1 * shift_rng.uniform() : double(j) / double(opt_.L)) * out[c];
        }
        return out;
      };
      members[j].ex = scaled(ex, members[j].bx);
      members[j].ey = scaled(ey, members[j].by);
    }
    std::vector<double> estimates(opt_.L);
    detail::parallel_for(opt_.L, opt_.threads, 1, [&](std::size_t j0, std::size_t j1) {
      for (std::size_t j = j0; j < j1; ++j) {
        std::size_t kx = 0, ky = 0;
        const auto ix = hash(xw, members[j].ex, members[j].bx, kx), iy = hash(yw, members[j].ey, members[j].by, ky);
        estimates[j] = base_estimate(ix, kx, iy, ky);
      }
    });
    if (opt_.ensemble == edge_ensemble::average) {
      double s = 0;
      for (double e : estimates) s += e;
      return s / double(estimates.size());
    }
    std::sort(estimates.begin(), estimates.end());
    const std::size_t m = estimates.size();
    return m % 2 ? estimates[m / 2] : 0.5 * (estimates[m / 2 - 1] + estimates[m / 2]);
  }

  edge_options opt_;
};

}  // namespace infoplane
