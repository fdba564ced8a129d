#pragma once
// Max-norm (Chebyshev) neighbour search, vectorised over the points: KSG and Ross in high
// dimensions, where k-d trees stop pruning. The distances are those of a scalar loop in double
// (max is exact, |a - b| rounds the same way), in any order and at any instruction set. The
// radius counts scan in float (twice the lanes) and hand the pairs that float cannot decide to
// that double loop, so they equal its counts exactly.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>
#include <xsimd/xsimd.hpp>

#include "infoplane/detail/spatial_order.hpp"
#include "infoplane/errors.hpp"
#include "infoplane/kernels/detail/codegen.hpp"
#include "infoplane/kernels/detail/simd_arch.hpp"

INFOPLANE_KERNEL_DIAGNOSTICS_BEGIN

namespace infoplane {

namespace detail {
/// Keeps the k smallest values seen so far in best[0, k) (sorted, k small): insertion into the
/// sorted buffer. Shared by the k-d tree and the brute-force search.
inline void keep_smallest(double* best, std::size_t k, double v) noexcept {
  if (!(v < best[k - 1])) return;
  std::size_t at = k - 1;
  for (; at > 0 && best[at - 1] > v; --at) best[at] = best[at - 1];
  best[at] = v;
}
}  // namespace detail

/// The neighbour search of KSG and Ross on a spatially ordered set (detail/spatial_order.hpp):
/// points in blocks of 64 neighbours, each with its bounding box, stored in panels of one SIMD
/// batch (d x W, unit-major) so that a register tile of 8 queries shares every panel load. The
/// queries are the set's own points, 8 consecutive ones per tile, so a tile is a small region. A block is skipped whole when the gap between its box and
/// the tile's box is no less than every query's radius, and counted whole when even the farthest
/// corners are closer than every radius. Rounding is monotone, so these tests bound the computed
/// distances themselves: the results equal a scalar loop's exactly, in any order and on any
/// number of threads.
class max_norm_blocks {
  using batch = xsimd::batch<double>;
  using fbatch = xsimd::batch<float>;
  static constexpr std::size_t W = batch::size, FW = fbatch::size;

 public:
  static constexpr std::size_t tile = 8;     ///< queries per register tile
  static constexpr std::size_t block = 64;   ///< points per bounding box
  static_assert(block % W == 0 && block % FW == 0);

  /// `points`: row-major n x d, copied (in the spatial order, coordinates by decreasing range)
  /// into panels and a row-major copy; `threads` order them (the same order for any count).
  max_norm_blocks(const double* points, std::size_t n, std::size_t d, unsigned threads = 1)
      : n_(n), d_(d), dp_((d + W - 1) / W * W), blocks_((n + block - 1) / block),
        order_(detail::spatial_order(points, n, d, threads)), columns_(by_decreasing_range(points, n, d)), rows_(n * d),
        data_(blocks_ * block * d, std::numeric_limits<double>::infinity()), lo_(blocks_ * dp_, 0.0), hi_(blocks_ * dp_, 0.0),
        panel_lo_(panels() * dp_, 0.0), panel_hi_(panels() * dp_, 0.0), all_lo_(dp_, 0.0), all_hi_(dp_, 0.0) {
    double largest = 0.0;
    for (std::size_t p = 0; p < n; ++p) {
      const double* src = points + order_[p] * d;
      for (std::size_t c = 0; c < d; ++c) {
        const double v = src[columns_[c]];
        rows_[p * d + c] = v;
        data_[(p / W) * d * W + c * W + p % W] = v;
        largest = std::max(largest, std::abs(v));
      }
    }
    for (std::size_t b = 0; b < blocks_; ++b) box(b * block, std::min(n, (b + 1) * block), lo_.data() + b * dp_, hi_.data() + b * dp_);
    box(0, n, all_lo_.data(), all_hi_.data());
    for (std::size_t p = 0; p < panels(); ++p)
      box(p * W, std::min(n, (p + 1) * W), panel_lo_.data() + p * dp_, panel_hi_.data() + p * dp_);
    // The float copy for the radius counts. Each coordinate rounds by at most u|x| (u = 2^-24),
    // their difference by u|x_f - y_f|, the double difference by 2^-53 |x - y|: with every
    // |coordinate| <= L a float distance is within 4.0000003 u L of the double one (max and
    // abs do not add to it). `slack_` is 5 u L plus 1e-37 for subnormals. Beyond 1e37 (or
    // with non-finite data) the counts stay in double.
    if (std::isfinite(largest) && largest <= 1e37) {
      slack_ = 5.0 * 0x1p-24 * largest + 1e-37;
      fdata_.assign(blocks_ * block * d, std::numeric_limits<float>::infinity());
      for (std::size_t p = 0; p < n; ++p)
        for (std::size_t c = 0; c < d; ++c) fdata_[(p / FW) * d * FW + c * FW + p % FW] = static_cast<float>(rows_[p * d + c]);
      const std::size_t fp = (n + FW - 1) / FW;
      fpanel_lo_.assign(fp * dp_, 0.0);
      fpanel_hi_.assign(fp * dp_, 0.0);
      for (std::size_t p = 0; p < fp; ++p)
        box(p * FW, std::min(n, (p + 1) * FW), fpanel_lo_.data() + p * dp_, fpanel_hi_.data() + p * dp_);
    }
  }

