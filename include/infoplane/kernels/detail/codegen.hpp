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
