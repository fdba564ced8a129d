#pragma once
// Kraskov-Stoegbauer-Grassberger estimator, algorithm 1, max-norm (Kraskov et al. 2004):
//   I = psi(k) + psi(N) - < psi(n_x + 1) + psi(n_y + 1) >,
// eps_i the k-th neighbour distance in the joint space, n_x / n_y the points strictly closer
// than eps_i in each marginal. With discrete_y, Ross (2014): neighbours within the same label.
// Max-norm k-d trees (O(N log N) in low dimensions) up to `tree_max_dims` joint dimensions,
// brute force O(N^2 (dx + dy)) beyond, vectorised (kernels/max_norm.hpp); both threaded over
// points and giving identical counts.
//
// Preprocessing (documented because KSG is scale- and tie-sensitive): with `standardize`, each
// continuous column is centred and scaled to unit variance; with jitter > 0, seeded noise of
// that standard deviation breaks exact ties (quantised data, ReLU zeros), as scikit-learn does.
// Strict "<" is exact: no epsilon is subtracted. The raw value is returned (it can be < 0).
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <string_view>
#include <vector>

#include "infoplane/estimators/pairs/detail/digamma.hpp"
#include "infoplane/estimators/pairs/detail/kd_tree.hpp"
#include "infoplane/kernels/max_norm.hpp"
#include "infoplane/detail/parallel.hpp"
#include "infoplane/detail/rng.hpp"
#include "infoplane/detail/math.hpp"
#include "infoplane/detail/memory.hpp"
#include "infoplane/estimators/concepts.hpp"
#include "infoplane/inputs/samples.hpp"
#include "infoplane/results/estimate_result.hpp"
#include "infoplane/results/warnings.hpp"

namespace infoplane {

struct ksg_options {
  std::size_t k = 3;          ///< neighbours (Kraskov; NPEET and scikit-learn use 3)
  bool standardize = true;    ///< centre and scale each continuous column to unit variance
  double jitter = 1e-10;      ///< std of tie-breaking noise after standardisation; 0: none
  bool discrete_y = false;    ///< y holds labels: Ross (2014) continuous-discrete estimator
  std::uint64_t seed = 0;     ///< fixes the jitter
  unsigned threads = 0;       ///< 0: all cores
  std::size_t tree_max_dims = 6;  ///< k-d trees up to this many joint dimensions, brute force beyond (crossover: benchmarks/README.md)
};

class ksg {
 public:
  static constexpr std::string_view name = "ksg";
  static constexpr bound_kind kind = bound_kind::point_estimate;

  explicit ksg(ksg_options options = {}) : opt_(options) {
    INFOPLANE_CHECK(opt_.k >= 1, "ksg: k must be >= 1");
    INFOPLANE_CHECK(std::isfinite(opt_.jitter) && opt_.jitter >= 0, "ksg: jitter must be finite and >= 0");
  }

  template <class MX, class MY>
  [[nodiscard]] estimate_result estimate(const paired_samples<MX, MY>& in) const {
    validate(in, "ksg");
    const std::size_t n = static_cast<std::size_t>(in.x.rows());
    INFOPLANE_CHECK(n > opt_.k, "ksg: too few samples: N = " + std::to_string(n) + " must exceed k = " +
                                    std::to_string(opt_.k));
    check_memory(n, std::size_t(in.x.cols()), std::size_t(in.y.cols()));
    const matrix x = prepare(in.x, 0);
    auto r = detail::result_of<ksg>();
    r.n_samples = n;
    if (opt_.discrete_y) {
      INFOPLANE_CHECK(in.y.cols() == 1, "ksg: discrete_y needs one label column");
      r.value = ross(x, in.y);
      if (!std::isfinite(r.value))
        detail::add_warning(r, "ksg: fewer than 2 samples have a label that occurs more than once; Ross's "
                               "estimator leaves out labels seen once (is every sample its own class?)");
    } else {
      r.value = kraskov(x, prepare(in.y, 1));
    }
    if (!std::isfinite(r.value)) r.status = estimate_status::insufficient_samples;
    if (!opt_.discrete_y) detail::discrete_y_warning(r, in.y, "ksg");
    detail::representation_warnings(r, in.x, "x");
    return r;
  }

 private:
  using matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

