#pragma once
// Kraskov-Stoegbauer-Grassberger estimator, algorithm 1, max-norm (Kraskov et al. 2004):
//   I = psi(k) + psi(N) - < psi(n_x + 1) + psi(n_y + 1) >,
// eps_i the k-th neighbour distance in the joint space, n_x / n_y the points strictly closer
// than eps_i in each marginal. With discrete_y, Ross (2014): neighbours within the same label.
// Max-norm k-d trees (and sorted 1-D marginals) up to `tree_max_dims` joint dimensions; beyond,
// a vectorised brute force over spatially ordered blocks that skips or counts whole blocks by
// their bounding boxes (kernels/max_norm.hpp); Ross's there works class by class, a point's
// count being its own class's closer neighbours plus its counts in the other classes' sets.
// Both are threaded over points and give identical counts.
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
  std::size_t tree_max_dims = 2;  ///< k-d trees up to this many joint dimensions, the blocked brute force beyond (crossover: benchmarks/README.md)
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
  // trees, or the joint copy, the radii and the largest spatially ordered set (max_norm_blocks,
  // one at a time). Ross: x's copies per class (3 x 8 N dx), the class indices, and a tree per
  // class and one over all, or the radii and one ordered set.
  void check_memory(std::size_t n, std::size_t dx, std::size_t dy) const {
    const long double rows = static_cast<long double>(n);
    long double bytes = 16 * rows;
    bool tree;
    if (opt_.discrete_y) {
      tree = dx <= opt_.tree_max_dims;
      bytes += 24 * rows * dx + 48 * rows;  // and class indices
      // Brute force: a set per class, all at once, each padded by at most a block (12 d bytes a
      // point, and there are at most N / 64 classes on that path).
      bytes += tree ? 2 * detail::kd_tree::bytes(n, dx) : 8 * rows + max_norm_blocks::bytes(n, dx) + 12 * rows * dx;
    } else {
      tree = dx + dy <= opt_.tree_max_dims;
      bytes += 16 * rows * (dx + dy);
      bytes += tree ? detail::kd_tree::bytes(n, dx + dy) + detail::kd_tree::bytes(n, dx) + detail::kd_tree::bytes(n, dy)
                    : 8 * rows + max_norm_blocks::bytes(n, dx + dy);
    }
    detail::require_bytes(bytes, "ksg: N = " + std::to_string(n) + " samples, dx = " + std::to_string(dx) +
                                     ", dy = " + std::to_string(dy) + (tree ? " (k-d trees)" : " (brute force)"));
  }

  template <class M>
  matrix prepare(const M& m, std::uint64_t which) const {
    matrix out = m.template cast<double>();
    if (opt_.standardize) standardize(out);
    // Each row its own stream: the same noise on any thread count.
    if (opt_.jitter > 0)
      detail::parallel_for(std::size_t(out.rows()), opt_.threads, 1024, [&](std::size_t r0, std::size_t r1) {
        for (auto i = Eigen::Index(r0); i < Eigen::Index(r1); ++i) {
          auto rng = detail::make_stream(opt_.seed, detail::rng_purpose::data, (which << 40) + std::uint64_t(i));
          for (Eigen::Index c = 0; c < out.cols(); ++c) out(i, c) += opt_.jitter * rng.normal();
        }
      });
    return out;
  }

  // Centres each column and scales it to unit RMS, in passes along the rows (a column of the
  // row-major copy is strided: a pass per column read all of it d times). Not the plain
  // sqrt(mean of squares): at 1e-200 or 1e200 the squares under- or overflow, sd became 0 or
  // inf, and the jitter alone was left (I near 0 for any data). So each column is first scaled
  // by 2^-e, e the exponent of its largest |value| (detail::to_unit_binade's rule), exactly.
  static void standardize(matrix& m) {
    const Eigen::Index n = m.rows(), d = m.cols();
    const Eigen::RowVectorXd mean = m.colwise().sum() / static_cast<double>(n);
    m.rowwise() -= mean;
    const Eigen::RowVectorXd largest = m.cwiseAbs().colwise().maxCoeff();
    std::vector<int> e(std::size_t(d), 0);
    std::vector<double> up(std::size_t(d), 1.0), up2(std::size_t(d), 1.0), sq(std::size_t(d), 0.0);
    for (Eigen::Index c = 0; c < d; ++c) {
      if (!(largest(c) > 0)) continue;
      e[std::size_t(c)] = std::ilogb(largest(c));
      // 2^-e in one factor (one rounding) unless the largest value is subnormal; then in two,
      // each exact, since scaling up subnormal values to [1, 2) loses nothing.
      const int s = -e[std::size_t(c)];
      if (s <= 1022) up[std::size_t(c)] = std::ldexp(1.0, s);
      else up[std::size_t(c)] = std::ldexp(1.0, s / 2), up2[std::size_t(c)] = std::ldexp(1.0, s - s / 2);
    }
    for (Eigen::Index i = 0; i < n; ++i)
      for (Eigen::Index c = 0; c < d; ++c) {
        const double t = m(i, c) * up[std::size_t(c)] * up2[std::size_t(c)];
        sq[std::size_t(c)] += t * t;
      }
    Eigen::RowVectorXd sd = Eigen::RowVectorXd::Ones(d);
    for (Eigen::Index c = 0; c < d; ++c)
      if (largest(c) > 0) {
        const double r = std::ldexp(std::sqrt(sq[std::size_t(c)] / static_cast<double>(n)), e[std::size_t(c)]);
        if (r > 0) sd(c) = r;
      }
    m.array().rowwise() /= sd.array();
  }

  double kraskov(const matrix& x, const matrix& y) const {
    const std::size_t n = static_cast<std::size_t>(x.rows()), k = opt_.k;
    const detail::digamma_table psi(n + 1);
    std::vector<double> term(n);
    if (std::size_t(x.cols() + y.cols()) <= opt_.tree_max_dims) {
      matrix joint(x.rows(), x.cols() + y.cols());
      joint << x, y;
      const detail::kd_tree tj(joint.data(), n, std::size_t(joint.cols()));
      const marginal mx(x), my(y);
      detail::parallel_for(n, opt_.threads, 256, [&](std::size_t b, std::size_t e) {
        for (std::size_t i = b; i < e; ++i) {
          const double eps = tj.kth_distance(i, k);
          term[i] = psi(mx.count_within(x, i, eps) + 1) + psi(my.count_within(y, i, eps) + 1);
        }
      });
    } else {
      // The k-th neighbour in the joint space (the max-norm over x's and y's columns together),
      // then the counts in each marginal, each set in its own spatial order.
      matrix joint(x.rows(), x.cols() + y.cols());
      joint << x, y;
      std::vector<double> eps(n);
      {
        const max_norm_blocks sj(joint.data(), n, std::size_t(joint.cols()), opt_.threads);
        each_tile(n, [&](std::size_t p0, std::size_t nq) {
          double e[max_norm_blocks::tile];
          sj.kth_distances(p0, nq, k, e);
          for (std::size_t r = 0; r < nq; ++r) eps[sj.order()[p0 + r]] = e[r];
        });
      }
      std::fill(term.begin(), term.end(), 0.0);
      for (const matrix* side : {&x, &y}) {
        const max_norm_blocks s(side->data(), n, std::size_t(side->cols()), opt_.threads);
        each_tile(n, [&](std::size_t p0, std::size_t nq) {
          double r[max_norm_blocks::tile];
          std::size_t c[max_norm_blocks::tile];
          for (std::size_t q = 0; q < nq; ++q) r[q] = eps[s.order()[p0 + q]];
          s.count_within(p0, nq, r, c);
          for (std::size_t q = 0; q < nq; ++q)  // minus the point itself, at distance 0
            term[s.order()[p0 + q]] += psi(c[q] - (0.0 < r[q]) + 1);
        });
      }
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
    std::vector<std::size_t> cls(n), local(n);
    std::vector<std::vector<std::size_t>> global;  // class member -> kept point
    std::map<double, std::size_t> class_index;
    for (std::size_t a = 0; a < n; ++a) {
      const double label = static_cast<double>(labels(Eigen::Index(keep[a]), 0));
      auto [it, fresh] = class_index.try_emplace(label, global.size());
      if (fresh) global.emplace_back().reserve(classes[label].size());
      cls[a] = it->second;
      local[a] = global[cls[a]].size();
      global[cls[a]].push_back(a);
    }
    const std::size_t n_classes = global.size();
    const bool use_tree = std::size_t(x.cols()) <= opt_.tree_max_dims;
    // Brute force class by class where the classes hold 64 points or more on average (else
    // per-class padding and tests dominate), over every kept point at once otherwise.
    const bool by_class = !use_tree && n_classes * max_norm_blocks::block <= n;
    // Each class's rows (and every kept point's where needed), a class or a block of rows per
    // thread.
    std::vector<matrix> members(n_classes);
    detail::parallel_for(n_classes, opt_.threads, 1, [&](std::size_t c0, std::size_t c1) {
      for (std::size_t c = c0; c < c1; ++c) {
        members[c].resize(Eigen::Index(global[c].size()), x.cols());
        for (std::size_t l = 0; l < global[c].size(); ++l) members[c].row(Eigen::Index(l)) = x.row(Eigen::Index(keep[global[c][l]]));
      }
    });
    matrix xk(by_class ? 0 : Eigen::Index(n), x.cols());
    if (!by_class)
      detail::parallel_for(n, opt_.threads, 4096, [&](std::size_t a0, std::size_t a1) {
        for (std::size_t a = a0; a < a1; ++a) xk.row(Eigen::Index(a)) = x.row(Eigen::Index(keep[a]));
      });
    std::vector<detail::kd_tree> class_trees;
    if (use_tree)
      for (const auto& m : members) class_trees.emplace_back(m.data(), std::size_t(m.rows()), std::size_t(m.cols()));
    const std::optional<marginal> all = use_tree ? std::optional<marginal>(std::in_place, xk) : std::nullopt;
    const detail::digamma_table psi(n + 1);
    std::vector<double> term(n);
    if (use_tree) {
      detail::parallel_for(n, opt_.threads, 64, [&](std::size_t b, std::size_t e) {
        for (std::size_t a = b; a < e; ++a) {
          const std::size_t nc = std::size_t(members[cls[a]].rows()), ki = std::min(opt_.k, nc - 1);
          const double eps = class_trees[cls[a]].kth_distance(local[a], ki);
          term[a] = psi(ki) - psi(nc) - psi(all->count_within(xk, a, eps) + 1);
        }
      });
    } else if (by_class) {
      // Each point's k-th neighbour within its class and how many of the class are closer, then
      // its counts in the other classes, queried from its own class's set: the points of its
      // class near it, which the count over every point scanned again, are not scanned twice.
      // The sets are built a class per thread (the order is the same on any thread count).
      std::vector<std::optional<max_norm_blocks>> sets(n_classes);
      const bool per_class = n_classes >= detail::resolve_threads(opt_.threads);
      detail::parallel_for(n_classes, per_class ? opt_.threads : 1, 1, [&](std::size_t c0, std::size_t c1) {
        for (std::size_t c = c0; c < c1; ++c)
          sets[c].emplace(members[c].data(), std::size_t(members[c].rows()), std::size_t(x.cols()), per_class ? 1 : opt_.threads);
      });
      for (std::size_t c = 0; c < n_classes; ++c) {
        const max_norm_blocks& within = *sets[c];
        const std::size_t nc = within.size(), ki = std::min(opt_.k, nc - 1);
        each_tile(nc, [&](std::size_t p0, std::size_t nq) {
          constexpr std::size_t tile = max_norm_blocks::tile;
          double r[tile];
          std::size_t m[tile], other[tile];
          within.kth_distances(p0, nq, ki, r, m);
          for (std::size_t o = 0; o < n_classes; ++o)
            if (o != c) {
              sets[o]->count_within(within, p0, nq, r, other);
              for (std::size_t q = 0; q < nq; ++q) m[q] += other[q];
            }
          for (std::size_t q = 0; q < nq; ++q) term[global[c][within.order()[p0 + q]]] = psi(ki) - psi(nc) - psi(m[q] + 1);
        });
      }
    } else {
      // Each point's k-th neighbour within its class, then its count over every kept point,
      // each set in its own spatial order.
      std::vector<double> eps(n);
      for (std::size_t c = 0; c < n_classes; ++c) {
        const std::size_t nc = std::size_t(members[c].rows()), ki = std::min(opt_.k, nc - 1);
        const max_norm_blocks within(members[c].data(), nc, std::size_t(xk.cols()), opt_.threads);
        each_tile(nc, [&](std::size_t p0, std::size_t nq) {
          double e[max_norm_blocks::tile];
          within.kth_distances(p0, nq, ki, e);
          for (std::size_t r = 0; r < nq; ++r) eps[global[c][within.order()[p0 + r]]] = e[r];
        });
      }
      const max_norm_blocks every(xk.data(), n, std::size_t(xk.cols()), opt_.threads);
      each_tile(n, [&](std::size_t p0, std::size_t nq) {
        double r[max_norm_blocks::tile];
        std::size_t m[max_norm_blocks::tile];
        for (std::size_t q = 0; q < nq; ++q) r[q] = eps[every.order()[p0 + q]];
        every.count_within(p0, nq, r, m);
        for (std::size_t q = 0; q < nq; ++q) {  // minus the point itself, at distance 0
          const std::size_t a = every.order()[p0 + q], nc = std::size_t(members[cls[a]].rows());
          term[a] = psi(std::min(opt_.k, nc - 1)) - psi(nc) - psi(m[q] - (0.0 < r[q]) + 1);
        }
      });
    }
    double mean = 0;
    for (double t : term) mean += t;
    return psi(n) + mean / static_cast<double>(n);
  }

  // A marginal's strict radius counts, the point itself left out: sorted for one column, a k-d
  // tree for more.
  struct marginal {
    std::optional<detail::sorted_line> line;
    std::optional<detail::kd_tree> tree;
    explicit marginal(const matrix& m) {
      if (m.cols() == 1) line.emplace(m.data(), std::size_t(m.rows()));
      else tree.emplace(m.data(), std::size_t(m.rows()), std::size_t(m.cols()));
    }
    std::size_t count_within(const matrix& m, std::size_t i, double r) const {
      return line ? line->count_within(m(Eigen::Index(i), 0), r) - (0.0 < r) : tree->count_within(i, r);
    }
  };

  // f(p0, nq) over tiles of consecutive positions of an n-point set, on the option's threads.
  template <class F>
  void each_tile(std::size_t n, F&& f) const {
    constexpr std::size_t tile = max_norm_blocks::tile;
    detail::parallel_for((n + tile - 1) / tile, opt_.threads, 8, [&](std::size_t b, std::size_t e) {
      for (std::size_t t = b; t < e; ++t) f(t * tile, std::min(tile, n - t * tile));
    });
  }

  ksg_options opt_;
};

}  // namespace infoplane
