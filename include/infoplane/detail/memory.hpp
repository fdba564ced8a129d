#pragma once
// Working memory sized before it is allocated: a request this machine cannot hold is refused with
// the sizes and the bytes it needs, rather than failing later as std::bad_alloc or the OOM killer.
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
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

/// Bytes in `text`: digits with an optional binary suffix K, M, G or T (1K = 1024), as
/// INFOPLANE_MEMORY_LIMIT takes them; nullopt when it is anything else or does not fit.
inline std::optional<std::uint64_t> parse_byte_count(const std::string& text) {
  std::size_t end = 0;
  std::uint64_t v = 0;
  for (; end < text.size() && text[end] >= '0' && text[end] <= '9'; ++end) {
    const auto m = checked_mul(v, 10);
    if (!m || *m > std::numeric_limits<std::uint64_t>::max() - std::uint64_t(text[end] - '0')) return std::nullopt;
    v = *m + std::uint64_t(text[end] - '0');
  }
  if (end == 0) return std::nullopt;
  if (end == text.size()) return v;
  if (end + 1 != text.size()) return std::nullopt;
  const std::string suffixes = "KMGT";
  const auto power = suffixes.find(char(text[end] & ~0x20));  // either case
  if (power == std::string::npos) return std::nullopt;
  return checked_mul(v, std::uint64_t(1) << (10 * (power + 1)));
}

/// The most working memory a request may need, and whose limit that is (for the message).
struct memory_budget {
  std::uint64_t bytes;
  std::string owner;  ///< "this machine's", ...
};

/// The cgroup v2 limit of this process's container (/sys/fs/cgroup/memory.max), read once;
/// nullopt where there is none ("max", or no such file).
inline std::optional<std::uint64_t> cgroup_memory_max() {
  static const std::optional<std::uint64_t> limit = [] {
    std::ifstream in("/sys/fs/cgroup/memory.max");
    std::string text;
    if (!(in >> text)) return std::optional<std::uint64_t>();
    return parse_byte_count(text);
  }();
  return limit;
}

/// How many computations of this process share the budget at once (infoplane ip computes a
/// split's point beside the other's: 2). Each request is checked against its share.
inline std::atomic<unsigned>& memory_sharers() noexcept {
  static std::atomic<unsigned> n{1};
  return n;
}

/// The smallest of physical memory, the cgroup's limit and INFOPLANE_MEMORY_LIMIT (read on each
/// call, so a job script or a test may set it), divided among memory_sharers(). A malformed
/// INFOPLANE_MEMORY_LIMIT is an error: ignoring it would let a job meant to be capped run into
/// its scheduler's OOM kill.
inline memory_budget memory_limit() {
  memory_budget b{physical_memory(), "this machine's"};
  if (const auto c = cgroup_memory_max(); c && *c < b.bytes) b = {*c, "this cgroup's (memory.max)"};
  if (const char* env = std::getenv("INFOPLANE_MEMORY_LIMIT")) {
    const auto v = parse_byte_count(env);
    if (!v || *v == 0)
      raise<invalid_argument>(std::string("INFOPLANE_MEMORY_LIMIT: not a byte count: '") + env +
                              "' (digits with an optional K, M, G or T suffix, e.g. 4G)");
    if (*v < b.bytes) b = {*v, "INFOPLANE_MEMORY_LIMIT's"};
  }
  if (const unsigned n = memory_sharers(); n > 1) b = {b.bytes / n, "1/" + std::to_string(n) + " of " + b.owner};
  return b;
}

inline std::string gib_text(long double bytes) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.3Lg GiB", bytes / (1024.0L * 1024.0L * 1024.0L));
  return buf;
}

/// Refuses a request of `bytes` (long double: a sum of products never overflows it) with an
/// invalid_argument naming `what` (the sizes, as the caller words them) and the memory needed,
/// when it exceeds memory_limit(), so nothing is allocated for a request that cannot succeed.
inline void require_bytes(long double bytes, const std::string& what) {
  const memory_budget have = memory_limit();
  if (bytes > static_cast<long double>(have.bytes))
    raise<memory_error>(what + " needs " + gib_text(bytes) + " of working memory, more than " + have.owner + " " +
                        gib_text(static_cast<long double>(have.bytes)));
}

/// Bytes for the product of `counts` elements of `element_bytes` each, refused as require_bytes
/// does.
inline std::uint64_t require_memory(std::initializer_list<std::uint64_t> counts, std::uint64_t element_bytes,
                                    const std::string& what) {
  std::optional<std::uint64_t> bytes = element_bytes;
  long double exact = static_cast<long double>(element_bytes);
  for (const auto c : counts) {
    exact *= static_cast<long double>(c);
    if (bytes) bytes = checked_mul(*bytes, c);
  }
  require_bytes(exact, what);
  if (!bytes)  // beyond 2^64: reached only where long double rounds like double
    raise<memory_error>(what + " needs " + gib_text(exact) + " of working memory, more than 2^64 bytes");
  return *bytes;
}

}  // namespace infoplane::detail
