#pragma once
// The tile driver of the mixture kernel: log sum_j exp(log N_j(z)) over diagonal Gaussian
// components, for many samples, without storing the P x K matrix.
//
// Layout: components in SIMD lanes, W per block, stored [block][dim][2][lane]; samples are
// broadcast. The loops follow a GEMM micro-kernel: a panel of C component blocks stays in L1
// while groups of R samples (packed [dim][sample]) stream past it from L2; each load and each
// broadcast feeds several FMAs of an R x C register tile. Each sample keeps a running maximum
// and a lane-wise sum in double.
//
// The driver owns the loops, the pruning checkpoints and the live-block bookkeeping; a form
// policy (mixture_forms.hpp) says how d-terms are stored and summed, a screen policy
// (mixture_screen.hpp) where the log-weights of live lanes come from.
//
// Negligible terms: a log-weight more than 40 + ln K below the running maximum adds < e^-40 of
// the sum over all K, below double resolution, so its exp is skipped; brute force still
// computes every d-term. Exact pruning goes further: every d-term is >= 0, so after each chunk
// of units the partial sum bounds the log-weight from above, and an R x C tile whose bound is
// negligible in every lane stops early (checked after 8, 16, 32, ... units, at levels that pay),
// and before any unit, a tile whose group of samples lies far enough from its panel of
// components, by their bounding boxes alone, is skipped whole (on real features most are).
// Units are shifted to 0 or the midpoint of their means, whichever costs fewer digits.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>
#include <xsimd/xsimd.hpp>

#include "infoplane/kernels/detail/codegen.hpp"
#include "infoplane/kernels/detail/component_tile.hpp"
#include "infoplane/kernels/detail/fast_exp.hpp"
#include "infoplane/kernels/detail/mixture_forms.hpp"
#include "infoplane/kernels/detail/mixture_screen.hpp"
#include "infoplane/kernels/detail/simd_arch.hpp"
#include "infoplane/kernels/mixture_view.hpp"

INFOPLANE_KERNEL_DIAGNOSTICS_BEGIN

namespace infoplane::detail {

/// Per unit: 0 or the midpoint of its means, whichever is fewer deviations from the farthest
/// mean. Shifting a unit's means and samples by a constant leaves the log-densities alone, but
/// h z^2 - 2 h mu z cancels about log10(max_j |mu_j - c| / sd_j)^2 digits: 0 suits dropout
/// (sd = s |mu|), the midpoint suits means that sit far from 0.
template <class U>
std::vector<double> unit_centres(const mixture_view<U>& m) {
  std::vector<double> centre(m.d, 0.0);
  if (m.k == 0) return centre;
  // Row by row (the means are row-major): a column at a time strides through every component.
  std::vector<double> lo(m.d), hi(m.d), at_zero(m.d, 0.0), at_mid(m.d, 0.0);  // max |mu - c| sqrt(h), in deviations
  for (std::size_t k = 0; k < m.d; ++k) lo[k] = hi[k] = static_cast<double>(m.mean[k]);
  for (std::size_t j = 1; j < m.k; ++j)
    for (std::size_t k = 0; k < m.d; ++k) {
      lo[k] = std::min(lo[k], static_cast<double>(m.mean[j * m.d + k]));
      hi[k] = std::max(hi[k], static_cast<double>(m.mean[j * m.d + k]));
    }
  for (std::size_t j = 0; j < m.k; ++j)
    for (std::size_t k = 0; k < m.d; ++k) {
      const double mu = static_cast<double>(m.mean[j * m.d + k]), mid = 0.5 * (lo[k] + hi[k]);
      const double r = std::sqrt(static_cast<double>(m.half_prec[j * m.d + k]));
      at_zero[k] = std::max(at_zero[k], std::abs(mu) * r);
      at_mid[k] = std::max(at_mid[k], std::abs(mu - mid) * r);
    }
  for (std::size_t k = 0; k < m.d; ++k) centre[k] = at_mid[k] < at_zero[k] ? 0.5 * (lo[k] + hi[k]) : 0.0;
  return centre;
}

template <class Form, class Screen = no_screen>
class mixture_tiles {
 public:
  using T = typename Form::value_type;
  using Arch = typename Form::arch;
  using batch = xsimd::batch<T, Arch>;
  using dbatch = xsimd::batch<double, Arch>;
  static constexpr std::size_t lanes = batch::size;
  static constexpr std::size_t dlanes = dbatch::size;
  static constexpr std::size_t halves = lanes / dlanes;  // double batches per T batch
  static constexpr std::size_t chunk = 8;                // units between pruning checks
  static constexpr bool takes_extra = Form::takes_extra && !Screen::active;
  static constexpr std::size_t zstride = Form::zstride;
  static constexpr std::size_t rows = 8;                 // samples per register tile
  static constexpr std::size_t cols = Form::cols;        // component blocks per register tile
  template <class U>
  using aligned_vector = std::vector<U, xsimd::aligned_allocator<U, Arch::alignment()>>;