  /// Bytes the set allocates for n points of d coordinates.
  static long double bytes(std::size_t n, std::size_t d) noexcept {
    return 8.0L * n + 8.0L * n * d + 8.0L * (n + block) * d + 16.0L * (n / block + 1) * (d + W) +
           16.0L * (n / W + 1) * (d + W) + 4.0L * (n + block) * d + 16.0L * (n / FW + 1) * (d + W);
  }

  std::size_t size() const noexcept { return n_; }
  /// order()[p]: the row of `points` at position p.
  const std::vector<std::size_t>& order() const noexcept { return order_; }

  /// eps[q] = the k-th smallest distance from the point at position p0 + q to the others, for
  /// nq <= tile consecutive positions; closer[q] (if given) = how many others are strictly
  /// closer (k - 1 but for ties at eps[q]). Its own block and the next ones in the order come
  /// first, so the radii shrink before the far blocks are tested.
  void kth_distances(std::size_t p0, std::size_t nq, std::size_t k, double* eps, std::size_t* closer = nullptr) const {
    tile_box t(*this, p0, nq);
    std::vector<double> best(tile * k, std::numeric_limits<double>::infinity());
    batch kth[tile];
    INFOPLANE_UNROLL
    for (std::size_t q = 0; q < tile; ++q) kth[q] = batch(std::numeric_limits<double>::infinity());
    std::vector<float> qf;  // the tile's queries in float, once the float panels start
    fbatch fk[tile];        // and each query's float limit, kth + slack rounded up
    float fk_s[tile];
    // Whether the box [lo, hi] (a block's or a panel's) can hold a point nearer than some
    // query's k-th so far.
    const auto within_reach = [&](const double* lo, const double* hi) {
      double radius = 0.0;
      for (std::size_t q = 0; q < nq; ++q) radius = std::max(radius, best[q * k + k - 1]);
      return gap(t, lo, hi) < radius;
    };
    const std::size_t home = p0 / block;
    for (std::size_t step = 0; step < 2 * blocks_; ++step) {
      // home, home + 1, home - 1, home + 2, ...
      const std::size_t off = (step + 1) / 2;
      if (step % 2 ? home + off >= blocks_ : off > home) continue;
      const std::size_t b = step % 2 ? home + off : home - off;
      if (!within_reach(lo_.data() + b * dp_, hi_.data() + b * dp_)) continue;
      const std::size_t e = std::min(n_, (b + 1) * block);
      if (step > 0 && !fdata_.empty()) {
        // Past the home block (whose points set the radii first), the float panels: a point
        // whose double distance is below kth[q] has a float one below kth[q] + slack, so only
        // those lanes get the double distance (a scalar loop's, as the double scan's).
        if (qf.empty()) {
          qf = t.in_float(d_);
          for (std::size_t q = 0; q < tile; ++q) fk[q] = fbatch(fk_s[q] = float_above(best[std::min(q, nq - 1) * k + k - 1] + slack_));
        }
        for (std::size_t p = b * block / FW; p < (e + FW - 1) / FW; ++p) {
          if (!within_reach(fpanel_lo_.data() + p * dp_, fpanel_hi_.data() + p * dp_)) continue;
          fbatch acc[tile];
          if (!scan(qf.data(), fdata_.data() + p * d_ * FW, fk, acc)) continue;
          alignas(64) float v[FW];
          for (std::size_t q = 0; q < nq; ++q) {
            if (!xsimd::any(acc[q] < fk[q])) continue;
            acc[q].store_aligned(v);
            double* bq = best.data() + q * k;
            for (std::size_t l = 0; l < FW; ++l)
              if (v[l] < fk_s[q] && p * FW + l != p0 + q) detail::keep_smallest(bq, k, distance(p * FW + l, t.q + q * d_));
            fk[q] = fbatch(fk_s[q] = float_above(bq[k - 1] + slack_));
          }
          for (std::size_t q = nq; q < tile; ++q) fk[q] = fk[nq - 1], fk_s[q] = fk_s[nq - 1];
        }
        continue;
      }
      for (std::size_t p = b * block / W; p < (e + W - 1) / W; ++p) {
        if (!within_reach(panel_lo_.data() + p * dp_, panel_hi_.data() + p * dp_)) continue;
        batch acc[tile];
        if (!scan(t.q, data_.data() + p * d_ * W, kth, acc)) continue;
        alignas(64) double v[W];
        for (std::size_t q = 0; q < nq; ++q) {
          if (!xsimd::any(acc[q] < kth[q])) continue;
          acc[q].store_aligned(v);
          double* bq = best.data() + q * k;
          for (std::size_t l = 0; l < W; ++l)
            if (p * W + l != p0 + q) detail::keep_smallest(bq, k, v[l]);
          kth[q] = batch(bq[k - 1]);
        }
        for (std::size_t q = nq; q < tile; ++q) kth[q] = kth[nq - 1];  // the copies stop with the last query
      }
    }
    for (std::size_t q = 0; q < nq; ++q) {
      eps[q] = best[q * k + k - 1];
      // Every point outside best is at eps[q] or beyond.
      if (closer) closer[q] = std::size_t(std::count_if(&best[q * k], &best[q * k + k - 1], [&](double v) { return v < eps[q]; }));
    }
  }

