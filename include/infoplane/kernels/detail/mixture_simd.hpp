#pragma once
// Fused xsimd kernel for log sum_j exp(log N_j(z)) over diagonal Gaussian components.
//
// Layout: components in SIMD lanes, W per block, stored [block][dim][lane]; samples are
// broadcast. Work is tiled: a tile of component blocks (~256 KiB) stays in cache while the
// samples stream past it; a register tile of 8 samples x 2 component blocks lets each load
// and each broadcast feed several FMAs.
// No P x K matrix is stored; each sample keeps a running maximum and a lane-wise sum.
//
// double: (z - mu)^2 h = h z^2 - 2 h mu z + h mu^2, i.e. two FMAs per d-term, with the
//         constant h mu^2 summed per 8-unit chunk. Cancellation is harmless where it matters:
//         for components near the maximum every term is O(1 / s^2).
// float:  the direct form (z - mu)^2 h (all terms >= 0, no cancellation in 24-bit storage);
//         blocks are tested for negligibility in float (with a safety slack) before any
//         conversion to double;
//         the log-sum-exp itself always runs in double.
//
// Exact pruning: every d-term is >= 0, so after each chunk L_j - (partial q) bounds the
// log-weight from above. A tile of components whose bound lies more than 40 + ln K below the
// running maximum in every lane adds < e^-40 of the sum, and is skipped.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <type_traits>
#include <vector>
#include <xsimd/xsimd.hpp>
#if defined(__AVX__)
#include <immintrin.h>
#endif

#include "infoplane/kernels/detail/fast_exp.hpp"
#include "infoplane/kernels/mixture_view.hpp"

namespace infoplane::detail {

template <class T, class Arch = xsimd::default_arch>
class simd_mixture {
 public:
  using batch = xsimd::batch<T, Arch>;
  using dbatch = xsimd::batch<double, Arch>;
  static constexpr std::size_t lanes = batch::size;
  static constexpr std::size_t dlanes = dbatch::size;
  static constexpr std::size_t halves = lanes / dlanes;  // double batches per T batch
  static constexpr std::size_t chunk = 8;                // units between pruning checks
  static constexpr bool expanded = std::is_same_v<T, double>;
  template <class U>
  using aligned_vector = std::vector<U, xsimd::aligned_allocator<U, Arch::alignment()>>;

  explicit simd_mixture(const mixture_view<T>& m)
      : k_(m.k), d_(m.d), blocks_((m.k + lanes - 1) / lanes),
        chunks_(std::max<std::size_t>(1, (m.d + chunk - 1) / chunk)) {
    p1_.assign(blocks_ * d_ * lanes, T(0));
    p2_.assign(blocks_ * d_ * lanes, T(0));
    ccum_.assign(blocks_ * chunks_ * lanes, T(0));
    lnorm_.assign(blocks_ * lanes, -std::numeric_limits<double>::infinity());  // padding lanes never count
    lnorm_t_.assign(blocks_ * lanes, -std::numeric_limits<T>::infinity());
    for (std::size_t j = 0; j < k_; ++j) {
      const std::size_t b = j / lanes, l = j % lanes;
      lnorm_[b * lanes + l] = m.log_norm[j];
      lnorm_t_[b * lanes + l] = static_cast<T>(m.log_norm[j]);
      double c = 0.0;
      for (std::size_t k = 0; k < d_; ++k) {
        const T mu = m.mean[j * d_ + k], h = m.half_prec[j * d_ + k];
        const std::size_t at = (b * d_ + k) * lanes + l;
        if constexpr (expanded) {
          p1_[at] = h;
          p2_[at] = T(-2) * h * mu;
          c += static_cast<double>(h) * static_cast<double>(mu) * static_cast<double>(mu);
        } else {
          p1_[at] = mu;
          p2_[at] = h;
        }
        if ((k + 1) % chunk == 0 || k + 1 == d_) ccum_[(b * chunks_ + k / chunk) * lanes + l] = static_cast<T>(c);
      }
    }
    const double bytes_per_block = 2.0 * double(d_) * lanes * sizeof(T);
    tile_blocks_ = std::max<std::size_t>(1, static_cast<std::size_t>(262144.0 / bytes_per_block));
    cutoff_ = 40.0 + std::log(static_cast<double>(std::max<std::size_t>(k_, 1)));
  }