  /// From a mixture of the kernel's own type; a screen from the double mixture it screens.
  template <class U>
  explicit mixture_tiles(const mixture_view<U>& m)
      : k_(m.k), d_(m.d), blocks_((m.k + lanes - 1) / lanes),
        chunks_(std::max<std::size_t>(1, (m.d + chunk - 1) / chunk)), full_blocks_(blocks_ / cols * cols), screen_(m) {
    static_assert(Screen::template builds_from<U> && (Screen::active || std::is_same_v<U, T>));
    panel_.assign(blocks_ * d_ * 2 * lanes, T(0));
    init_.assign(blocks_ * lanes, Form::init_padding);
    off_.assign(blocks_ * chunks_ * lanes, Form::off_padding);
    lnorm_.assign(blocks_ * lanes, -std::numeric_limits<double>::infinity());  // padding lanes never count
    center_ = unit_centres(m);
    std::vector<double> mu(d_), h(d_), scratch(chunks_ + 1);
    for (std::size_t j = 0; j < k_; ++j) {
      const std::size_t b = j / lanes, l = j % lanes;
      lnorm_[b * lanes + l] = m.log_norm[j];
      for (std::size_t k = 0; k < d_; ++k) {
        mu[k] = static_cast<double>(m.mean[j * d_ + k]) - center_[k];
        h[k] = static_cast<double>(m.half_prec[j * d_ + k]);
      }
      const centred_component cc{mu.data(), h.data(), m.log_norm[j], d_};
      Form::pack(cc, screen_.margin(cc), chunk, chunks_, panel_.data() + b * d_ * 2 * lanes + l, init_[b * lanes + l],
                 off_.data() + b * chunks_ * lanes + l, scratch);
    }
    cutoff_ = 40.0 + std::log(static_cast<double>(std::max<std::size_t>(k_, 1)));
    // Per panel of `cols` blocks (per block past the last full panel): the box of the centred
    // means, the least half precision per unit and the largest log-normaliser, which bound
    // every log-weight of the panel at a box of samples from above (far()).
    const std::size_t dp = box_units<Arch>(d_), boxes = k_ ? box_of(blocks_ - 1) + 1 : 0;
    box_lo_.assign(boxes * dp, 0.0);
    box_hi_.assign(boxes * dp, 0.0);
    box_h_.assign(boxes * dp, 0.0);
    box_ln_.assign(boxes, -std::numeric_limits<double>::infinity());
    for (std::size_t j = 0; j < k_; ++j) {
      const std::size_t bi = box_of(j / lanes);
      const bool first = box_ln_[bi] == -std::numeric_limits<double>::infinity();
      box_ln_[bi] = std::max(box_ln_[bi], m.log_norm[j]);
      for (std::size_t k = 0; k < d_; ++k) {
        const double mu = static_cast<double>(m.mean[j * d_ + k]) - center_[k], h = static_cast<double>(m.half_prec[j * d_ + k]);
        double &lo = box_lo_[bi * dp + k], &hi = box_hi_[bi * dp + k], &hm = box_h_[bi * dp + k];
        lo = first ? mu : std::min(lo, mu);
        hi = first ? mu : std::max(hi, mu);
        hm = first ? h : std::min(hm, h);
      }
    }
  }

  /// Samples per pass over the components: a multiple of `rows` that keeps the packed samples
  /// in L2. Callers that split the samples should split at multiples of it, so that tiles, and
  /// with them every rounding, never depend on the split.
  static constexpr std::size_t sample_tile = 256;
  static_assert(sample_tile % rows == 0);