  /// counts[q] = the number of points (the query itself included) strictly within radius[q] of
  /// the point at position p0 + q, for nq <= tile consecutive positions.
  void count_within(std::size_t p0, std::size_t nq, const double* radius, std::size_t* counts) const {
    count_within(*this, p0, nq, radius, counts);
  }

  /// The same for queries from another set of the same dimension, `from`: counts[q] = the
  /// number of this set's points strictly within radius[q] of from's point at position p0 + q.
  void count_within(const max_norm_blocks& from, std::size_t p0, std::size_t nq, const double* radius,
                    std::size_t* counts) const {
    INFOPLANE_CHECK(from.d_ == d_, "max_norm_blocks: the query set has another dimension");
    if (!fdata_.empty() && !from.fdata_.empty()) return count_within_float(from, p0, nq, radius, counts);
    tile_box t(from, *this, p0, nq);
    batch r[tile], total[tile];
    INFOPLANE_UNROLL
    for (std::size_t q = 0; q < tile; ++q) {
      r[q] = batch(radius[std::min(q, nq - 1)]);
      total[q] = batch(0.0);
    }
    const batch one(1.0), zero(0.0);
    each_open_panel(t, nq, radius, W, panel_lo_, panel_hi_, counts, [&](std::size_t p) {
      batch acc[tile];
      scan(t.q, data_.data() + p * d_ * W, r, acc);
      INFOPLANE_UNROLL
      for (std::size_t q = 0; q < tile; ++q) total[q] += xsimd::select(acc[q] < r[q], one, zero);
    });
    for (std::size_t q = 0; q < nq; ++q) counts[q] += static_cast<std::size_t>(detail::simd::reduce_add(total[q]));
  }