  /// out[s] = log sum_{j != own[s]} exp(log N_j(z_s)). With `prune`, tiles negligible against the
  /// running maximum are skipped. With `seed` (one log-weight per sample), the maximum starts
  /// there: then only logaddexp(out[s], seed[s]) is exact, which is what the plug-in needs.
  void evaluate(const sample_view<T>& s, double* out, bool prune, const double* seed) const noexcept {
    constexpr double ninf = -std::numeric_limits<double>::infinity();
    const std::size_t p = s.p;
    // Samples packed per tile of `rows` as [k][r][z, z^2], so one pointer feeds every broadcast.
    const std::size_t full = p / rows * rows;
    aligned_vector<T> packed(std::max<std::size_t>(p, 1) * d_ * 2);
    for (std::size_t i = 0; i < p; ++i) {
      const std::size_t width = i < full ? rows : 1, r = i < full ? i % rows : 0;
      const std::size_t base = (i - r) * d_ * 2;
      for (std::size_t k = 0; k < d_; ++k) {
        const T z = s.z[i * d_ + k];
        packed[base + (k * width + r) * 2] = z;
        packed[base + (k * width + r) * 2 + 1] = z * z;
      }
    }
    std::vector<double> mx(p, ninf);
    if (seed) std::copy(seed, seed + p, mx.begin());
    aligned_vector<double> acc(p * lanes, 0.0);  // lane-wise sums relative to mx
    for (std::size_t b0 = 0; b0 < blocks_; b0 += tile_blocks_) {
      const std::size_t b1 = std::min(blocks_, b0 + tile_blocks_);
      for (std::size_t i = 0; i < full; i += rows)
        tile<rows>(s, packed.data() + i * d_ * 2, i, b0, b1, prune, mx.data(), acc.data());
      for (std::size_t i = full; i < p; ++i)
        tile<1>(s, packed.data() + i * d_ * 2, i, b0, b1, prune, mx.data(), acc.data());
    }
    for (std::size_t i = 0; i < p; ++i) {
      double sum = 0.0;
      for (std::size_t h = 0; h < halves; ++h) sum += xsimd::hadd(dbatch::load_aligned(acc.data() + i * lanes + h * dlanes));
      out[i] = sum > 0.0 ? mx[i] + std::log(sum) : ninf;
    }
  }

 private:
  static constexpr std::size_t rows = 8;  // samples per register tile

  // Runs R samples against the blocks [b0, b1), two blocks at a time where it can, so that each
  // broadcast sample value feeds two FMAs.
  template <std::size_t R>
  void tile(const sample_view<T>& s, const T* zt, std::size_t i0, std::size_t b0, std::size_t b1, bool prune,
            double* mx, double* acc) const noexcept {
    std::size_t b = b0;
    for (; b + 2 <= b1; b += 2) block_tile<R, 2>(s, zt, i0, b, prune, mx, acc);
    for (; b < b1; ++b) block_tile<R, 1>(s, zt, i0, b, prune, mx, acc);
  }

  template <std::size_t R, std::size_t C>
  void block_tile(const sample_view<T>& s, const T* zt, std::size_t i0, std::size_t b, bool prune, double* mx,
                  double* acc) const noexcept {
    batch q[C][R];  // C x R independent FMA chains keep both FMA pipes busy
    for (std::size_t c = 0; c < C; ++c)
      for (std::size_t r = 0; r < R; ++r) q[c][r] = batch(T(0));
    std::size_t k = 0;
    // Brute force runs all units in one loop; pruning stops every `chunk` units to check.
    const std::size_t step = prune ? chunk : d_;
    for (std::size_t ch = 0; k < d_; ++ch) {
      const std::size_t kend = std::min(d_, k + step);
      for (; k < kend; ++k) {
        batch x1[C], x2[C];
        for (std::size_t c = 0; c < C; ++c) {
          x1[c] = batch::load_aligned(p1_.data() + ((b + c) * d_ + k) * lanes);
          x2[c] = batch::load_aligned(p2_.data() + ((b + c) * d_ + k) * lanes);
        }
        const T* zk = zt + k * R * 2;
        for (std::size_t r = 0; r < R; ++r) {
          const batch z(zk[2 * r]);
          if constexpr (expanded) {
            const batch zz(zk[2 * r + 1]);
            for (std::size_t c = 0; c < C; ++c) q[c][r] = xsimd::fma(x2[c], z, xsimd::fma(x1[c], zz, q[c][r]));
          } else {
            for (std::size_t c = 0; c < C; ++c) {
              const batch t = z - x1[c];
              q[c][r] = xsimd::fma(t * t, x2[c], q[c][r]);
            }
          }
        }
      }
      if (k < d_) {
        bool all_negligible = true;
        for (std::size_t c = 0; c < C && all_negligible; ++c) all_negligible = negligible<R>(b + c, ch, q[c], i0, mx);
        if (all_negligible) return;
      }
    }
    for (std::size_t c = 0; c < C; ++c) {
      const batch cq = batch::load_aligned(ccum_.data() + ((b + c) * chunks_ + chunks_ - 1) * lanes);
      for (std::size_t r = 0; r < R; ++r) {
        alignas(Arch::alignment()) T qs[lanes];
        (q[c][r] + cq).store_aligned(qs);
        accumulate(s, i0 + r, b + c, qs, prune, mx, acc);
      }
    }
  }

