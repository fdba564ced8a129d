#pragma once
// The pairwise Bhattacharyya kernel: for a block of components i, log sum_j exp(-BD(p_i, p_j))
// over diagonal Gaussians p_j = N(mean_j, diag var_j), j = i included (BD = 0). The pairwise
// lower bound on I(X;Z) averages it (estimators/dropout/pairwise.hpp).
//
// Per unit, BD_k = e / (4 s) + 1/2 log s - c_ik - c_jk with e = (mu_ik - mu_jk)^2,
// s = v_ik + v_jk and c_jk = 1/4 (log v_jk + log 2). A division and a log per d-term would cost
// about 20 times the rest, so over a block of units the kernel keeps the sum of e / s as one
// fraction, N / D with D = prod s (N <- N s + e D, D <- D s), and the sum of log s as log D: one
// division and one log per block instead of per unit. BD is invariant under scaling one unit's
// means by a and variances by a^2, so each unit is scaled to a largest variance of 1 first; then
// s <= 2, and blocks end where the product of the smallest possible s could leave the normal
// range (one block of all units for any data whose variances span less than about 1e9 per unit).
// Components lie 8 (the SIMD width) to a panel, unit-major, and 4 points i run against a panel
// at once, so that the N and D chains of different points overlap. Every BD_k >= 0 (the AM-GM
// inequality for the log term), so a pair whose running sum exceeds `prune_nats` contributes
// below e^-60 next to the own term's 1 and is skipped: the sum over all N points of what is
// skipped stays below 1e-20 relative. The scalar reference (detail/bhattacharyya_scalar.hpp) is
// its test oracle. Inputs are validated by the caller (finite means, variances > 0).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>
#include <xsimd/xsimd.hpp>

#include "infoplane/detail/math.hpp"
#include "infoplane/detail/parallel.hpp"
#include "infoplane/kernels/detail/codegen.hpp"
#include "infoplane/kernels/detail/fast_exp.hpp"
#include "infoplane/kernels/detail/simd_arch.hpp"

INFOPLANE_KERNEL_DIAGNOSTICS_BEGIN

namespace infoplane {

/// K diagonal Gaussians, row-major k x d: means and variances (> 0). No ownership.
struct gaussian_set_view {
  const double* mean = nullptr;
  const double* var = nullptr;
  std::size_t k = 0;
  std::size_t d = 0;
};

/// Evaluates log sum_j exp(-BD(p_i, p_j)) for every i against one fixed set of Gaussians.
/// Each pair is evaluated once (BD is symmetric): tile t pairs the points of block a with those
/// of block b, a <= b, and yields 2 block() partial sums, block a's rows then block b's
/// columns (unused when a = b). Every tile is summed in a fixed order and finish() adds the
/// tiles in a fixed order, so the values do not depend on the threads, nor on how the tiles are
/// split among processes. The set's arrays must outlive the evaluator.
class bhattacharyya_evaluator {
 public:
  /// A pair whose partial distance exceeds this is dropped (its term is below e^-60).
  static constexpr double prune_nats = 60.0;