 private:
  // Columns 0..d-1 by decreasing range over the n points: a max-norm distance is the same in any
  // coordinate order, and a far pair passes the radius sooner, so the early stops come earlier.
  static std::vector<std::size_t> by_decreasing_range(const double* points, std::size_t n, std::size_t d) {
    std::vector<double> lo(d, std::numeric_limits<double>::infinity()), hi(d, -std::numeric_limits<double>::infinity());
    for (std::size_t p = 0; p < n; ++p)
      for (std::size_t c = 0; c < d; ++c) lo[c] = std::min(lo[c], points[p * d + c]), hi[c] = std::max(hi[c], points[p * d + c]);
    std::vector<std::size_t> by_range(d);
    for (std::size_t c = 0; c < d; ++c) by_range[c] = c;
    std::stable_sort(by_range.begin(), by_range.end(), [&](std::size_t a, std::size_t b) { return hi[a] - lo[a] > hi[b] - lo[b]; });
    return by_range;
  }

  static constexpr std::size_t check_every = 8;  ///< units between the early-stop tests

  // The least float >= x, and the greatest <= x (infinite x: itself).
  static float float_above(double x) noexcept {
    float f = static_cast<float>(x);
    if (static_cast<double>(f) < x) f = std::nextafter(f, std::numeric_limits<float>::infinity());
    return f;
  }
  static float float_below(double x) noexcept {
    float f = static_cast<float>(x);
    if (static_cast<double>(f) > x) f = std::nextafter(f, -std::numeric_limits<float>::infinity());
    return f;
  }

  // The double distance from the point at position i to `query` (d coordinates, stored order):
  // the scalar loop whose values the SIMD scans reproduce.
  double distance(std::size_t i, const double* query) const noexcept {
    const double* x = rows_.data() + i * d_;
    double dist = 0.0;
    for (std::size_t c = 0; c < d_; ++c) dist = std::max(dist, std::abs(x[c] - query[c]));
    return dist;
  }

  // A tile's queries (fewer than `tile` completed with copies of the last) and their box, from
  // the set s at positions [p0, p0 + nq), in the coordinate order of the set `to` they query.
  struct tile_box {
    std::vector<double> qs, lo, hi;
    const double* q;
    tile_box(const max_norm_blocks& s, std::size_t p0, std::size_t nq) : tile_box(s, s, p0, nq) {}
    tile_box(const max_norm_blocks& s, const max_norm_blocks& to, std::size_t p0, std::size_t nq)
        : lo(s.dp_, 0.0), hi(s.dp_, 0.0) {
      const std::size_t d = s.d_;
      s.box(p0, p0 + nq, lo.data(), hi.data());
      if (nq == tile && s.columns_ == to.columns_) {
        q = s.rows_.data() + p0 * d;
        return;
      }
      std::vector<std::size_t> where(d), at(d);  // input column -> coordinate of s; at[c]: `to`'s coordinate c in s
      for (std::size_t c = 0; c < d; ++c) where[s.columns_[c]] = c;
      for (std::size_t c = 0; c < d; ++c) at[c] = where[to.columns_[c]];
      qs.resize(tile * d);
      for (std::size_t r = 0; r < tile; ++r)
        for (std::size_t c = 0; c < d; ++c) qs[r * d + c] = s.rows_[(p0 + std::min(r, nq - 1)) * d + at[c]];
      q = qs.data();
      const std::vector<double> slo = lo, shi = hi;
      for (std::size_t c = 0; c < d; ++c) lo[c] = slo[at[c]], hi[c] = shi[at[c]];
    }
    // The queries in float (d coordinates each), for the float panels.
    std::vector<float> in_float(std::size_t d) const {
      std::vector<float> f(tile * d);
      std::transform(q, q + tile * d, f.begin(), [](double v) { return static_cast<float>(v); });
      return f;
    }
  };

