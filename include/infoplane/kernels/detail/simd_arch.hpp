#pragma once
// Everything in the kernels that differs between instruction sets or xsimd versions, in one
// place and in xsimd's own manner: functions overloaded on the arch tag through
// `requires_arch<>`, so that the most derived tag wins (avx512bw -> avx512f, fma3<avx2> ->
// avx, sse4_2 -> sse2, anything else -> generic). An overload exists only where xsimd
// compiled the instruction set in (XSIMD_WITH_*), as xsimd's own arch headers do. The kernels
// call these and never test an instruction-set macro.
#include <cstddef>
#include <xsimd/xsimd.hpp>

#include "infoplane/kernels/detail/codegen.hpp"

INFOPLANE_KERNEL_DIAGNOSTICS_BEGIN

namespace infoplane::detail::simd {

using xsimd::kernel::requires_arch;

/// Horizontal sum of a batch: `hadd` in xsimd 8, `reduce_add` from xsimd 9 on (where `hadd`
/// is gone). Kernels call only this.
template <class T, class A>
INFOPLANE_ALWAYS_INLINE T reduce_add(const xsimd::batch<T, A>& b) noexcept {
#if XSIMD_VERSION_MAJOR >= 9
  return xsimd::reduce_add(b);
#else
  return xsimd::hadd(b);
#endif
}

// widen(q, A{}): batch<double, A>::size floats at q (aligned to the float batch) to one double
// batch. xsimd 8 converts across widths element by element, so the x86 widths use their
// conversion instruction. The conversion is exact, so every overload gives the same values.
template <class A>
INFOPLANE_ALWAYS_INLINE xsimd::batch<double, A> widen(const float* q, requires_arch<xsimd::generic>) noexcept {
  constexpr std::size_t n = xsimd::batch<double, A>::size;
  alignas(A::alignment()) double buf[n];
  for (std::size_t l = 0; l < n; ++l) buf[l] = static_cast<double>(q[l]);
  return xsimd::batch<double, A>::load_aligned(buf);
}

#if XSIMD_WITH_SSE2
template <class A>
INFOPLANE_ALWAYS_INLINE xsimd::batch<double, A> widen(const float* q, requires_arch<xsimd::sse2>) noexcept {
  return _mm_cvtps_pd(_mm_setr_ps(q[0], q[1], 0.0f, 0.0f));
}
#endif

#if XSIMD_WITH_AVX
template <class A>
INFOPLANE_ALWAYS_INLINE xsimd::batch<double, A> widen(const float* q, requires_arch<xsimd::avx>) noexcept {
  return _mm256_cvtps_pd(_mm_load_ps(q));
}
#endif

#if XSIMD_WITH_AVX512F
template <class A>
INFOPLANE_ALWAYS_INLINE xsimd::batch<double, A> widen(const float* q, requires_arch<xsimd::avx512f>) noexcept {
  return _mm512_cvtps_pd(_mm256_load_ps(q));
}
#endif

}  // namespace infoplane::detail::simd

INFOPLANE_KERNEL_DIAGNOSTICS_END
