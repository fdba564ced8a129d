#pragma once
// Code-generation hints for the kernels' register tiles.

// For the innermost helpers, whose register tiles must not cross a call.
#if defined(__GNUC__) || defined(__clang__)
#define INFOPLANE_ALWAYS_INLINE inline __attribute__((always_inline))
#elif defined(_MSC_VER)
#define INFOPLANE_ALWAYS_INLINE __forceinline
#else
#define INFOPLANE_ALWAYS_INLINE inline
#endif

// Full unrolling of the register-tile loops: at -O2 (CMake's RelWithDebInfo) GCC keeps them
// rolled and the tile lives in memory, 3.7x slower.
#if defined(__clang__)
#define INFOPLANE_UNROLL _Pragma("unroll")
#elif defined(__GNUC__)
#define INFOPLANE_UNROLL _Pragma("GCC unroll 32")
#else
#define INFOPLANE_UNROLL
#endif

// GCC 12 reports the dummy operands of AVX-512 intrinsics as maybe-uninitialised once they are
// inlined into optimised kernel code (GCC PR 105593), so a consumer building with -O3
// -march=native -Wall got a screenful of warnings from the library's headers. Every kernel
// header wraps its code in these two macros; the consumer's own code keeps its warnings.
#if defined(__GNUC__) && !defined(__clang__)
#define INFOPLANE_KERNEL_DIAGNOSTICS_BEGIN                     \
  _Pragma("GCC diagnostic push")                               \
  _Pragma("GCC diagnostic ignored \"-Wmaybe-uninitialized\"") \
  _Pragma("GCC diagnostic ignored \"-Wuninitialized\"")
#define INFOPLANE_KERNEL_DIAGNOSTICS_END _Pragma("GCC diagnostic pop")
#else
#define INFOPLANE_KERNEL_DIAGNOSTICS_BEGIN
#define INFOPLANE_KERNEL_DIAGNOSTICS_END
#endif