  void box(std::size_t b, std::size_t e, double* lo, double* hi) const {
    for (std::size_t c = 0; c < d_; ++c) {
      lo[c] = std::numeric_limits<double>::infinity();
      hi[c] = -std::numeric_limits<double>::infinity();
    }
    for (std::size_t p = b; p < e; ++p)
      for (std::size_t c = 0; c < d_; ++c) {
        lo[c] = std::min(lo[c], rows_[p * d_ + c]);
        hi[c] = std::max(hi[c], rows_[p * d_ + c]);
      }
  }

  std::size_t panels() const noexcept { return (n_ + W - 1) / W; }

  // Least distance from any point of the tile's box to any of the box [lo, hi] (a block's or a
  // panel's; a lower bound on every computed distance between them), and the greatest (an
  // upper bound).
  double gap(const tile_box& t, const double* lo, const double* hi) const noexcept {
    batch m(0.0);
    for (std::size_t c = 0; c < dp_; c += W)
      m = xsimd::max(m, xsimd::max(batch::load_unaligned(lo + c) - batch::load_unaligned(t.hi.data() + c),
                                   batch::load_unaligned(t.lo.data() + c) - batch::load_unaligned(hi + c)));
    return lanes_max(m);
  }
  double far(const tile_box& t, const double* lo, const double* hi) const noexcept {
    batch m(0.0);
    for (std::size_t c = 0; c < dp_; c += W)
      m = xsimd::max(m, xsimd::max(batch::load_unaligned(t.hi.data() + c) - batch::load_unaligned(lo + c),
                                   batch::load_unaligned(hi + c) - batch::load_unaligned(t.lo.data() + c)));
    return lanes_max(m);
  }

  static double lanes_max(const batch& m) noexcept {
    alignas(64) double v[W];
    m.store_aligned(v);
    double r = v[0];
    for (std::size_t l = 1; l < W; ++l) r = std::max(r, v[l]);
    return r;
  }

  // acc[q] = the distances from query q (qs: tile x d) to a panel's points (double or float,
  // unit-major); stops early (false) once no lane of any query is below its limit, since
  // partial maxima only grow.
  template <class T>
  INFOPLANE_ALWAYS_INLINE bool scan(const T* qs, const T* panel, const xsimd::batch<T>* radius, xsimd::batch<T>* acc) const {
    using B = xsimd::batch<T>;
    INFOPLANE_UNROLL
    for (std::size_t q = 0; q < tile; ++q) acc[q] = B(T(0));
    for (std::size_t c0 = 0; c0 < d_; c0 += check_every) {
      const std::size_t c1 = std::min(d_, c0 + check_every);
      for (std::size_t c = c0; c < c1; ++c) {
        const B x = B::load_unaligned(panel + c * B::size);
        INFOPLANE_UNROLL
        for (std::size_t q = 0; q < tile; ++q) acc[q] = xsimd::max(acc[q], xsimd::abs(x - B(qs[q * d_ + c])));
      }
      auto inside = acc[0] < radius[0];
      INFOPLANE_UNROLL
      for (std::size_t q = 1; q < tile; ++q) inside = inside | (acc[q] < radius[q]);
      if (!xsimd::any(inside)) return false;
    }
    return true;
  }

