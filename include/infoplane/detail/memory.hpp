#pragma once
// Working memory sized before it is allocated: a request this machine cannot hold is refused with
// the sizes and the bytes it needs, rather than failing later as std::bad_alloc or the OOM killer.
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#endif

#include "infoplane/errors.hpp"

namespace infoplane::detail {

/// a * b, or nullopt where it does not fit in `limit`.
inline std::optional<std::uint64_t> checked_mul(std::uint64_t a, std::uint64_t b,
                                                std::uint64_t limit = std::numeric_limits<std::uint64_t>::max()) {
  if (a != 0 && b > limit / a) return std::nullopt;
  return a * b;
}

/// Physical memory of this machine in bytes (the largest uint64 where the system does not say).
inline std::uint64_t physical_memory() {
#if defined(_SC_PHYS_PAGES) && defined(_SC_PAGESIZE)
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  if (pages > 0 && page > 0)
    if (const auto b = checked_mul(std::uint64_t(pages), std::uint64_t(page))) return *b;
#endif
  return std::numeric_limits<std::uint64_t>::max();
}

inline std::string gib_text(long double bytes) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.3Lg GiB", bytes / (1024.0L * 1024.0L * 1024.0L));
  return buf;
}

/// Bytes for the product of `counts` elements of `element_bytes` each. Throws invalid_argument
/// naming `what` (the sizes, as the caller words them) and the memory needed when that exceeds
/// the machine's physical memory, so nothing is allocated for a request that cannot succeed.
inline std::uint64_t require_memory(std::initializer_list<std::uint64_t> counts, std::uint64_t element_bytes,
                                    const std::string& what) {
  std::optional<std::uint64_t> bytes = element_bytes;
  long double exact = static_cast<long double>(element_bytes);
  for (const auto c : counts) {
    exact *= static_cast<long double>(c);
    if (bytes) bytes = checked_mul(*bytes, c);
  }
  const std::uint64_t have = physical_memory();
  if (!bytes || *bytes > have)
    raise<invalid_argument>(what + " needs " + gib_text(exact) + " of working memory, more than this machine's " +
                            gib_text(static_cast<long double>(have)));
  return *bytes;
}

}  // namespace infoplane::detail