  explicit bhattacharyya_evaluator(const gaussian_set_view& g)
      : g_(g),
        panels_((g.k + lanes - 1) / lanes),
        block_(std::max<std::size_t>(512, ((g.k + 63) / 64 + 63) / 64 * 64)),
        blocks_((g.k + block_ - 1) / block_) {
    for (std::size_t a = 0; a < blocks_; ++a)
      for (std::size_t b = a; b < blocks_; ++b) tile_.push_back({a, b});
    const std::size_t d = g.d, k = g.k;
    if (k == 0 || d == 0) return;
    // Per unit: the scale to a largest variance of 1, and log of the smallest s = v_i + v_j.
    std::vector<double> scale(d), log_min_s(d);
    bool spread = false;  // a unit whose variances span more than doubles can scale
    for (std::size_t u = 0; u < d; ++u) {
      double lo = std::numeric_limits<double>::infinity(), hi = 0.0;
      for (std::size_t j = 0; j < k; ++j) {
        lo = std::min(lo, g.var[j * d + u]);
        hi = std::max(hi, g.var[j * d + u]);
      }
      scale[u] = 1.0 / hi;
      log_min_s[u] = std::log(2.0 * (lo / hi));
      spread = spread || !std::isfinite(scale[u]) || !(lo / hi > 1e-300);
    }
    // Scaled means must stay far from overflow in e; otherwise the per-pair path, unscaled.
    double most = 0.0;
    for (std::size_t j = 0; j < k; ++j)
      for (std::size_t u = 0; u < d; ++u) most = std::max(most, std::abs(g.mean[j * d + u]) * std::sqrt(scale[u]));
    if (spread || !(most < 1e100)) {
      fallback_.assign(k, 0.0);
      for (std::size_t j = 0; j < k; ++j)
        for (std::size_t u = 0; u < d; ++u) fallback_[j] += 0.25 * std::log(g.var[j * d + u]) + 0.25 * std::log(2.0);
      return;
    }
    // Blocks of units: D stays within [e^-660, 2^950], normal doubles with room for N.
    double low = 0.0;
    for (std::size_t u = 0, len = 0; u < d; ++u) {
      if (len > 0 && (low + log_min_s[u] < -660.0 || len >= 950)) {
        unit_end_.push_back(u);
        low = 0.0;
        len = 0;
      }
      low += log_min_s[u];
      ++len;
    }
    unit_end_.push_back(d);
    const std::size_t nb = unit_end_.size();
    // Panels: [panel][unit][lane] for means and variances, [panel][unit block][lane] for sum c.
    // Padding lanes hold mean 0, variance 1: finite, and masked out of the sums.
    mean_.assign(panels_ * d * lanes, 0.0);
    var_.assign(panels_ * d * lanes, 1.0);
    const_.assign(panels_ * nb * lanes, 0.0);
    for (std::size_t j = 0; j < k; ++j) {
      const std::size_t p = j / lanes, l = j % lanes;
      for (std::size_t u = 0, b = 0; u < d; ++u) {
        if (u == unit_end_[b]) ++b;
        const double v = g.var[j * d + u] * scale[u];
        mean_[(p * d + u) * lanes + l] = g.mean[j * d + u] * std::sqrt(scale[u]);
        var_[(p * d + u) * lanes + l] = v;
        const_[(p * nb + b) * lanes + l] += 0.25 * (std::log(v) + std::log(2.0));
      }
    }
  }

  /// Points per block of a tile.
  [[nodiscard]] std::size_t block() const noexcept { return block_; }
  [[nodiscard]] std::size_t tiles() const noexcept { return tile_.size(); }

  /// The partial sums of tiles [t0, t1) into part[(t - t0) * 2 block() ...], on `threads`
  /// threads (0: all cores).
  void tile_sums(std::size_t t0, std::size_t t1, double* part, unsigned threads) const {
    detail::parallel_for(t1 - t0, threads, 1, [&](std::size_t b, std::size_t e) {
      for (std::size_t t = t0 + b; t < t0 + e; ++t) tile_sum(t, part + (t - t0) * 2 * block_);
    });
  }

  /// out[i] = log sum_j exp(-BD(p_i, p_j)), j = i included, from all tiles' partial sums.
  void finish(const double* part, double* out) const noexcept {
    for (std::size_t c = 0; c < blocks_; ++c)
      for (std::size_t i = c * block_; i < std::min(g_.k, (c + 1) * block_); ++i) {
        double sum = 0.0;
        for (std::size_t b = c; b < blocks_; ++b) sum += part[tile_index(c, b) * 2 * block_ + (i - c * block_)];
        for (std::size_t a = 0; a < c; ++a) sum += part[(tile_index(a, c) * 2 + 1) * block_ + (i - c * block_)];
        out[i] = std::log1p(sum);
      }
  }

