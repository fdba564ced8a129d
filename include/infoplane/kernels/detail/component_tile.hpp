#pragma once
// Log-densities of one draw under a tile of components, vectorised over the components: the
// population standard error's second pass (dropout_mixture::responsibilities), which tests
// every draw against tiles of components and stops a tile once all of it is negligible.
#include <cmath>
#include <cstddef>
#include <type_traits>
#include <xsimd/xsimd.hpp>

#include "infoplane/kernels/detail/codegen.hpp"
#include "infoplane/kernels/detail/fast_exp.hpp"
#include "infoplane/kernels/detail/simd_arch.hpp"

INFOPLANE_KERNEL_DIAGNOSTICS_BEGIN

namespace infoplane::detail {

/// acc[c] = init[c] - sum_u (a[u Tile + c] z_u - b[u Tile + c])^2 for the Tile components, with
/// a = sqrt(half precision) and b = a mean (unit-major; init: their log-normalisers): two fused
/// operations a term, each difference scaled first so that none cancels more than z - mean
/// itself. The sum is in T: double, or float with float storage (16 components a batch), as the
/// first pass computed it. Returns false, acc unset, as soon as every component is below `cut`
/// at a check after every 4 units (the d-terms only lower acc); in float the check keeps a nat
/// of margin for the rounding (terms below the cut are e^-46 of the sum they would join).
template <std::size_t Tile, class T>
bool tile_log_densities(const T* a, const T* b, const T* z, std::size_t d, double cut, const double* init,
                        double* acc) noexcept {
  using batch = xsimd::batch<T>;
  constexpr std::size_t W = batch::size, nb = Tile / W;
  static_assert(Tile % W == 0);
  constexpr double margin = std::is_same_v<T, float> ? 1.0 : 0.0;
  alignas(64) T lim[Tile];  // the partial sums' cut, per component
  for (std::size_t c = 0; c < Tile; ++c) lim[c] = static_cast<T>(cut - margin - init[c]);
  batch q[nb];
  INFOPLANE_UNROLL
  for (std::size_t i = 0; i < nb; ++i) q[i] = batch(T(0));
  for (std::size_t u = 0; u < d; ++u) {
    const batch zu(z[u]);
    INFOPLANE_UNROLL
    for (std::size_t i = 0; i < nb; ++i) {
      const batch t = xsimd::fms(batch::load_unaligned(a + u * Tile + i * W), zu, batch::load_unaligned(b + u * Tile + i * W));
      q[i] = xsimd::fnma(t, t, q[i]);
    }
    if (u % 4 == 3) {
      auto live = q[0] >= batch::load_aligned(lim);
      INFOPLANE_UNROLL
      for (std::size_t i = 1; i < nb; ++i) live = live | (q[i] >= batch::load_aligned(lim + i * W));
      if (!xsimd::any(live)) return false;
    }
  }
  alignas(64) T out[Tile];
  INFOPLANE_UNROLL
  for (std::size_t i = 0; i < nb; ++i) q[i].store_aligned(out + i * W);
  for (std::size_t c = 0; c < Tile; ++c) acc[c] = init[c] + static_cast<double>(out[c]);
  return true;
}

/// out[c] += e^(acc[c] - log_den) for the Tile components, each only where its exponent exceeds
/// `negligible` (else + 0, which leaves the sum's bits alone). acc[c] <= log_den up to rounding
/// (a log-sum that holds the term, or one divided by a weight <= 1), so the exponents are never
/// much above 0, which exp_nonpositive takes. out: Tile entries.
template <std::size_t Tile>
void add_shares(const double* acc, double log_den, double negligible, double* out) noexcept {
  using batch = xsimd::batch<double>;
  constexpr std::size_t W = batch::size;
  static_assert(Tile % W == 0);
  const batch d0(log_den), cut(negligible), zero(0.0);
  for (std::size_t i = 0; i < Tile; i += W) {
    const batch x = batch::load_unaligned(acc + i) - d0;
    const auto keep = x > cut;
    if (xsimd::any(keep))
      (batch::load_unaligned(out + i) + xsimd::select(keep, exp_nonpositive(x), zero)).store_unaligned(out + i);
  }
}

/// e[c] = e^(acc[c] - base) for the Tile components: the exponential that add_scaled_shares
/// shares between a draw's sums.
template <std::size_t Tile>
void tile_exp(const double* acc, double base, double* e) noexcept {
  using batch = xsimd::batch<double>;
  constexpr std::size_t W = batch::size;
  static_assert(Tile % W == 0);
  const batch b0(base);
  for (std::size_t i = 0; i < Tile; i += W) exp_nonpositive(batch::load_unaligned(acc + i) - b0).store_unaligned(e + i);
}

/// add_shares with e = tile_exp(acc, base): the same terms (those whose exponent acc[c] -
/// log_den exceeds `negligible`), each e[c] e^(base - log_den), one multiplication instead of
/// an exponential. Where the factor could over- or underflow, or a kept term's e[c] fall below
/// exp_nonpositive's range (|base - log_den| > 600), add_shares itself.
template <std::size_t Tile>
void add_scaled_shares(const double* acc, const double* e, double base, double log_den, double negligible,
                       double* out) noexcept {
  using batch = xsimd::batch<double>;
  constexpr std::size_t W = batch::size;
  static_assert(Tile % W == 0);
  if (!(std::abs(base - log_den) <= 600.0)) return add_shares<Tile>(acc, log_den, negligible, out);
  const batch d0(log_den), cut(negligible), zero(0.0), f(std::exp(base - log_den));
  for (std::size_t i = 0; i < Tile; i += W) {
    const auto keep = batch::load_unaligned(acc + i) - d0 > cut;
    if (xsimd::any(keep))
      (batch::load_unaligned(out + i) + xsimd::select(keep, batch::load_unaligned(e + i) * f, zero)).store_unaligned(out + i);
  }
}

/// sum_u h_min[u] gap_u^2, gap_u = max(0, lo[u] - zhi[u], zlo[u] - hi[u]): the least squared,
/// precision-weighted distance between the box [zlo, zhi] (a draw: zlo = zhi) and a tile's box
/// of means [lo, hi], whose half precisions are at least h_min. Over dp units, a multiple of
/// the batch width (padding: zeros everywhere).
template <class Arch = xsimd::default_arch>
double box_gap(const double* lo, const double* hi, const double* h_min, const double* zlo, const double* zhi,
               std::size_t dp) noexcept {
  using batch = xsimd::batch<double, Arch>;
  constexpr std::size_t W = batch::size;
  batch sum(0.0);
  for (std::size_t u = 0; u < dp; u += W) {
    const batch gap = xsimd::max(batch(0.0), xsimd::max(batch::load_unaligned(lo + u) - batch::load_unaligned(zhi + u),
                                                       batch::load_unaligned(zlo + u) - batch::load_unaligned(hi + u)));
    sum = xsimd::fma(batch::load_unaligned(h_min + u) * gap, gap, sum);
  }
  return simd::reduce_add(sum);
}

/// Units rounded up to the batch width, for box_gap.
template <class Arch = xsimd::default_arch>
std::size_t box_units(std::size_t d) noexcept {
  constexpr std::size_t W = xsimd::batch<double, Arch>::size;
  return (d + W - 1) / W * W;
}

}  // namespace infoplane::detail

INFOPLANE_KERNEL_DIAGNOSTICS_END