  // count_within on the float copy: a float distance below lo[q] (radius - slack, rounded down)
  // is inside the double radius, one at or above hi[q] (radius + slack, rounded up) outside;
  // the few in between (the radius's own neighbour among them) are decided by the double
  // distance. Block and panel tests are those of the double path.
  void count_within_float(const max_norm_blocks& from, std::size_t p0, std::size_t nq, const double* radius,
                          std::size_t* counts) const {
    tile_box t(from, *this, p0, nq);
    const double slack = std::max(slack_, from.slack_);  // both sets' coordinates bound L
    fbatch lo[tile], hi[tile], total[tile];
    float lo_s[tile], hi_s[tile];
    const std::vector<float> qf = t.in_float(d_);
    INFOPLANE_UNROLL
    for (std::size_t q = 0; q < tile; ++q) {
      const double r = radius[std::min(q, nq - 1)];
      lo[q] = fbatch(lo_s[q] = float_below(r - slack));
      hi[q] = fbatch(hi_s[q] = float_above(r + slack));
      total[q] = fbatch(0.0f);
    }
    const fbatch one(1.0f), zero(0.0f);
    std::size_t since_flush = 0;
    const auto flush = [&] {  // float totals stay exact below 2^24 per lane
      for (std::size_t q = 0; q < nq; ++q) {
        counts[q] += static_cast<std::size_t>(detail::simd::reduce_add(total[q]));
        total[q] = fbatch(0.0f);
      }
      since_flush = 0;
    };
    each_open_panel(t, nq, radius, FW, fpanel_lo_, fpanel_hi_, counts, [&](std::size_t p) {
      fbatch acc[tile];
      if (!scan(qf.data(), fdata_.data() + p * d_ * FW, hi, acc)) return;
      for (std::size_t q = 0; q < nq; ++q) {
        total[q] += xsimd::select(acc[q] < lo[q], one, zero);
        if (!xsimd::any((acc[q] >= lo[q]) & (acc[q] < hi[q]))) continue;
        alignas(64) float v[FW];
        acc[q].store_aligned(v);
        const double* query = t.q + q * d_;
        for (std::size_t l = 0; l < FW; ++l) {
          if (!(v[l] >= lo_s[q] && v[l] < hi_s[q])) continue;
          counts[q] += distance(p * FW + l, query) < radius[q];  // v finite: a real point
        }
      }
      if (++since_flush == (std::size_t(1) << 22)) flush();
    });
    flush();
  }

  // The radius counts' walk (counts[q] set to the points counted whole): each block skipped (its
  // box no nearer than every radius), counted whole (its farthest corner nearer than every
  // radius), or else its panels of `w` points (boxes plo, phi) get the same two tests, and
  // scan_open(p) for each panel p that passes neither.
  template <class F>
  void each_open_panel(const tile_box& t, std::size_t nq, const double* radius, std::size_t w, const std::vector<double>& plo,
                       const std::vector<double>& phi, std::size_t* counts, F&& scan_open) const {
    double rmax = 0.0, rmin = std::numeric_limits<double>::infinity();
    for (std::size_t q = 0; q < nq; ++q) {
      rmax = std::max(rmax, radius[q]);
      rmin = std::min(rmin, radius[q]);
      counts[q] = 0;
    }
    if (gap(t, all_lo_.data(), all_hi_.data()) >= rmax) return;  // the whole set out of reach
    for (std::size_t b = 0; b < blocks_; ++b) {
      if (gap(t, lo_.data() + b * dp_, hi_.data() + b * dp_) >= rmax) continue;
      const std::size_t e = std::min(n_, (b + 1) * block);
      if (far(t, lo_.data() + b * dp_, hi_.data() + b * dp_) < rmin) {
        for (std::size_t q = 0; q < nq; ++q) counts[q] += e - b * block;
        continue;
      }
      for (std::size_t p = b * block / w; p < (e + w - 1) / w; ++p) {
        if (gap(t, plo.data() + p * dp_, phi.data() + p * dp_) >= rmax) continue;
        if (far(t, plo.data() + p * dp_, phi.data() + p * dp_) < rmin) {
          for (std::size_t q = 0; q < nq; ++q) counts[q] += std::min(e, (p + 1) * w) - p * w;
          continue;
        }
        scan_open(p);
      }
    }
  }

  std::size_t n_, d_, dp_, blocks_;
  std::vector<std::size_t> order_, columns_;  // columns_[c]: the input column stored as coordinate c
  std::vector<double> rows_, data_, lo_, hi_, panel_lo_, panel_hi_, all_lo_, all_hi_;  // boxes: per block, per panel, all
  std::vector<float> fdata_;                   // float copy in panels of FW (empty: counts in double)
  std::vector<double> fpanel_lo_, fpanel_hi_;  // boxes of the float panels
  double slack_ = 0.0;                         // bound on |float distance - double distance|
};

}  // namespace infoplane

INFOPLANE_KERNEL_DIAGNOSTICS_END