  /// out[i] for every component, on `threads` threads (0: all cores).
  void parallel(double* out, unsigned threads) const {
    std::vector<double> part(tiles() * 2 * block_);
    tile_sums(0, tiles(), part.data(), threads);
    finish(part.data(), out);
  }

 private:
  using batch = xsimd::batch<double>;
  static constexpr std::size_t lanes = batch::size;
  static constexpr std::size_t tile = 4;  // points per panel pass
  template <class U>
  using aligned_vector = std::vector<U, xsimd::aligned_allocator<U, batch::arch_type::alignment()>>;
  struct tile_blocks {
    std::size_t a, b;
  };

  [[nodiscard]] std::size_t tile_index(std::size_t a, std::size_t b) const noexcept {
    return a * blocks_ - a * (a - 1) / 2 + (b - a);  // rows 0..a-1 hold blocks_ - a' tiles each
  }

  // Tile t's rows (block a) and columns (block b): sums of exp(-BD) over the other block.
  void tile_sum(std::size_t t, double* out) const noexcept {
    const auto [a, b] = tile_[t];
    const std::size_t i0 = a * block_, i1 = std::min(g_.k, i0 + block_);
    const std::size_t j0 = b * block_, j1 = std::min(g_.k, j0 + block_);
    double* row = out;
    double* col = a == b ? nullptr : out + block_;
    std::fill_n(out, 2 * block_, 0.0);
    if (!fallback_.empty()) {
      for (std::size_t i = i0; i < i1; ++i)
        for (std::size_t j = j0; j < j1; ++j) {
          if (j == i) continue;
          const double w = std::exp(std::min(neg_distance(i, j), 0.0));
          row[i - i0] += w;
          if (col) col[j - j0] += w;
        }
      return;
    }
    const std::size_t p0 = j0 / lanes, p1 = (j1 + lanes - 1) / lanes;
    std::size_t i = i0;
    for (; i + tile <= i1; i += tile) sweep<tile>(i, p0, p1, row + (i - i0), col);
    for (; i < i1; ++i) sweep<1>(i, p0, p1, row + (i - i0), col);
  }

  // Point i's scaled mean, variance or block constant, read from its own panel lane.
  double at(const aligned_vector<double>& x, std::size_t i, std::size_t r, std::size_t rows) const noexcept {
    return x[((i / lanes) * rows + r) * lanes + i % lanes];
  }