  // Refuses up front what the allocations below would exceed: the standardised copies, 8 N d
  // bytes each; the terms and digamma table, 16 N; then either the joint copy and three k-d
  // trees, or the padded transposed scans, 8 N d per side, and each thread's two tiles of 8 x N
  // distances, 128 N. Ross: x's copies per class (3 x 8 N dx), a tree per class and one over all.
  void check_memory(std::size_t n, std::size_t dx, std::size_t dy) const {
    const long double rows = static_cast<long double>(n), padded = rows + 8;
    const unsigned threads = detail::resolve_threads(opt_.threads);
    long double bytes = 16 * rows;
    bool tree;
    if (opt_.discrete_y) {
      tree = dx <= opt_.tree_max_dims;
      bytes += 24 * rows * dx + 40 * rows;  // and class indices
      bytes += tree ? 2 * detail::kd_tree::bytes(n, dx) : 16 * padded * dx + 64 * padded * threads;
    } else {
      tree = dx + dy <= opt_.tree_max_dims;
      bytes += 8 * rows * (dx + dy);
      bytes += tree ? 8 * rows * (dx + dy) + detail::kd_tree::bytes(n, dx + dy) + detail::kd_tree::bytes(n, dx) +
                          detail::kd_tree::bytes(n, dy)
                    : 8 * padded * (dx + dy) + 128 * padded * threads;
    }
    detail::require_bytes(bytes, "ksg: N = " + std::to_string(n) + " samples, dx = " + std::to_string(dx) +
                                     ", dy = " + std::to_string(dy) +
                                     (tree ? " (k-d trees)" : " (brute force on " + std::to_string(threads) + " threads)"));
  }

  template <class M>
  matrix prepare(const M& m, std::uint64_t which) const {
    matrix out = m.template cast<double>();
    if (opt_.standardize) {
      for (Eigen::Index c = 0; c < out.cols(); ++c) {
        const double mean = out.col(c).mean();
        out.col(c).array() -= mean;
        // Not the plain sqrt(mean of squares): at 1e-200 or 1e200 the squares under- or
        // overflow, sd became 0 or inf, and the jitter alone was left (I near 0 for any data).
        const double sd = detail::stable_rms(out.col(c));
        if (sd > 0) out.col(c) /= sd;
      }
    }
    if (opt_.jitter > 0)
      for (Eigen::Index i = 0; i < out.rows(); ++i) {
        auto rng = detail::make_stream(opt_.seed, detail::rng_purpose::data, (which << 40) + std::uint64_t(i));
        for (Eigen::Index c = 0; c < out.cols(); ++c) out(i, c) += opt_.jitter * rng.normal();
      }
    return out;
  }

  double kraskov(const matrix& x, const matrix& y) const {
    const std::size_t n = static_cast<std::size_t>(x.rows()), k = opt_.k;
    const detail::digamma_table psi(n + 1);
    std::vector<double> term(n);
    if (std::size_t(x.cols() + y.cols()) <= opt_.tree_max_dims) {
      matrix joint(x.rows(), x.cols() + y.cols());
      joint << x, y;
      const detail::kd_tree tj(joint.data(), n, std::size_t(joint.cols()));
      const detail::kd_tree tx(x.data(), n, std::size_t(x.cols())), ty(y.data(), n, std::size_t(y.cols()));
      detail::parallel_for(n, opt_.threads, 256, [&](std::size_t b, std::size_t e) {
        for (std::size_t i = b; i < e; ++i) {
          const double eps = tj.kth_distance(i, k);
          term[i] = psi(tx.count_within(i, eps) + 1) + psi(ty.count_within(i, eps) + 1);
        }
      });
    } else {
      const max_norm_scan sx(x.data(), n, std::size_t(x.cols())), sy(y.data(), n, std::size_t(y.cols()));
      const std::size_t tile = max_norm_scan::tile, stride = sx.padded_size();
      detail::parallel_for((n + tile - 1) / tile, opt_.threads, 8, [&](std::size_t b, std::size_t e) {
        std::vector<double> dx(tile * stride), dy(tile * stride), best(k);
        for (std::size_t t = b; t < e; ++t) {
          const std::size_t i0 = t * tile, nq = std::min(tile, n - i0);
          sx.distances(x.data() + i0 * std::size_t(x.cols()), nq, dx.data(), stride);
          sy.distances(y.data() + i0 * std::size_t(y.cols()), nq, dy.data(), stride);
          for (std::size_t r = 0; r < nq; ++r) {
            const std::size_t i = i0 + r;
            const double *ax = dx.data() + r * stride, *ay = dy.data() + r * stride;
            std::fill(best.begin(), best.end(), std::numeric_limits<double>::infinity());
            sx.k_smallest(ax, ay, i, best);
            const double eps = best[k - 1];
            // minus the point itself, at distance 0
            const std::size_t nx = sx.count_below(ax, eps) - (0.0 < eps), ny = sy.count_below(ay, eps) - (0.0 < eps);
            term[i] = psi(nx + 1) + psi(ny + 1);
          }
        }
      });
    }
    double mean = 0;
    for (double t : term) mean += t;
    return psi(k) + psi(n) - mean / static_cast<double>(n);
  }

