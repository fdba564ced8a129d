#pragma once
// The one hook through which the dropout estimators run across processes (infoplane/mpi/).
// Nothing changes while no scale-out is installed (the default). With one, every process still
// does the cheap, data-dependent work itself (choosing components, zero patterns, packing,
// h(Z|X)), so that every process throws the same errors at the same point; it evaluates only
// its share of the kernel's work items, whose boundaries are the ones the threads already use,
// and the per-point results of all processes are gathered in point order before the
// estimator's usual fixed-order reduction. The result is then bit-identical to one process,
// whatever the process and thread counts.
//
// Ring mode (ring() true): dropout_mixture keeps on each process only its share of the packed
// components, in fixed-size blocks, and passes them around the ring (ring_begin / ring_end)
// while each process evaluates its own samples against every block that comes by; the other
// estimators run as in replicated mode.
//
// Rank-local input (ring mode only, dropout_mixture only): each process passes only its own
// rows [local_row_offsets(N, R)[r], ...[r + 1]) of the N x d representation, registered with
// the scale-out (local_input()); the estimator gathers the O(N) per-row values it needs and
// brings rows it does not own from their owners (detail/rank_local.hpp).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace infoplane::detail {

/// What the estimators need from a group of cooperating processes.
class scale_out {
 public:
  virtual ~scale_out() = default;
  [[nodiscard]] virtual std::size_t ranks() const noexcept = 0;
  [[nodiscard]] virtual std::size_t rank() const noexcept = 0;
  /// Collective. `data` holds offsets.back() items of `item_bytes` each, of which this process
  /// filled [offsets[rank()], offsets[rank() + 1]); afterwards every process holds all items.
  virtual void all_gather(void* data, std::size_t item_bytes, std::span<const std::size_t> offsets) = 0;
  /// Components travel around the ring instead of being held whole by every process.
  [[nodiscard]] virtual bool ring() const noexcept { return false; }
  /// Collective ring step, split for overlap: starts sending `send` to the next process
  /// (rank + 1) and receiving the previous one's buffer into `recv`; both sizes are multiples
  /// of 8 bytes and known to both ends. `send` may be read, not written, until ring_end().
  virtual void ring_begin(const void* /*send*/, std::size_t /*send_bytes*/, void* /*recv*/, std::size_t /*recv_bytes*/) {}
  virtual void ring_end() {}
  /// Collective: data[i] becomes the largest (max) or smallest value of data[i] over the processes.
  virtual void all_reduce(double* /*data*/, std::size_t /*n*/, bool /*max*/) {}
  /// Collective: data[i] becomes the bitwise or of data[i] over the processes.
  virtual void all_or(std::uint64_t* /*data*/, std::size_t /*n*/) {}
  /// Collective: every process gets process `root`'s `bytes` bytes at `data`.
  virtual void broadcast(void* /*data*/, std::size_t /*bytes*/, std::size_t /*root*/) {}
  /// Collective: throws on every process when `failure` is set on any (mpi::session::agree).
  virtual void agree(std::exception_ptr failure) {
    if (failure) std::rethrow_exception(failure);
  }
  /// The matrix registered as this process's rows of a representation spread over the
  /// processes, if `data` (rows x cols) is it; else nullptr.
  struct local_rows {
    std::size_t total_rows = 0;
    std::string name;   ///< for messages (the file the rows came from)
    bool used = false;  ///< set by the estimator that consumed them
    /// The whole representation's representation_warnings, as the estimator found them: a front
    /// end that also checks the matrix it was given (the rows alone) can drop what differs.
    std::vector<std::string> warnings;
  };
  [[nodiscard]] virtual local_rows* local_input(const void* /*data*/, std::size_t /*rows*/, std::size_t /*cols*/) {
    return nullptr;
  }
};

/// Rank-local input: process r holds rows [offsets[r], offsets[r + 1]) of n (ranks + 1 entries).
inline std::vector<std::size_t> local_row_offsets(std::size_t n, std::size_t ranks) {
  std::vector<std::size_t> o(ranks + 1);
  for (std::size_t r = 0; r <= ranks; ++r) o[r] = r * n / ranks;
  return o;
}

/// The installed scale-out, or nullptr (one process). Set by infoplane::mpi::session.
inline scale_out*& active_scale_out() noexcept {
  static scale_out* current = nullptr;
  return current;
}

/// This process's share of work items that are runs of `chunk` consecutive members of each
/// group (groups in order, members in order): per group, the members [lo, hi) it evaluates,
/// and for every process the offset of its first point among all groups' points.
struct member_share {
  std::vector<std::pair<std::size_t, std::size_t>> range;
  std::vector<std::size_t> offsets;  // ranks + 1 entries
};

/// Contiguous runs of work items of about equal total cost (cost(g) per member of group g,
/// times the members of the item), one run per process: identical on every process.
/// The share of process `me` of `ranks`: identical on every process, so each can compute any other's.
template <class Sizes, class Cost>
member_share share_members(const Sizes& group_sizes, std::size_t chunk, Cost&& cost, std::size_t ranks,
                           std::size_t me) {
  member_share s;
  struct item {
    std::size_t group, lo, hi;
  };
  std::vector<item> items;
  std::vector<double> prefix{0.0};
  for (std::size_t g = 0; g < group_sizes.size(); ++g)
    for (std::size_t lo = 0; lo < group_sizes[g]; lo += chunk) {
      const std::size_t hi = std::min(group_sizes[g], lo + chunk);
      items.push_back({g, lo, hi});
      prefix.push_back(prefix.back() + static_cast<double>(hi - lo) * cost(g));
    }
  // Rank r takes the items whose cost midpoint falls in [r, r + 1) * total / ranks.
  std::vector<std::size_t> first(ranks + 1, items.size());
  for (std::size_t r = 0, i = 0; r < ranks; ++r) {
    first[r] = i;
    while (i < items.size() && 0.5 * (prefix[i] + prefix[i + 1]) * static_cast<double>(ranks) <
                                   static_cast<double>(r + 1) * prefix.back())
      ++i;
    if (r + 1 == ranks) i = items.size();
    first[r + 1] = i;
  }
  s.range.assign(group_sizes.size(), {0, 0});
  for (std::size_t i = first[me]; i < first[me + 1]; ++i) {
    auto& [lo, hi] = s.range[items[i].group];
    if (lo == hi) lo = items[i].lo;
    hi = items[i].hi;
  }
  s.offsets.assign(ranks + 1, 0);
  std::size_t points = 0;
  for (std::size_t r = 0, i = 0; r < ranks; ++r) {
    s.offsets[r] = points;
    for (; i < first[r + 1]; ++i) points += items[i].hi - items[i].lo;
  }
  s.offsets[ranks] = points;
  return s;
}

template <class Sizes, class Cost>
member_share share_members(const Sizes& group_sizes, std::size_t chunk, Cost&& cost, const scale_out* so) {
  return share_members(group_sizes, chunk, std::forward<Cost>(cost), so ? so->ranks() : 1, so ? so->rank() : 0);
}

}  // namespace infoplane::detail