  // Points [i, i + Q) against panels [p0, p1): row[q] gets the sum of exp(-BD) over the
  // panels' components (not i + q itself), and col[j - 8 p0], where given, the sum over q.
  template <std::size_t Q>
  INFOPLANE_ALWAYS_INLINE void sweep(std::size_t i, std::size_t p0, std::size_t p1, double* row, double* col) const noexcept {
    const std::size_t d = g_.d, nb = unit_end_.size();
    const batch cut(prune_nats), zero(0.0);
    batch total[Q];
    INFOPLANE_UNROLL for (std::size_t q = 0; q < Q; ++q) total[q] = zero;
    alignas(batch::arch_type::alignment()) double lane_index[lanes];
    for (std::size_t l = 0; l < lanes; ++l) lane_index[l] = static_cast<double>(l);
    const batch lane_id = batch::load_aligned(lane_index);
    for (std::size_t p = p0; p < p1; ++p) {
      const double* mp = mean_.data() + p * d * lanes;
      const double* vp = var_.data() + p * d * lanes;
      const double* cp = const_.data() + p * nb * lanes;
      batch bd[Q];
      INFOPLANE_UNROLL for (std::size_t q = 0; q < Q; ++q) bd[q] = zero;
      bool pruned = false;
      for (std::size_t b = 0, u0 = 0; b < nb && !pruned; u0 = unit_end_[b++]) {
        batch n[Q], den[Q];
        INFOPLANE_UNROLL for (std::size_t q = 0; q < Q; ++q) n[q] = zero, den[q] = batch(1.0);
        for (std::size_t u = u0; u < unit_end_[b]; ++u) {
          const batch mj = batch::load_aligned(mp + u * lanes), vj = batch::load_aligned(vp + u * lanes);
          INFOPLANE_UNROLL for (std::size_t q = 0; q < Q; ++q) {
            const batch diff = batch(at(mean_, i + q, u, d)) - mj, s = batch(at(var_, i + q, u, d)) + vj;
            n[q] = xsimd::fma(n[q], s, diff * diff * den[q]);
            den[q] *= s;
          }
          // Every 8 units: stop once all pairs are beyond the cut on e / (4 s) alone, N / (4 D).
          if ((u - u0) % 8 == 7 && u + 1 < unit_end_[b]) {
            bool all = true;
            INFOPLANE_UNROLL for (std::size_t q = 0; q < Q; ++q) all = all && xsimd::all(n[q] > (cut - bd[q]) * den[q] * batch(4.0));
            if (all) {
              pruned = true;
              break;
            }
          }
        }
        if (pruned) break;
        const batch cb = batch::load_aligned(cp + b * lanes);
        bool all = true;
        INFOPLANE_UNROLL for (std::size_t q = 0; q < Q; ++q) {
          bd[q] += batch(0.25) * n[q] / den[q] + batch(0.5) * xsimd::log(den[q]) - (batch(at(const_, i + q, b, nb)) + cb);
          all = all && xsimd::all(bd[q] > cut);
        }
        pruned = all;
      }
      if (pruned) continue;
      // Lanes past the last component, and each point's own lane, count nothing here: the own
      // term is the exact 1 that finish() adds.
      const batch first(static_cast<double>(p * lanes));
      const auto valid = first + lane_id < batch(static_cast<double>(g_.k));
      batch sum_q = zero;
      INFOPLANE_UNROLL for (std::size_t q = 0; q < Q; ++q) {
        const auto keep = valid & (first + lane_id != batch(static_cast<double>(i + q)));
        const batch w = xsimd::select(keep, detail::exp_nonpositive(xsimd::min(-bd[q], zero)), zero);
        total[q] += w;
        sum_q += w;
      }
      if (col) (batch::load_unaligned(col + (p - p0) * lanes) + sum_q).store_unaligned(col + (p - p0) * lanes);
    }
    INFOPLANE_UNROLL for (std::size_t q = 0; q < Q; ++q) row[q] += detail::simd::reduce_add(total[q]);
  }

  // The per-pair path for data whose scaled means would overflow: -BD summed over units,
  // sum [(mu_i - mu_j)^2 / (4 (v_i + v_j)) + 1/2 log(v_i + v_j)] - c_i - c_j.
  double neg_distance(std::size_t i, std::size_t j) const noexcept {
    const std::size_t d = g_.d;
    double acc = 0.0;
    for (std::size_t k = 0; k < d; ++k) {
      const double diff = g_.mean[i * d + k] - g_.mean[j * d + k], sum = g_.var[i * d + k] + g_.var[j * d + k];
      acc += diff * diff / (4.0 * sum) + 0.5 * std::log(sum);
    }
    return -(acc - fallback_[i] - fallback_[j]);
  }

  gaussian_set_view g_;
  std::size_t panels_, block_, blocks_;
  std::vector<tile_blocks> tile_;
  std::vector<std::size_t> unit_end_;          // unit block b covers [unit_end_[b - 1], unit_end_[b])
  aligned_vector<double> mean_, var_, const_;  // scaled, in panels
  std::vector<double> fallback_;              // per component sum c_jk, on the per-pair path only
};

}  // namespace infoplane

INFOPLANE_KERNEL_DIAGNOSTICS_END
