#pragma once
// Max-norm (Chebyshev) distances from a few query points to every point of a set, vectorised
// over the points: the brute-force neighbour search of KSG and Ross in high dimensions, where
// k-d trees stop pruning. Points are stored in panels of one SIMD batch (d x W, unit-major),
// and a register tile of 8 queries shares every panel load. max and |a - b| are exact, so the
// distances equal a scalar loop's bit for bit, in any order and at any instruction set.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>
#include <xsimd/xsimd.hpp>

#include "infoplane/kernels/detail/codegen.hpp"
#include "infoplane/kernels/detail/simd_arch.hpp"

INFOPLANE_KERNEL_DIAGNOSTICS_BEGIN

namespace infoplane {

namespace detail {
/// Keeps the k smallest values seen so far in `best` (sorted, k = best.size(), small):
/// insertion into the sorted buffer. Shared by the k-d tree and the brute-force scan.
inline void keep_smallest(std::vector<double>& best, double v) {
  if (v >= best.back()) return;
  best.insert(std::upper_bound(best.begin(), best.end(), v), v);
  best.pop_back();
}
}  // namespace detail

class max_norm_scan {
  using batch = xsimd::batch<double>;
  static constexpr std::size_t W = batch::size;

 public:
  static constexpr std::size_t tile = 8;  ///< queries per register tile

  /// `points`: row-major n x d. Copied into panels; padding points lie at +inf, so their
  /// distances are +inf and never count as neighbours.
  max_norm_scan(const double* points, std::size_t n, std::size_t d)
      : n_(n), d_(d), panels_((n + W - 1) / W), data_(panels_ * d * W, std::numeric_limits<double>::infinity()) {
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t c = 0; c < d; ++c) data_[(j / W) * d * W + c * W + j % W] = points[j * d + c];
  }

  std::size_t size() const noexcept { return n_; }
  std::size_t dims() const noexcept { return d_; }
  /// Row length that `distances` writes: n rounded up to the batch width.
  std::size_t padded_size() const noexcept { return panels_ * W; }

  /// out[q * stride + j] = max_c |points_jc - queries_qc| for the nq <= tile queries (row-major
  /// nq x d) and every j < padded_size(); stride >= padded_size().
  void distances(const double* queries, std::size_t nq, double* out, std::size_t stride) const {
    std::vector<double> full;
    const double* qs = padded_queries(queries, nq, full);
    for (std::size_t p = 0; p < panels_; ++p) {
      const double* panel = data_.data() + p * d_ * W;
      batch acc[tile];
      INFOPLANE_UNROLL
      for (std::size_t r = 0; r < tile; ++r) acc[r] = batch(0.0);
      for (std::size_t c = 0; c < d_; ++c) {
        const batch x = batch::load_unaligned(panel + c * W);
        INFOPLANE_UNROLL
        for (std::size_t r = 0; r < tile; ++r) acc[r] = xsimd::max(acc[r], xsimd::abs(x - batch(qs[r * d_ + c])));
      }
      for (std::size_t r = 0; r < nq; ++r) acc[r].store_unaligned(out + r * stride + p * W);
    }
  }

  /// counts[q] = number of points j with max_c |points_jc - queries_qc| < radius[q], for nq <= tile
  /// queries (row-major nq x d; a query that is itself a point counts itself). A panel stops
  /// once every lane of every query has reached its radius: partial maxima only grow, so the
  /// counts are exact, and with small radii (neighbour counts) most panels stop after 8 units.
  void count_within(const double* queries, std::size_t nq, const double* radius, std::size_t* counts) const {
    std::vector<double> full;
    const double* qs = padded_queries(queries, nq, full);
    batch r[tile], total[tile];
    INFOPLANE_UNROLL
    for (std::size_t q = 0; q < tile; ++q) {
      r[q] = batch(radius[std::min(q, nq - 1)]);
      total[q] = batch(0.0);
    }
    const batch one(1.0), zero(0.0);
    for (std::size_t p = 0; p < panels_; ++p) {
      const double* panel = data_.data() + p * d_ * W;
      batch acc[tile];
      INFOPLANE_UNROLL
      for (std::size_t q = 0; q < tile; ++q) acc[q] = zero;
      for (std::size_t c0 = 0; c0 < d_; c0 += check_every) {
        const std::size_t c1 = std::min(d_, c0 + check_every);
        for (std::size_t c = c0; c < c1; ++c) {
          const batch x = batch::load_unaligned(panel + c * W);
          INFOPLANE_UNROLL
          for (std::size_t q = 0; q < tile; ++q) acc[q] = xsimd::max(acc[q], xsimd::abs(x - batch(qs[q * d_ + c])));
        }
        auto inside = acc[0] < r[0];
        INFOPLANE_UNROLL
        for (std::size_t q = 1; q < tile; ++q) inside = inside | (acc[q] < r[q]);
        if (!xsimd::any(inside)) break;
      }
      INFOPLANE_UNROLL
      for (std::size_t q = 0; q < tile; ++q) total[q] += xsimd::select(acc[q] < r[q], one, zero);
    }
    for (std::size_t q = 0; q < nq; ++q) counts[q] = static_cast<std::size_t>(detail::simd::reduce_add(total[q]));
  }

  /// Number of j with row[j] < r, over one row that `distances` wrote (padding never counts).
  std::size_t count_below(const double* row, double r) const noexcept {
    batch acc(0.0);
    const batch rb(r), one(1.0), zero(0.0);
    for (std::size_t j = 0; j < padded_size(); j += W) acc += xsimd::select(batch::load_unaligned(row + j) < rb, one, zero);
    return static_cast<std::size_t>(detail::simd::reduce_add(acc));  // exact: counts < 2^53
  }

  /// Keeps in `best` (sorted; k = best.size()) the k smallest of max(a[j], b[j]) over j != self,
  /// for rows written by `distances` (b may be null: a alone). A SIMD compare against the
  /// current k-th value skips the chunks that cannot enter, which is almost all of them.
  void k_smallest(const double* a, const double* b, std::size_t self, std::vector<double>& best) const {
    if (b)
      select(best, self, [&](std::size_t j) { return xsimd::max(batch::load_unaligned(a + j), batch::load_unaligned(b + j)); });
    else
      select(best, self, [&](std::size_t j) { return batch::load_unaligned(a + j); });
  }

 private:
  static constexpr std::size_t check_every = 8;  ///< units between count_within's stopping tests

  // A full tile of queries: fewer than `tile` are completed with copies of the last one.
  const double* padded_queries(const double* queries, std::size_t nq, std::vector<double>& full) const {
    if (nq == tile) return queries;
    full.resize(tile * d_);
    for (std::size_t r = 0; r < tile; ++r) std::copy_n(queries + std::min(r, nq - 1) * d_, d_, full.data() + r * d_);
    return full.data();
  }

  template <class Load>
  INFOPLANE_ALWAYS_INLINE void select(std::vector<double>& best, std::size_t self, Load load) const {
    alignas(64) double v[W];
    batch kth(best.back());
    const std::size_t end = padded_size();
    for (std::size_t j = 0; j < end; j += W) {
      const batch x = load(j);
      if (!xsimd::any(x < kth)) continue;
      x.store_aligned(v);
      for (std::size_t l = 0; l < W; ++l)
        if (j + l != self) detail::keep_smallest(best, v[l]);
      kth = batch(best.back());
    }
  }

  std::size_t n_, d_, panels_;
  std::vector<double> data_;
};

}  // namespace infoplane

INFOPLANE_KERNEL_DIAGNOSTICS_END
