#pragma once
// A small k-d tree for the max-norm (Chebyshev) metric: k nearest neighbours and strict
// radius counts. Used by KSG in low dimensions; brute force takes over in high dimensions,
// where trees stop pruning.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numeric>
#include <vector>

#include "infoplane/kernels/max_norm.hpp"  // keep_smallest

namespace infoplane::detail {

class kd_tree {
 public:
  /// `points` is row-major n x d and must outlive the tree.
  kd_tree(const double* points, std::size_t n, std::size_t d) : pts_(points), n_(n), d_(d), index_(n) {
    std::iota(index_.begin(), index_.end(), std::size_t{0});
    nodes_.reserve(2 * n / leaf_size + 2);
    build(0, n);
    position_.resize(n);
    for (std::size_t p = 0; p < n; ++p) position_[index_[p]] = p;
  }

  /// Bytes a tree over n points of d coordinates allocates (index arrays and nodes at most), for
  /// sizing work before it is built.
  static long double bytes(std::size_t n, std::size_t d) noexcept {
    return 16.0L * n + (2.0L * n / leaf_size + 2) * (sizeof(node) + 16.0L * d);
  }

  /// Max-norm distance to the k-th nearest neighbour of point i, excluding i itself.
  double kth_distance(std::size_t i, std::size_t k) const {
    std::vector<double> best(k, std::numeric_limits<double>::infinity());
    knn(0, pts_ + i * d_, i, best);
    return best.back();
  }

  /// Number of points j != i with max-norm distance to point i strictly below r.
  std::size_t count_within(std::size_t i, double r) const { return count(0, pts_ + i * d_, i, r); }

 private:
  static constexpr std::size_t leaf_size = 16;
  struct node {
    std::size_t begin, end, left = 0, right = 0;  // children 0: leaf
    std::vector<double> lo, hi;                   // bounding box
  };

  double at(std::size_t idx, std::size_t c) const noexcept { return pts_[idx * d_ + c]; }

  std::size_t build(std::size_t b, std::size_t e) {
    const std::size_t id = nodes_.size();
    nodes_.push_back({b, e, 0, 0, std::vector<double>(d_, std::numeric_limits<double>::infinity()),
                      std::vector<double>(d_, -std::numeric_limits<double>::infinity())});
    for (std::size_t p = b; p < e; ++p)
      for (std::size_t c = 0; c < d_; ++c) {
        nodes_[id].lo[c] = std::min(nodes_[id].lo[c], at(index_[p], c));
        nodes_[id].hi[c] = std::max(nodes_[id].hi[c], at(index_[p], c));
      }
    if (e - b <= leaf_size) return id;
    std::size_t dim = 0;
    for (std::size_t c = 1; c < d_; ++c)
      if (nodes_[id].hi[c] - nodes_[id].lo[c] > nodes_[id].hi[dim] - nodes_[id].lo[dim]) dim = c;
    const std::size_t mid = b + (e - b) / 2;
    std::nth_element(index_.begin() + std::ptrdiff_t(b), index_.begin() + std::ptrdiff_t(mid),
                     index_.begin() + std::ptrdiff_t(e),
                     [&](std::size_t u, std::size_t v) { return at(u, dim) < at(v, dim); });
    const std::size_t l = build(b, mid), r = build(mid, e);
    nodes_[id].left = l;
    nodes_[id].right = r;
    return id;
  }

  double box_distance(const node& nd, const double* q) const noexcept {
    double dist = 0.0;
    for (std::size_t c = 0; c < d_; ++c) dist = std::max({dist, nd.lo[c] - q[c], q[c] - nd.hi[c]});
    return dist;
  }
  double box_far(const node& nd, const double* q) const noexcept {  // farthest box point
    double dist = 0.0;
    for (std::size_t c = 0; c < d_; ++c) dist = std::max({dist, std::abs(q[c] - nd.lo[c]), std::abs(nd.hi[c] - q[c])});
    return dist;
  }
  double dist(std::size_t j, const double* q) const noexcept {
    double m = 0.0;
    for (std::size_t c = 0; c < d_; ++c) m = std::max(m, std::abs(at(j, c) - q[c]));
    return m;
  }

  void knn(std::size_t id, const double* q, std::size_t self, std::vector<double>& best) const {
    const node& nd = nodes_[id];
    if (box_distance(nd, q) >= best.back()) return;
    if (nd.left == 0) {
      for (std::size_t p = nd.begin; p < nd.end; ++p) {
        const std::size_t j = index_[p];
        if (j != self) keep_smallest(best.data(), best.size(), dist(j, q));
      }
      return;
    }
    const double dl = box_distance(nodes_[nd.left], q), dr = box_distance(nodes_[nd.right], q);
    if (dl <= dr) {
      knn(nd.left, q, self, best);
      knn(nd.right, q, self, best);
    } else {
      knn(nd.right, q, self, best);
      knn(nd.left, q, self, best);
    }
  }

  std::size_t count(std::size_t id, const double* q, std::size_t self, double r) const {
    const node& nd = nodes_[id];
    if (box_distance(nd, q) >= r) return 0;
    if (box_far(nd, q) < r) {  // the whole box lies inside the open ball
      const bool has_self = self < n_ && position_[self] >= nd.begin && position_[self] < nd.end;
      return nd.end - nd.begin - (has_self ? 1 : 0);
    }
    if (nd.left == 0) {
      std::size_t c = 0;
      for (std::size_t p = nd.begin; p < nd.end; ++p) c += index_[p] != self && dist(index_[p], q) < r;
      return c;
    }
    return count(nd.left, q, self, r) + count(nd.right, q, self, r);
  }

  const double* pts_;
  std::size_t n_, d_;
  std::vector<std::size_t> index_, position_;
  std::vector<node> nodes_;
};


/// One coordinate, sorted: strict radius counts by two binary searches, for KSG's 1-D
/// marginals, where a tree only adds overhead. Each search tests the computed |v - x| < r
/// itself (rounding is monotone in x), so the counts equal a scan's exactly.
class sorted_line {
 public:
  sorted_line(const double* values, std::size_t n) : v_(values, values + n) { std::sort(v_.begin(), v_.end()); }

  /// Number of values x (any, a query's own included) with |x - v| < r.
  std::size_t count_within(double v, double r) const {
    const auto mid = std::lower_bound(v_.begin(), v_.end(), v);
    const auto hi = std::partition_point(mid, v_.end(), [&](double x) { return x - v < r; });
    const auto lo = std::partition_point(v_.begin(), mid, [&](double x) { return !(v - x < r); });
    return static_cast<std::size_t>(hi - lo);
  }

 private:
  std::vector<double> v_;
};

}  // namespace infoplane::detail