  template <class MY>
  double ross(const matrix& x, const MY& labels) const {
    std::map<double, std::vector<std::size_t>> classes;  // label -> rows
    for (Eigen::Index i = 0; i < labels.rows(); ++i) classes[static_cast<double>(labels(i, 0))].push_back(std::size_t(i));
    // Points whose label occurs once carry no neighbour information and are dropped (as in
    // scikit-learn); everything below works on the kept points only.
    std::vector<std::size_t> keep;
    for (const auto& [label, rows] : classes)
      if (rows.size() > 1) keep.insert(keep.end(), rows.begin(), rows.end());
    std::sort(keep.begin(), keep.end());
    const std::size_t n = keep.size();
    if (n < 2) return std::numeric_limits<double>::quiet_NaN();
    matrix xk(Eigen::Index(n), x.cols());
    std::vector<std::size_t> cls(n), local(n);
    std::vector<matrix> members;
    std::map<double, std::size_t> class_index;
    for (std::size_t a = 0; a < n; ++a) {
      xk.row(Eigen::Index(a)) = x.row(Eigen::Index(keep[a]));
      const double label = static_cast<double>(labels(Eigen::Index(keep[a]), 0));
      auto [it, fresh] = class_index.try_emplace(label, members.size());
      if (fresh) members.emplace_back(Eigen::Index(classes[label].size()), x.cols());
      cls[a] = it->second;
    }
    std::vector<std::size_t> fill(members.size(), 0);
    for (std::size_t a = 0; a < n; ++a) {
      local[a] = fill[cls[a]]++;
      members[cls[a]].row(Eigen::Index(local[a])) = xk.row(Eigen::Index(a));
    }
    const bool use_tree = std::size_t(x.cols()) <= opt_.tree_max_dims;
    std::vector<detail::kd_tree> class_trees;
    if (use_tree)
      for (const auto& m : members) class_trees.emplace_back(m.data(), std::size_t(m.rows()), std::size_t(m.cols()));
    const std::optional<detail::kd_tree> all =
        use_tree ? std::optional<detail::kd_tree>(std::in_place, xk.data(), n, std::size_t(xk.cols())) : std::nullopt;
    const detail::digamma_table psi(n + 1);
    std::vector<double> term(n);
    if (use_tree) {
      detail::parallel_for(n, opt_.threads, 64, [&](std::size_t b, std::size_t e) {
        for (std::size_t a = b; a < e; ++a) {
          const std::size_t nc = std::size_t(members[cls[a]].rows()), ki = std::min(opt_.k, nc - 1);
          const double eps = class_trees[cls[a]].kth_distance(local[a], ki);
          term[a] = psi(ki) - psi(nc) - psi(all->count_within(a, eps) + 1);
        }
      });
    } else {
      // Tiles of 8 members of one class: their neighbours within the class from the class's
      // scan, their counts from the scan over every point.
      const max_norm_scan every(xk.data(), n, std::size_t(xk.cols()));
      std::vector<max_norm_scan> within;
      std::vector<std::vector<std::size_t>> global(members.size());
      std::vector<std::pair<std::size_t, std::size_t>> tiles;  // (class, first member)
      for (std::size_t c = 0; c < members.size(); ++c) {
        within.emplace_back(members[c].data(), std::size_t(members[c].rows()), std::size_t(xk.cols()));
        for (std::size_t r = 0; r < std::size_t(members[c].rows()); r += max_norm_scan::tile) tiles.emplace_back(c, r);
      }
      for (std::size_t a = 0; a < n; ++a) global[cls[a]].push_back(a);
      detail::parallel_for(tiles.size(), opt_.threads, 8, [&](std::size_t b, std::size_t e) {
        std::vector<double> dc, best;
        double eps[max_norm_scan::tile];
        std::size_t m[max_norm_scan::tile];
        for (std::size_t t = b; t < e; ++t) {
          const auto [c, r0] = tiles[t];
          const std::size_t nc = std::size_t(members[c].rows()), ki = std::min(opt_.k, nc - 1);
          const std::size_t nq = std::min(max_norm_scan::tile, nc - r0), sc = within[c].padded_size();
          const double* q = members[c].data() + r0 * std::size_t(xk.cols());
          dc.resize(max_norm_scan::tile * sc);
          within[c].distances(q, nq, dc.data(), sc);
          for (std::size_t r = 0; r < nq; ++r) {
            best.assign(ki, std::numeric_limits<double>::infinity());
            within[c].k_smallest(dc.data() + r * sc, nullptr, r0 + r, best);
            eps[r] = best[ki - 1];
          }
          every.count_within(q, nq, eps, m);
          for (std::size_t r = 0; r < nq; ++r)  // minus the point itself, at distance 0
            term[global[c][r0 + r]] = psi(ki) - psi(nc) - psi(m[r] - (0.0 < eps[r]) + 1);
        }
      });
    }
    double mean = 0;
    for (double t : term) mean += t;
    return psi(n) + mean / static_cast<double>(n);
  }

  ksg_options opt_;
};

}  // namespace infoplane
