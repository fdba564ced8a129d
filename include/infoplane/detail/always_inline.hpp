#pragma once
// For the kernels' innermost helpers, whose register tiles must not cross a call.
#if defined(__GNUC__) || defined(__clang__)
#define INFOPLANE_ALWAYS_INLINE inline __attribute__((always_inline))
#elif defined(_MSC_VER)
#define INFOPLANE_ALWAYS_INLINE __forceinline
#else
#define INFOPLANE_ALWAYS_INLINE inline
#endif