  // True when, in every lane of every sample, the log-weight bound after chunk c is below
  // the running maximum minus the cutoff.
  template <std::size_t R>
  bool negligible(std::size_t b, std::size_t c, const batch* partial, std::size_t i0, const double* mx) const noexcept {
    const batch cq = batch::load_aligned(ccum_.data() + (b * chunks_ + c) * lanes);
    for (std::size_t r = 0; r < R; ++r) {
      alignas(Arch::alignment()) T q[lanes];
      (partial[r] + cq).store_aligned(q);
      if constexpr (std::is_same_v<T, double>) {
        const dbatch thr(mx[i0 + r] - cutoff_);
        if (xsimd::any(dbatch::load_aligned(lnorm_.data() + b * lanes) - dbatch::load_aligned(q) >= thr)) return false;
      } else if (!float_negligible(b, q, mx[i0 + r])) {
        return false;
      }
    }
    return true;
  }

  // In float, with a slack far above float rounding of values near 100, so that "negligible"
  // is only ever claimed when it also holds in double.
  bool float_negligible(std::size_t b, const T* q, double m) const noexcept {
    const batch thr(static_cast<T>(m - cutoff_ - 1e-3 * (1.0 + std::abs(m))));
    return !xsimd::any(batch::load_aligned(lnorm_t_.data() + b * lanes) - batch::load_aligned(q) >= thr);
  }

  // Eight (or four) floats to one double batch. xsimd 8 converts across widths element by
  // element, so the common x86 widths use their conversion instruction directly.
  static dbatch widen_half(const T* q) noexcept {
#if defined(__AVX512F__)
    if constexpr (dlanes == 8 && sizeof(typename dbatch::register_type) == 64) return dbatch(_mm512_cvtps_pd(_mm256_load_ps(q)));
#endif
#if defined(__AVX__)
    if constexpr (dlanes == 4 && sizeof(typename dbatch::register_type) == 32) return dbatch(_mm256_cvtps_pd(_mm_load_ps(q)));
#endif
    alignas(Arch::alignment()) double buf[dlanes];
    for (std::size_t l = 0; l < dlanes; ++l) buf[l] = static_cast<double>(q[l]);
    return dbatch::load_aligned(buf);
  }

  void accumulate(const sample_view<T>& s, std::size_t i, std::size_t b, const T* q, bool prune, double* mx,
                  double* acc) const noexcept {
    constexpr double ninf = -std::numeric_limits<double>::infinity();
    if constexpr (!std::is_same_v<T, double>) {
      // Most blocks of a pruned run end here, before any conversion to double.
      if (prune && mx[i] != ninf && float_negligible(b, q, mx[i])) return;
    }
    dbatch w[halves];
    if constexpr (std::is_same_v<T, double>) {
      w[0] = dbatch::load_aligned(lnorm_.data() + b * lanes) - dbatch::load_aligned(q);
    } else {
      for (std::size_t h = 0; h < halves; ++h)
        w[h] = dbatch::load_aligned(lnorm_.data() + b * lanes + h * dlanes) - widen_half(q + h * dlanes);
    }
    if (s.own[i] / lanes == b) {  // leave the own component out (one block per sample)
      alignas(Arch::alignment()) double tmp[lanes];
      for (std::size_t h = 0; h < halves; ++h) w[h].store_aligned(tmp + h * dlanes);
      tmp[s.own[i] % lanes] = ninf;
      for (std::size_t h = 0; h < halves; ++h) w[h] = dbatch::load_aligned(tmp + h * dlanes);
    }
    double& m = mx[i];
    const dbatch mb0(m);
    bool above = false;
    for (std::size_t h = 0; h < halves; ++h) above = above || xsimd::any(w[h] > mb0);
    if (above) {  // new maximum: rescale this sample's sums (rare once the maximum is found)
      alignas(Arch::alignment()) double tmp[lanes];
      for (std::size_t h = 0; h < halves; ++h) w[h].store_aligned(tmp + h * dlanes);
      const double bmax = *std::max_element(tmp, tmp + lanes);
      const dbatch scale(m == ninf ? 0.0 : std::exp(m - bmax));
      for (std::size_t h = 0; h < halves; ++h)
        (dbatch::load_aligned(acc + i * lanes + h * dlanes) * scale).store_aligned(acc + i * lanes + h * dlanes);
      m = bmax;
    } else if (prune) {  // the whole block lies below the cutoff: it cannot change the sum
      const dbatch thr(m - cutoff_);
      bool any_live = false;
      for (std::size_t h = 0; h < halves; ++h) any_live = any_live || xsimd::any(w[h] >= thr);
      if (!any_live) return;
    }
    if (m == ninf) return;
    const dbatch mb(m);
    for (std::size_t h = 0; h < halves; ++h) {
      double* a = acc + i * lanes + h * dlanes;
      (dbatch::load_aligned(a) + exp_nonpositive(w[h] - mb)).store_aligned(a);
    }
  }

  std::size_t k_, d_, blocks_, chunks_, tile_blocks_ = 1;
  double cutoff_ = 40.0;
  aligned_vector<T> p1_, p2_, ccum_;
  aligned_vector<double> lnorm_;
  aligned_vector<T> lnorm_t_;  // the same in T: float blocks decide "negligible" without widening
};

}  // namespace infoplane::detail
