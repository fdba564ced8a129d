#pragma once
// Fused xsimd kernel for log sum_j exp(log N_j(z)) over diagonal Gaussian components.
//
// Layout: components in SIMD lanes, W per block, stored [block][dim][2][lane]; samples are
// broadcast. The loops follow a GEMM micro-kernel: a panel of C component blocks stays in L1
// while groups of R samples (packed [dim][sample]) stream past it from L2; each load and each
// broadcast feeds several FMAs of an R x C register tile. No P x K matrix is stored; each
// sample keeps a running maximum and a lane-wise sum.
//
// double: (z - mu)^2 h = h z^2 - 2 h mu z + h mu^2: two FMAs per d-term. The accumulator
//         starts at the component's constant -(L_j - sum_k h mu^2), so it ends at -log N_j(z).
//         Cancellation is harmless where it matters: for components near the maximum every
//         term is O(1 / s^2).
// float:  the direct form (z - mu)^2 h (all terms >= 0, no cancellation in 24-bit storage);
//         the negligibility test runs in float with a safety slack, and only live blocks are
//         widened. The log-sum-exp itself always runs in double.
//
// Negligible terms: a log-weight more than 40 + ln K below the running maximum adds < e^-40 of
// the sum over all K, below double resolution, so its exp is skipped; brute force still
// computes every d-term. Exact pruning goes further: every d-term is >= 0, so after each chunk
// of units the partial sum bounds the log-weight from above, and an R x C tile whose bound is
// negligible in every lane stops early (checked after 8, 16, 32, ... units, at levels that pay).
//
// Screen: a float kernel built from a double mixture widens its bounds by a proven margin for
// float rounding and computes double log-weights for the lanes it leaves live (docs/design.md).
// Units are shifted to 0 or the midpoint of their means, whichever costs fewer digits.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <type_traits>
#include <utility>
#include <vector>
#include <xsimd/xsimd.hpp>
#if defined(__AVX__)
#include <immintrin.h>
#endif