  /// out[s] = log sum_{j != own[s]} exp(log N_j(z_s)); `s.extra` is honoured only where
  /// `takes_extra` (the evaluator sends other work with `extra` to the scalar reference).
  /// With `prune`, register tiles that are provably negligible against the running maximum
  /// stop early. With `seed` (one log-weight per sample), the maximum starts there: then only
  /// logaddexp(out[s], seed[s]) is exact, which is what the plug-in needs.
  /// A screen takes the double samples; where a register group of samples finds too many
  /// lanes live for screening to pay, it drops the group and appends its sample range to
  /// `redo` for the double kernel. The decision depends on the group's own data only, so
  /// results never depend on how callers split the samples.
  template <class S>
  void evaluate(const sample_view<S>& s, double* out, bool prune, const double* seed,
                sample_ranges* redo = nullptr, mixture_work* work = nullptr) const noexcept {
    static_assert(std::is_same_v<S, T> || (Screen::active && std::is_same_v<S, double>));
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
        const S* extra = takes_extra && s.extra ? s.extra + i * d_ + k : nullptr;
        Form::pack_sample(base + (k * width + r) * zstride, static_cast<double>(s.z[i * d_ + k]) - center_[k], extra);
      }
    }
    state st{s.own, std::vector<double>(p, ninf), aligned_vector<double>(p * lanes, 0.0),
             Screen::begin(s, full, rows), work};
    if (seed) std::copy(seed, seed + p, st.mx.begin());
    // With pruning, each full group's box of centred samples, for far().
    const std::size_t dp = box_units<Arch>(d_);
    std::vector<double> glo(prune ? full / rows * dp : 0, 0.0), ghi(glo.size(), 0.0);
    for (std::size_t i = 0; i < (prune ? full : 0); ++i)
      for (std::size_t k = 0; k < d_; ++k) {
        const double v = static_cast<double>(s.z[i * d_ + k]) - center_[k];
        double &lo = glo[i / rows * dp + k], &hi = ghi[i / rows * dp + k];
        lo = i % rows ? std::min(lo, v) : v;
        hi = i % rows ? std::max(hi, v) : v;
      }
    const auto far = [&](std::size_t i, std::size_t b, std::size_t blocks) {
      if (!prune || !far_apart(glo.data() + i / rows * dp, ghi.data() + i / rows * dp, box_of(b), i, st)) return false;
      if (st.work) st.work->pairs += rows * blocks;
      return true;
    };
    for (std::size_t i0 = 0; i0 < p; i0 += sample_tile) {
      const std::size_t i1 = std::min(p, i0 + sample_tile), g1 = std::min(i1, full);
      pruning plan(d_);
      pruning* pr = prune ? &plan : nullptr;
      for (std::size_t b = 0; b < blocks_; b += cols) {
        if (b < full_blocks_) {
          for (std::size_t i = i0; i < g1; i += rows)
            if (!far(i, b, cols)) micro<rows, cols>(packed.data() + i * per_sample, i, b, pr, st);
          for (std::size_t i = g1; i < i1; ++i) micro<1, cols>(packed.data() + i * per_sample, i, b, pr, st);
        } else {
          for (std::size_t bb = b; bb < blocks_; ++bb) {
            for (std::size_t i = i0; i < g1; i += rows)
              if (!far(i, bb, 1)) micro<rows, 1>(packed.data() + i * per_sample, i, bb, pr, st);
            for (std::size_t i = g1; i < i1; ++i) micro<1, 1>(packed.data() + i * per_sample, i, bb, pr, st);
          }
        }
        if constexpr (Screen::active) st.screen.after_panel(b, b + cols, i0, i1, lanes);
      }
    }
    if constexpr (Screen::active) {
      if (redo) st.screen.handed_over(p, *redo);
    }
    for (std::size_t i = 0; i < p; ++i) {
      double sum = 0.0;
      for (std::size_t h = 0; h < halves; ++h)
        sum += simd::reduce_add(dbatch::load_aligned(st.acc.data() + i * lanes + h * dlanes));
      out[i] = sum > 0.0 ? st.mx[i] + std::log(sum) : ninf;
    }
  }

 private:
  struct state {
    const std::uint32_t* own = nullptr;
    std::vector<double> mx;      // running maximum per sample
    aligned_vector<double> acc;  // lane-wise sums relative to mx
    typename Screen::pass screen;
    mixture_work* work = nullptr;
  };

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

  // The box of block b's components: its panel's (b < full_blocks_) or its own.
  std::size_t box_of(std::size_t b) const noexcept {
    return b < full_blocks_ ? b / cols : full_blocks_ / cols + (b - full_blocks_);
  }

  // True where every log-weight of box bi's components at the group of samples from i (box
  // [zlo, zhi]) lies below every one of the group's liveness limits: the register tile would
  // keep nothing. A nat (and 1e-4 relative) of margin covers the kernel's rounding, so a tile
  // skipped here is one its own liveness test would have dropped.
  bool far_apart(const double* zlo, const double* zhi, std::size_t bi, std::size_t i, const state& st) const noexcept {
    double m = st.mx[i];
    for (std::size_t r = 1; r < rows; ++r) m = std::min(m, st.mx[i + r]);
    if (m == -std::numeric_limits<double>::infinity()) return false;
    const std::size_t dp = box_units<Arch>(d_);
    const double q = box_gap<Arch>(box_lo_.data() + bi * dp, box_hi_.data() + bi * dp, box_h_.data() + bi * dp, zlo, zhi, dp);
    return box_ln_[bi] - (1.0 - 1e-4) * q + 1.0 < m - cutoff_;
  }

  batch limit(double m) const noexcept { return Form::limit(cutoff_, m); }
  batch final_off(std::size_t b) const noexcept {
    return Form::final_off(off_.data() + (b * chunks_ + chunks_ - 1) * lanes);
  }

  template <std::size_t R, std::size_t C>
  void micro(const T* zt, std::size_t i0, std::size_t b, pruning* prune, state& st) const noexcept {
    if (st.screen.skips(i0)) return;
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
        for (; k < kend; ++k) unit<R, C>(pb, zt, k, q);
        if (k < d_ && prune->wanted(level)) {
          const bool stop = !any_live<R, C>(q, b, k / chunk - 1, i0, st);
          prune->record(level, stop);
          if (stop) {
            if (st.work) st.work->pairs += R * C, st.work->units += R * C * k;
            return;
          }
        }
      }
    } else {
      for (; k < d_; ++k) unit<R, C>(pb, zt, k, q);  // one loop, so the tile stays in registers
    }
    if (st.work) st.work->pairs += R * C, st.work->units += R * C * d_;
    if (!any_live<R, C>(q, b, chunks_ - 1, i0, st)) return;  // the common case once the maximum is known
    // Block-major, so that consecutive updates go to different samples' sums. Rolled, with one
    // inlined copy of `accumulate`: live blocks are rare except at small d.
    for (std::size_t c = 0; c < C; ++c) {
      const batch off = final_off(b + c);
      for (std::size_t r = 0; r < R; ++r)
        if (xsimd::any(q[c][r] - off <= limit(st.mx[i0 + r]))) {
          if (st.work) ++st.work->live;
          accumulate(i0 + r, b + c, q[c][r], st);
        }
    }
  }

  template <std::size_t R, std::size_t C>
  INFOPLANE_ALWAYS_INLINE void unit(const T* pb, const T* zt, std::size_t k, batch (&q)[C][R]) const noexcept {
    Form::template unit<R, C>(pb + k * 2 * lanes, d_ * 2 * lanes, zt + k * R * zstride, q);
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

  // Adds one block's live terms to sample i's sum, in double.
  INFOPLANE_ALWAYS_INLINE void accumulate(std::size_t i, std::size_t b, const batch& q, state& st) const noexcept {
    constexpr double ninf = -std::numeric_limits<double>::infinity();
    dbatch w[halves];
    if constexpr (Screen::active) {
      bool live[lanes];
      (q - final_off(b) <= limit(st.mx[i])).store_unaligned(live);
      screen_.log_weights(st.screen, i, b, live, w);
    } else {
      Form::log_weights(q, lnorm_.data() + b * lanes, w);
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

  std::size_t k_, d_, blocks_, chunks_, full_blocks_;
  double cutoff_ = 40.0;
  std::vector<double> box_lo_, box_hi_, box_h_, box_ln_;  // per panel (box_of): padded to box_units
  aligned_vector<T> panel_;  // [block][dim][2][lane]: the form's two entries per unit
  aligned_vector<T> init_;   // [block][lane]: accumulator start
  aligned_vector<T> off_;    // [block][chunk][lane]: see the liveness test
  aligned_vector<double> lnorm_;
  std::vector<double> center_;  // per unit: subtracted from means and samples
  [[no_unique_address]] Screen screen_;
};

/// The kernel for mixtures stored as T (double: expanded form; float: sqrt form).
template <class T, class Arch = xsimd::default_arch>
using simd_mixture = mixture_tiles<form_for<T, Arch>, no_screen>;

/// The float screen of a double mixture.
template <class Arch = xsimd::default_arch>
using simd_screen = mixture_tiles<sqrt_form<Arch>, float_screen<Arch>>;

}  // namespace infoplane::detail

INFOPLANE_KERNEL_DIAGNOSTICS_END
