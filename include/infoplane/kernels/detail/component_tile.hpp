#pragma once
// Log-densities of one draw under a tile of components, vectorised over the components: the
// population standard error's second pass (dropout_mixture::responsibilities), which tests
// every draw against tiles of components and stops a tile once all of it is negligible.
#include <cstddef>
#include <xsimd/xsimd.hpp>

#include "infoplane/kernels/detail/codegen.hpp"
#include "infoplane/kernels/detail/fast_exp.hpp"
#include "infoplane/kernels/detail/simd_arch.hpp"

INFOPLANE_KERNEL_DIAGNOSTICS_BEGIN

namespace infoplane::detail {

/// acc[c] = init[c] - sum_u (a[u Tile + c] z_u - b[u Tile + c])^2 for the Tile components, with
/// a = sqrt(half precision) and b = a mean (unit-major; init: their log-normalisers): two fused
/// operations a term, each difference scaled first so that none cancels more than z - mean
/// itself. Returns false, acc unset, as soon as every acc[c] is below `cut` at a check after
/// every 4 units: the d-terms only lower acc.
template <std::size_t Tile>
bool tile_log_densities(const double* a, const double* b, const double* z, std::size_t d, double cut,
                        const double* init, double* acc) noexcept {
  using batch = xsimd::batch<double>;
  constexpr std::size_t W = batch::size, nb = Tile / W;
  static_assert(Tile % W == 0);
  batch q[nb];
  INFOPLANE_UNROLL
  for (std::size_t i = 0; i < nb; ++i) q[i] = batch::load_unaligned(init + i * W);
  const batch c(cut);
  for (std::size_t u = 0; u < d; ++u) {
    const batch zu(z[u]);
    INFOPLANE_UNROLL
    for (std::size_t i = 0; i < nb; ++i) {
      const batch t = xsimd::fms(batch::load_unaligned(a + u * Tile + i * W), zu, batch::load_unaligned(b + u * Tile + i * W));
      q[i] = xsimd::fnma(t, t, q[i]);
    }
    if (u % 4 == 3) {
      auto live = q[0] >= c;
      INFOPLANE_UNROLL
      for (std::size_t i = 1; i < nb; ++i) live = live | (q[i] >= c);
      if (!xsimd::any(live)) return false;
    }
  }
  INFOPLANE_UNROLL
  for (std::size_t i = 0; i < nb; ++i) q[i].store_unaligned(acc + i * W);
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

/// r[c] += e^(acc[c] - all) and r_loo[c] += e^(acc[c] - others) (the population pass's two sums).
template <std::size_t Tile>
void add_responsibilities(const double* acc, double all, double others, double negligible, double* r,
                          double* r_loo) noexcept {
  add_shares<Tile>(acc, all, negligible, r);
  add_shares<Tile>(acc, others, negligible, r_loo);
}

/// sum_u h_min[u] gap_u^2, gap_u = max(0, lo[u] - zhi[u], zlo[u] - hi[u]): the least squared,
/// precision-weighted distance between the box [zlo, zhi] (a draw: zlo = zhi) and a tile's box
/// of means [lo, hi], whose half precisions are at least h_min. Over dp units, a multiple of
/// the batch width (padding: zeros everywhere).
inline double box_gap(const double* lo, const double* hi, const double* h_min, const double* zlo, const double* zhi,
                      std::size_t dp) noexcept {
  using batch = xsimd::batch<double>;
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
inline std::size_t box_units(std::size_t d) noexcept {
  constexpr std::size_t W = xsimd::batch<double>::size;
  return (d + W - 1) / W * W;
}

}  // namespace infoplane::detail

INFOPLANE_KERNEL_DIAGNOSTICS_END