#include "infoplane/kernels/detail/codegen.hpp"
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
  static constexpr std::size_t zstride = expanded ? 2 : 1;  // packed sample values per unit: z (, z^2)
  static constexpr std::size_t rows = 8;                    // samples per register tile
  static constexpr std::size_t cols = expanded ? 3 : 2;     // component blocks per register tile
  template <class U>
  using aligned_vector = std::vector<U, xsimd::aligned_allocator<U, Arch::alignment()>>;

  /// From a mixture of the same type; or, for the float kernel, from a double mixture as its
  /// screen: float finds the blocks that can matter, double computes their log-weights.
  template <class U>
  explicit simd_mixture(const mixture_view<U>& m)
      : k_(m.k), d_(m.d), blocks_((m.k + lanes - 1) / lanes),
        chunks_(std::max<std::size_t>(1, (m.d + chunk - 1) / chunk)) {
    static_assert(std::is_same_v<U, T> || (std::is_same_v<T, float> && std::is_same_v<U, double>));
    constexpr double ninf = -std::numeric_limits<double>::infinity();
    constexpr bool screen = !std::is_same_v<U, T>;
    // Screen bounds (float rounding u = 2^-24, per-term analysis in docs/design.md): the float
    // sum q_f of h (z - mu)^2 exceeds the exact q by at most u ((d + 10) q + 16 C_j), where
    // C_j = sum_k h mu^2. With h shrunk by alpha and the offset raised by beta_j (both with a
    // factor 2 to spare), the screened bound never lies below the exact log-weight.
    constexpr double u = 0x1p-24;
    const double alpha = screen ? 2.0 * u * (static_cast<double>(d_) + 10.0) : 0.0;
    if constexpr (screen) exact_ = m;
    panel_.assign(blocks_ * d_ * 2 * lanes, T(0));
    init_.assign(blocks_ * lanes, expanded ? std::numeric_limits<T>::infinity() : T(0));
    off_.assign(blocks_ * chunks_ * lanes, expanded ? T(0) : -std::numeric_limits<T>::infinity());
    lnorm_.assign(blocks_ * lanes, ninf);  // padding lanes never count
    // Shifting a unit's means and samples by a constant leaves the log-densities alone, but
    // h z^2 - 2 h mu z cancels about log10(max_j |mu_j - c| / sd_j)^2 digits. Each unit keeps 0 or
    // moves to the midpoint of its means, whichever is fewer deviations from the farthest mean:
    // 0 for dropout (sd = s |mu|), the midpoint for means that sit far from 0.
    center_.assign(d_, 0.0);
    for (std::size_t k = 0; k < d_ && k_ > 0; ++k) {
      double lo = static_cast<double>(m.mean[k]), hi = lo;
      for (std::size_t j = 1; j < k_; ++j) {
        lo = std::min(lo, static_cast<double>(m.mean[j * d_ + k]));
        hi = std::max(hi, static_cast<double>(m.mean[j * d_ + k]));
      }
      const double mid = 0.5 * (lo + hi);
      double at_zero = 0.0, at_mid = 0.0;  // max |mu - c| sqrt(h), in deviations
      for (std::size_t j = 0; j < k_; ++j) {
        const double mu = static_cast<double>(m.mean[j * d_ + k]);
        const double r = std::sqrt(static_cast<double>(m.half_prec[j * d_ + k]));
        at_zero = std::max(at_zero, std::abs(mu) * r);
        at_mid = std::max(at_mid, std::abs(mu - mid) * r);
      }
      center_[k] = at_mid < at_zero ? mid : 0.0;
    }
    std::vector<double> c(chunks_ + 1);
    for (std::size_t j = 0; j < k_; ++j) {
      const std::size_t b = j / lanes, l = j % lanes;
      lnorm_[b * lanes + l] = m.log_norm[j];
      std::fill(c.begin(), c.end(), 0.0);  // c[ch + 1]: sum of h mu^2 over the units up to chunk ch
      double cj = 0.0;
      for (std::size_t k = 0; k < d_; ++k) {
        const double mud = static_cast<double>(m.mean[j * d_ + k]) - center_[k];
        const double hd = static_cast<double>(m.half_prec[j * d_ + k]);
        cj += hd * mud * mud;
        const T mu = static_cast<T>(mud), h = static_cast<T>(hd * (1.0 - alpha));
        T* at = panel_.data() + ((b * d_ + k) * 2) * lanes + l;
        if constexpr (expanded) {
          at[0] = h;
          at[lanes] = T(-2) * h * mu;
          c[k / chunk + 1] += static_cast<double>(h) * static_cast<double>(mu) * static_cast<double>(mu);
        } else {
          at[0] = mu;
          at[lanes] = h;
        }
      }
      for (std::size_t ch = 0; ch < chunks_; ++ch) c[ch + 1] += c[ch];
      const double beta = screen ? 2.0 * u * (16.0 * cj + 2.0 * std::abs(m.log_norm[j])) : 0.0;
      for (std::size_t ch = 0; ch < chunks_; ++ch) {
        // double: the accumulator carries -(L - C_total); the bound after chunk ch needs the
        // constants of the units not yet summed added back. float: the normaliser (+ margin).
        off_[(b * chunks_ + ch) * lanes + l] =
            expanded ? static_cast<T>(c[chunks_] - c[ch + 1]) : static_cast<T>(m.log_norm[j] + beta);
      }
      if constexpr (expanded) init_[b * lanes + l] = static_cast<T>(c[chunks_] - m.log_norm[j]);
    }
    cutoff_ = 40.0 + std::log(static_cast<double>(std::max<std::size_t>(k_, 1)));
  }

  /// Samples per pass over the components: a multiple of `rows` that keeps the packed samples
  /// in L2. Callers that split the samples should split at multiples of it, so that tiles, and
  /// with them every rounding, never depend on the split.
  static constexpr std::size_t sample_tile = 256;
  static_assert(sample_tile % rows == 0);

  /// out[s] = log sum_{j != own[s]} exp(log N_j(z_s)); `s.extra` is honoured only by the
  /// double kernel (the evaluator sends float work with `extra` to the scalar reference).
  /// With `prune`, register tiles that are provably negligible against the running maximum
  /// stop early. With `seed` (one log-weight per sample), the maximum starts there: then only
  /// logaddexp(out[s], seed[s]) is exact, which is what the plug-in needs.
  /// A screen (built from a double mixture) takes the double samples; it computes the double
  /// log-weight of every lane its float test leaves live, from the mixture it was built from.
  /// Where a register group of samples finds too many lanes live for screening to pay, the
  /// screen drops the group and appends its sample range to `redo` for the double kernel. The
  /// decision depends on the group's own data only, so results never depend on how callers
  /// split the samples.
  template <class S>
  void evaluate(const sample_view<S>& s, double* out, bool prune, const double* seed,
                std::vector<std::pair<std::size_t, std::size_t>>* redo = nullptr) const noexcept {
    static_assert(std::is_same_v<S, T> || std::is_same_v<S, double>);
    constexpr double ninf = -std::numeric_limits<double>::infinity();
    const std::size_t p = s.p;
    // Groups of `rows` samples packed as [k][r][z (, z^2)], so one pointer feeds every broadcast.
    const std::size_t full = p / rows * rows;
    const std::size_t per_sample = d_ * zstride;
    aligned_vector<T> packed(std::max<std::size_t>(p, 1) * per_sample);
    for (std::size_t i = 0; i < p; ++i) {
      const std::size_t width = i < full ? rows : 1, r = i < full ? i % rows : 0;
      T* base = packed.data() + (i - r) * per_sample;
      for (std::size_t k = 0; k < d_; ++k) {
        const T z = static_cast<T>(static_cast<double>(s.z[i * d_ + k]) - center_[k]);
        base[(k * width + r) * zstride] = z;
        if constexpr (expanded) base[(k * width + r) * zstride + 1] = s.extra ? z * z + s.extra[i * d_ + k] : z * z;
      }
    }
    state st;
    st.own = s.own;
    st.mx.assign(p, ninf);
    st.acc.assign(p * lanes, 0.0);
    if constexpr (!std::is_same_v<S, T>) {
      st.zexact = s.z;
      st.full = full;
      st.live_in.assign(full / rows + (p - full), 0);
      st.live_early.assign(st.live_in.size(), 0);
      st.dropped.assign(st.live_in.size(), 0);
    }
    if (seed) std::copy(seed, seed + p, st.mx.begin());
    const std::size_t full_blocks = blocks_ / cols * cols;
    for (std::size_t i0 = 0; i0 < p; i0 += sample_tile) {
      const std::size_t i1 = std::min(p, i0 + sample_tile), g1 = std::min(i1, full);
      pruning plan(d_);
      pruning* pr = prune ? &plan : nullptr;
      for (std::size_t b = 0; b < blocks_; b += cols) {
        if (b < full_blocks) {
          for (std::size_t i = i0; i < g1; i += rows) micro<rows, cols>(packed.data() + i * per_sample, i, b, pr, st);
          for (std::size_t i = g1; i < i1; ++i) micro<1, cols>(packed.data() + i * per_sample, i, b, pr, st);
        } else {
          for (std::size_t bb = b; bb < blocks_; ++bb) {
            for (std::size_t i = i0; i < g1; i += rows) micro<rows, 1>(packed.data() + i * per_sample, i, bb, pr, st);
            for (std::size_t i = g1; i < i1; ++i) micro<1, 1>(packed.data() + i * per_sample, i, bb, pr, st);
          }
        }
        if (st.zexact) {  // the two decision points
          const std::size_t done = b + cols;
          const bool early = b < screen_early && done >= screen_early, late = b < screen_trial && done >= screen_trial;
          for (std::size_t i = i0; i < i1 && (early || late); i += i < full ? rows : 1) {
            const std::size_t g = st.group(i), n = (i < full ? rows : 1) * lanes;
            if (early && st.live_early[g] * early_ratio > n * (screen_early - 1)) st.dropped[g] = 1;
            if (late && st.live_in[g] * screen_ratio > n * (done - screen_trial / 2)) st.dropped[g] = 1;
          }
        }
      }
    }
    if (st.zexact && redo) {
      for (std::size_t i = 0; i < p; i += i < full ? rows : 1)
        if (st.dropped[st.group(i)]) redo->emplace_back(i, i + (i < full ? rows : 1));
    }
    for (std::size_t i = 0; i < p; ++i) {
      double sum = 0.0;
      for (std::size_t h = 0; h < halves; ++h) sum += xsimd::hadd(dbatch::load_aligned(st.acc.data() + i * lanes + h * dlanes));
      out[i] = sum > 0.0 ? st.mx[i] + std::log(sum) : ninf;
    }
  }

 private:
  struct state {
    const std::uint32_t* own = nullptr;
    std::vector<double> mx;                   // running maximum per sample
    aligned_vector<double> acc;               // lane-wise sums relative to mx
    const double* zexact = nullptr;           // a screen's double samples
    std::size_t full = 0;                     // samples in full register groups
    std::vector<std::size_t> live_in;         // per group: live lanes from block screen_trial / 2 on
    std::vector<std::size_t> live_early;      // per group: live lanes in blocks 1 .. screen_early - 1
    std::vector<char> dropped;                // per group: left to the double kernel
    std::size_t group(std::size_t i) const noexcept { return i < full ? i / rows : full / rows + (i - full); }
  };
  // A live lane costs the screen about 3d scalar operations, ten times its share of the double
  // kernel. Measured break-even on the toy problem: about 3% of lanes live in blocks
  // 1 .. screen_early - 1, or 1% once the running maximum has settled (blocks screen_trial / 2
  // .. screen_trial). A group above either is handed over.
  static constexpr std::size_t screen_early = 16, early_ratio = 16, screen_trial = 256, screen_ratio = 128;

  // Checkpoint bookkeeping for one sample tile. A check costs about 1/20 of a 32-unit register
  // tile; after 256 tries, a level that stopped fewer than 1 tile in 16 is switched off for the
  // rest of the sample tile. Either way the result is the same (up to rounding exactly at the
  // cutoff): a check only skips what the final liveness test would discard.
  struct pruning {
    static constexpr std::size_t levels = 16, trial = 256;
    std::size_t tried[levels] = {}, stopped[levels] = {};
    std::size_t off_levels = 0, checkpoints = 0;  // levels switched off; levels that exist for this d
    explicit pruning(std::size_t d) noexcept {
      for (std::size_t next = chunk; next < d && checkpoints < levels; next *= 2) ++checkpoints;
    }
    bool wanted(std::size_t level) const noexcept {
      return level < levels && (tried[level] < trial || stopped[level] * 16 >= tried[level]);
    }
    bool any_wanted() const noexcept { return off_levels < checkpoints; }
    void record(std::size_t level, bool stop) noexcept {
      if (tried[level] < trial) {
        ++tried[level];
        stopped[level] += stop ? 1 : 0;
        if (!wanted(level)) ++off_levels;
      }
    }
  };

  // A lane is live when (accumulator - off) <= lim, i.e. its log-weight (bound) is within the
  // cutoff of the running maximum m. In float the limit carries a slack far above float
  // rounding of values near 100, so "negligible" is only claimed when it also holds in double.
  batch limit(double m) const noexcept {
    if constexpr (expanded) return batch(cutoff_ - m);
    else return batch(static_cast<T>(cutoff_ + 1e-3 * (1.0 + std::abs(m)) - m));
  }

  template <std::size_t R, std::size_t C>
  void micro(const T* zt, std::size_t i0, std::size_t b, pruning* prune, state& st) const noexcept {
    if (st.zexact && st.dropped[st.group(i0)]) return;
    batch q[C][R];  // C x R independent FMA chains keep both FMA pipes busy
    INFOPLANE_UNROLL
    for (std::size_t c = 0; c < C; ++c) {
      const batch init = batch::load_aligned(init_.data() + (b + c) * lanes);
      INFOPLANE_UNROLL
      for (std::size_t r = 0; r < R; ++r) q[c][r] = init;
    }
    const T* pb = panel_.data() + b * d_ * 2 * lanes;  // the C blocks are contiguous
    std::size_t k = 0;
    if (prune && prune->any_wanted()) {
      // Checkpoints after 8, 16, 32, ... units; each level turns itself off where it rarely pays.
      for (std::size_t next = chunk, level = 0; k < d_; next *= 2, ++level) {
        const std::size_t kend = std::min(d_, next);
        for (; k < kend; ++k) units<R, C>(pb, zt, k, q);
        if (k < d_ && prune->wanted(level)) {
          const bool stop = !any_live<R, C>(q, b, k / chunk - 1, i0, st);
          prune->record(level, stop);
          if (stop) return;
        }
      }
    } else {
      for (; k < d_; ++k) units<R, C>(pb, zt, k, q);  // one loop, so the tile stays in registers
    }
    if (!any_live<R, C>(q, b, chunks_ - 1, i0, st)) return;  // the common case once the maximum is known
    // Block-major, so that consecutive updates go to different samples' sums. Rolled, with one
    // inlined copy of `accumulate`: live blocks are rare except at small d.
    for (std::size_t c = 0; c < C; ++c) {
      const batch off = final_off(b + c);
      for (std::size_t r = 0; r < R; ++r)
        if (xsimd::any(q[c][r] - off <= limit(st.mx[i0 + r]))) accumulate(i0 + r, b + c, q[c][r], st);
    }
  }

  // One unit k for the whole register tile.
  template <std::size_t R, std::size_t C>
  INFOPLANE_ALWAYS_INLINE void units(const T* pb, const T* zt, std::size_t k, batch (&q)[C][R]) const noexcept {
    const std::size_t bstride = d_ * 2 * lanes;
    const T* pk = pb + k * 2 * lanes;
    const T* zk = zt + k * R * zstride;
    if constexpr (expanded) {
      // h z^2 for the whole tile, then -2 h mu z: only C parameter registers live at a time.
      batch x[C];
      INFOPLANE_UNROLL
      for (std::size_t c = 0; c < C; ++c) x[c] = batch::load_aligned(pk + c * bstride);
      INFOPLANE_UNROLL
      for (std::size_t r = 0; r < R; ++r) {
        const batch zz(zk[2 * r + 1]);
        INFOPLANE_UNROLL
        for (std::size_t c = 0; c < C; ++c) q[c][r] = xsimd::fma(x[c], zz, q[c][r]);
      }
      INFOPLANE_UNROLL
      for (std::size_t c = 0; c < C; ++c) x[c] = batch::load_aligned(pk + c * bstride + lanes);
      INFOPLANE_UNROLL
      for (std::size_t r = 0; r < R; ++r) {
        const batch z(zk[2 * r]);
        INFOPLANE_UNROLL
        for (std::size_t c = 0; c < C; ++c) q[c][r] = xsimd::fma(x[c], z, q[c][r]);
      }
    } else {
      batch mu[C], h[C];
      INFOPLANE_UNROLL
      for (std::size_t c = 0; c < C; ++c) {
        mu[c] = batch::load_aligned(pk + c * bstride);
        h[c] = batch::load_aligned(pk + c * bstride + lanes);
      }
      INFOPLANE_UNROLL
      for (std::size_t r = 0; r < R; ++r) {
        const batch z(zk[r]);
        INFOPLANE_UNROLL
        for (std::size_t c = 0; c < C; ++c) {
          const batch t = z - mu[c];
          q[c][r] = xsimd::fma(t * t, h[c], q[c][r]);
        }
      }
    }
  }

  // The offset of the complete sum: zero for double, whose accumulator already carries the constant.
  batch final_off(std::size_t b) const noexcept {
    if constexpr (expanded) return batch(T(0));
    else return batch::load_aligned(off_.data() + (b * chunks_ + chunks_ - 1) * lanes);
  }

  template <std::size_t R, std::size_t C>
  INFOPLANE_ALWAYS_INLINE bool any_live(const batch (&q)[C][R], std::size_t b, std::size_t ch, std::size_t i0,
                                        const state& st) const noexcept {
    batch off[C];
    INFOPLANE_UNROLL
    for (std::size_t c = 0; c < C; ++c) off[c] = batch::load_aligned(off_.data() + ((b + c) * chunks_ + ch) * lanes);
    xsimd::batch_bool<T, Arch> live(false);
    INFOPLANE_UNROLL
    for (std::size_t r = 0; r < R; ++r) {
      const batch lim = limit(st.mx[i0 + r]);
      INFOPLANE_UNROLL
      for (std::size_t c = 0; c < C; ++c) live = live || (q[c][r] - off[c] <= lim);
    }
    return xsimd::any(live);
  }

  // sum_k h_k (z_k - mu_k)^2 in double over contiguous rows, vectorised over k.
  double direct_quadratic(const double* z, const double* mu, const double* hp) const noexcept {
    dbatch acc(0.0);
    std::size_t k = 0;
    for (; k + dlanes <= d_; k += dlanes) {
      const dbatch t = dbatch::load_unaligned(z + k) - dbatch::load_unaligned(mu + k);
      acc = xsimd::fma(t * t, dbatch::load_unaligned(hp + k), acc);
    }
    double q = xsimd::hadd(acc);
    for (; k < d_; ++k) q += (z[k] - mu[k]) * (z[k] - mu[k]) * hp[k];
    return q;
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

  // Adds one block's live terms to sample i's sum, in double.
  INFOPLANE_ALWAYS_INLINE void accumulate(std::size_t i, std::size_t b, const batch& q, state& st) const noexcept {
    constexpr double ninf = -std::numeric_limits<double>::infinity();
    dbatch w[halves];
    if constexpr (expanded) {
      w[0] = -q;
    } else if (st.zexact) {
      // Screen: double log-weights, in the direct form, for the lanes the float test left live;
      // the others are provably negligible and stay out.
      alignas(Arch::alignment()) double ws[lanes];
      bool live[lanes];
      (q - final_off(b) <= limit(st.mx[i])).store_unaligned(live);
      const double* z = st.zexact + i * d_;
      std::size_t n_live = 0;
      for (std::size_t l = 0; l < lanes; ++l) {
        const std::size_t j = b * lanes + l;
        ws[l] = ninf;
        if (!live[l] || j >= k_) continue;
        ++n_live;
        ws[l] = exact_.log_norm[j] - direct_quadratic(z, exact_.mean + j * d_, exact_.half_prec + j * d_);
      }
      if (b >= screen_trial / 2) st.live_in[st.group(i)] += n_live;
      else if (b >= 1 && b < screen_early) st.live_early[st.group(i)] += n_live;
      for (std::size_t h = 0; h < halves; ++h) w[h] = dbatch::load_aligned(ws + h * dlanes);
    } else {
      alignas(Arch::alignment()) T qs[lanes];
      q.store_aligned(qs);
      for (std::size_t h = 0; h < halves; ++h)
        w[h] = dbatch::load_aligned(lnorm_.data() + b * lanes + h * dlanes) - widen_half(qs + h * dlanes);
    }
    if (st.own[i] / lanes == b) {  // leave the own component out (one block per sample)
      alignas(Arch::alignment()) double tmp[lanes];
      for (std::size_t h = 0; h < halves; ++h) w[h].store_aligned(tmp + h * dlanes);
      tmp[st.own[i] % lanes] = ninf;
      for (std::size_t h = 0; h < halves; ++h) w[h] = dbatch::load_aligned(tmp + h * dlanes);
    }
    double& m = st.mx[i];
    double* acc = st.acc.data() + i * lanes;
    const dbatch mb0(m);
    bool above = false;
    for (std::size_t h = 0; h < halves; ++h) above = above || xsimd::any(w[h] > mb0);
    if (above) {  // new maximum: rescale this sample's sums (rare once the maximum is found)
      alignas(Arch::alignment()) double tmp[lanes];
      for (std::size_t h = 0; h < halves; ++h) w[h].store_aligned(tmp + h * dlanes);
      const double bmax = *std::max_element(tmp, tmp + lanes);
      const dbatch scale(m == ninf ? 0.0 : std::exp(m - bmax));
      for (std::size_t h = 0; h < halves; ++h)
        (dbatch::load_aligned(acc + h * dlanes) * scale).store_aligned(acc + h * dlanes);
      m = bmax;
    }
    if (m == ninf) return;
    const dbatch mb(m);
    for (std::size_t h = 0; h < halves; ++h)
      (dbatch::load_aligned(acc + h * dlanes) + exp_nonpositive(w[h] - mb)).store_aligned(acc + h * dlanes);
  }

  std::size_t k_, d_, blocks_, chunks_;
  double cutoff_ = 40.0;
  aligned_vector<T> panel_;  // [block][dim][2][lane]: (h, -2 h mu) for double, (mu, h) for float
  aligned_vector<T> init_;   // [block][lane]: accumulator start
  aligned_vector<T> off_;    // [block][chunk][lane]: see the liveness test
  aligned_vector<double> lnorm_;
  std::vector<double> center_;    // per unit: subtracted from means and samples
  mixture_view<double> exact_{};  // a screen's double mixture (the caller's storage)
};

}  // namespace infoplane::detail
