#pragma once
// Log-densities of one draw under a tile of components, vectorised over the components: the
// population standard error's second pass (dropout_mixture::responsibilities), which tests
// every draw against tiles of components and stops a tile once all of it is negligible.
#include <cstddef>
#include <xsimd/xsimd.hpp>

#include "infoplane/kernels/detail/codegen.hpp"
#include "infoplane/kernels/detail/simd_arch.hpp"

INFOPLANE_KERNEL_DIAGNOSTICS_BEGIN

namespace infoplane::detail {

/// acc[c] -= sum_u hp[u Tile + c] (z_u - mu[u Tile + c])^2 for the Tile components (unit-major
/// mu and hp; acc starts at their log-normalisers). Returns false, acc left partial, as soon as
/// every acc[c] is below `cut` at a check after every 4 units: the d-terms only lower acc. Each
/// term is one rounded product hp (z - mu) and one fused multiply-subtract, as the scalar loop
/// compiles to, so results and stopping points do not depend on the instruction set.
template <std::size_t Tile>
bool tile_log_densities(const double* mu, const double* hp, const double* z, std::size_t d, double cut,
                        double* acc) noexcept {
  using batch = xsimd::batch<double>;
  constexpr std::size_t W = batch::size, nb = Tile / W;
  static_assert(Tile % W == 0);
  batch a[nb];
  INFOPLANE_UNROLL
  for (std::size_t i = 0; i < nb; ++i) a[i] = batch::load_unaligned(acc + i * W);
  const batch c(cut);
  for (std::size_t u = 0; u < d; ++u) {
    const batch zu(z[u]);
    INFOPLANE_UNROLL
    for (std::size_t i = 0; i < nb; ++i) {
      const batch t = zu - batch::load_unaligned(mu + u * Tile + i * W);
      a[i] = xsimd::fnma(batch::load_unaligned(hp + u * Tile + i * W) * t, t, a[i]);
    }
    if (u % 4 == 3) {
      auto live = a[0] >= c;
      INFOPLANE_UNROLL
      for (std::size_t i = 1; i < nb; ++i) live = live | (a[i] >= c);
      if (!xsimd::any(live)) return false;
    }
  }
  INFOPLANE_UNROLL
  for (std::size_t i = 0; i < nb; ++i) a[i].store_unaligned(acc + i * W);
  return true;
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
