#pragma once
// Rank-local input for dropout_mixture in MPI ring mode (detail/scale_out.hpp): each process
// holds only its own rows of the N x d representation. What one process computes from every
// row comes here from per-row values gathered at O(N) (zero patterns, h(Z|X) terms,
// log-normalisers, the first unit too small for the kernel), per-unit extremes reduced by max
// and min, and rows broadcast by their owners one process's share at a time, where a pass
// needs every row in order (the Gaussian bound) or a process needs rows it does not own (its
// samples and blocks). Each value comes from the same operations in the same order as on one
// process, so the bits are the same.
#include <Eigen/Core>
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <exception>
#include <limits>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "infoplane/errors.hpp"
#include "infoplane/estimators/dropout/detail/common.hpp"
#include "infoplane/estimators/dropout/detail/scale_out.hpp"
#include "infoplane/estimators/dropout/detail/zero_patterns.hpp"
#include "infoplane/inputs/noise.hpp"
#include "infoplane/results/warnings.hpp"

namespace infoplane::detail {

/// This process's own rows, read with global row numbers.
struct owned_rows {
  const Eigen::MatrixXd& m;
  std::size_t first;
  [[nodiscard]] Eigen::Index cols() const noexcept { return m.cols(); }
  [[nodiscard]] double operator()(Eigen::Index r, Eigen::Index k) const { return m(r - static_cast<Eigen::Index>(first), k); }
  [[nodiscard]] bool has(std::size_t r) const noexcept { return r >= first && r - first < static_cast<std::size_t>(m.rows()); }
};

/// The rows of a representation present on this process, read as f(r, k) with the global row
/// r: its own, and those brought from their owners.
class present_rows {
 public:
  present_rows(std::size_t n, const owned_rows& own) : own_(own), slot_(n, absent) {}
  [[nodiscard]] Eigen::Index rows() const noexcept { return static_cast<Eigen::Index>(slot_.size()); }
  [[nodiscard]] Eigen::Index cols() const noexcept { return own_.cols(); }
  [[nodiscard]] double operator()(Eigen::Index r, Eigen::Index k) const {
    const auto i = static_cast<std::size_t>(r);
    if (own_.has(i)) return own_(r, k);
    const std::size_t s = slot_[i];
    // A row not brought here is a bug, never data: refuse rather than read another row.
    if (s == absent) raise<logic_error>("rank-local input: row " + std::to_string(r) + " is not on this process");
    return data_[s * static_cast<std::size_t>(cols()) + static_cast<std::size_t>(k)];
  }
  void add(std::size_t r, const double* row) {
    slot_[r] = static_cast<std::uint32_t>(data_.size() / static_cast<std::size_t>(cols()));
    data_.insert(data_.end(), row, row + cols());
  }

 private:
  static constexpr std::uint32_t absent = std::numeric_limits<std::uint32_t>::max();
  owned_rows own_;
  std::vector<std::uint32_t> slot_;
  std::vector<double> data_;
};

/// Rows moved between processes at a time (window buffers: O(rows d) beside the shares).
inline constexpr std::size_t rows_per_message = 4096;

/// The rows of the zero-pattern groups in member order, a batch of W members at a time:
/// reading a row outside the current batch brings the batch that holds it, each process
/// filling in the rows it owns (one bitwise-or all-reduce: exact bits). Collective: every
/// process must read the same rows in the same order (a pass every process makes whole, such
/// as the Gaussian bound's), and then moves N d doubles per pass over all groups.
class streamed_rows {
 public:
  streamed_rows(const Eigen::MatrixXd& own, std::size_t first, const std::vector<pattern_group>& groups, std::size_t n,
                std::size_t batch, scale_out& so)
      : mine_{own, first}, groups_(groups), batch_(std::max<std::size_t>(batch, 1)), so_(so),
        group_of_(n, 0), pos_of_(n, 0) {
    for (std::size_t gi = 0; gi < groups.size(); ++gi)
      for (std::size_t j = 0; j < groups[gi].members.size(); ++j) {
        group_of_[groups[gi].members[j]] = static_cast<std::uint32_t>(gi);
        pos_of_[groups[gi].members[j]] = j;
      }
  }
  [[nodiscard]] Eigen::Index cols() const noexcept { return mine_.cols(); }
  [[nodiscard]] double operator()(Eigen::Index r, Eigen::Index k) const {
    const auto i = static_cast<std::size_t>(r);
    const std::size_t j = pos_of_[i];
    if (group_of_[i] != g_ || j < lo_ || j >= hi_) load(group_of_[i], j / batch_ * batch_);
    return std::bit_cast<double>(window_[(j - lo_) * static_cast<std::size_t>(cols()) + static_cast<std::size_t>(k)]);
  }

 private:
  void load(std::size_t g, std::size_t lo) const {
    const auto& members = groups_[g].members;
    const std::size_t d = static_cast<std::size_t>(cols()), mine_end = mine_.first + static_cast<std::size_t>(mine_.m.rows());
    g_ = g;
    lo_ = lo;
    hi_ = std::min(members.size(), lo + batch_);
    window_.assign((hi_ - lo_) * d, 0);
    for (std::size_t j = lo_; j < hi_; ++j)
      if (members[j] >= mine_.first && members[j] < mine_end)
        for (std::size_t k = 0; k < d; ++k)
          window_[(j - lo_) * d + k] = std::bit_cast<std::uint64_t>(mine_(static_cast<Eigen::Index>(members[j]), static_cast<Eigen::Index>(k)));
    so_.all_or(window_.data(), window_.size());
  }

  owned_rows mine_;
  const std::vector<pattern_group>& groups_;
  std::size_t batch_;
  scale_out& so_;
  std::vector<std::uint32_t> group_of_;
  std::vector<std::size_t> pos_of_;
  mutable std::vector<std::uint64_t> window_;
  mutable std::size_t g_ = std::numeric_limits<std::size_t>::max(), lo_ = 0, hi_ = 0;
};

/// The rank-local rows registered with the active scale-out (mpi::session::set_local_input),
/// if f is them.
inline scale_out::local_rows* registered_rows(const Eigen::MatrixXd& f) {
  auto* so = active_scale_out();
  return so ? so->local_input(f.data(), static_cast<std::size_t>(f.rows()), static_cast<std::size_t>(f.cols())) : nullptr;
}

/// The estimators take rank-local rows with Gaussian dropout over a dense double matrix only.
template <class MF, class Noise>
inline constexpr bool takes_local_rows = std::is_same_v<MF, Eigen::MatrixXd> && std::is_same_v<Noise, gaussian_dropout>;

/// registered_rows(f) where the estimators take them; any other input is whole.
template <class MF, class Noise>
scale_out::local_rows* local_rows_of(const MF& f, const Noise&) {
  if constexpr (takes_local_rows<MF, Noise>) return registered_rows(f);
  return nullptr;
}

/// f's rows, or the whole representation's where f is the registered rank-local input.
inline std::size_t represented_rows(const Eigen::MatrixXd& f) {
  const auto* local = registered_rows(f);
  return local ? local->total_rows : static_cast<std::size_t>(f.rows());
}

/// One process's part of a rank-local representation, and the values gathered from all parts.
class rank_local_input {
 public:
  rank_local_input(const Eigen::MatrixXd& own, scale_out::local_rows& info, scale_out& so)
      : own_(own), info_(info), so_(so), n_(info.total_rows), d_(static_cast<std::size_t>(own.cols())),
        offsets_(local_row_offsets(n_, so.ranks())), first_(offsets_[so.rank()]), present_(n_, owned_rows{own, first_}) {
    info_.used = true;
  }

  [[nodiscard]] std::size_t rows() const noexcept { return n_; }
  [[nodiscard]] const present_rows& present() const noexcept { return present_; }
  /// The groups' rows in member order, rows_per_message at a time (collective reads).
  [[nodiscard]] streamed_rows stream(const std::vector<pattern_group>& groups) const {
    return {own_, first_, groups, n_, rows_per_message, so_};
  }
  [[nodiscard]] const std::vector<std::size_t>& offsets() const noexcept { return offsets_; }
  [[nodiscard]] double h_term(std::size_t r) const { return h_[r]; }

  /// Collective: validate() of the whole representation. The single process reports the first
  /// non-finite value in row order, else the first value whose noise variance is not a normal
  /// double in column order; each process finds its first and the smallest position throws.
  void validate(const gaussian_dropout& noise, const std::string& who) {
    const std::string what = who + ": means (" + info_.name + ")";
    INFOPLANE_CHECK(n_ > 0, what + ": empty data (0 samples)");
    INFOPLANE_CHECK(d_ > 0, what + ": empty data (0 dimensions)");
    const double inf = std::numeric_limits<double>::infinity(), nd = static_cast<double>(n_ * d_);
    double key = inf;
    std::string message;
    const auto at = [&](std::size_t i, std::size_t k) {
      return " at row " + std::to_string(first_ + i) + ", column " + std::to_string(k);
    };
    for (std::size_t i = 0; i < static_cast<std::size_t>(own_.rows()) && key == inf; ++i)
      for (std::size_t k = 0; k < d_ && key == inf; ++k)
        if (!std::isfinite(value(i, k))) {
          key = static_cast<double>((first_ + i) * d_ + k);
          message = what + ": non-finite value (NaN or Inf)" + at(i, k);
        }
    const double s2 = noise.variance();
    for (std::size_t k = 0; k < d_ && key == inf; ++k)
      for (std::size_t i = 0; i < static_cast<std::size_t>(own_.rows()) && key == inf; ++i) {
        const double f = value(i, k), v = s2 * f * f;
        if (f != 0 && !std::isnormal(v)) {
          key = nd + static_cast<double>(k * n_ + first_ + i);
          message = what + ": value " + short_number(f) + at(i, k) + ": its noise variance s^2 f^2 " +
                    (v < 1 ? "underflows" : "overflows") + " a double; rescale the unit";
        }
      }
    double lowest = key;
    so_.all_reduce(&lowest, 1, false);
    so_.agree(key != inf && key == lowest ? std::make_exception_ptr(invalid_argument(message)) : nullptr);
  }

  /// Collective: group_by_zero_pattern of the whole representation over `rows`, and each
  /// row's h(Z|X) term (conditional_entropy_of over its nonzero units), gathered.
  template <class Noise>
  std::vector<pattern_group> group(std::span<const std::size_t> rows, const Noise& noise) {
    const std::size_t words = (d_ + 63) / 64, item = words + 1;
    std::vector<std::uint64_t> buf(n_ * item);
    const owned_rows mine{own_, first_};
    const auto comp = components_of(mine, noise);
    std::vector<Eigen::Index> dims;
    for (std::size_t r = first_; r < offsets_[so_.rank() + 1]; ++r) {
      std::uint64_t* key = buf.data() + r * item;
      zero_pattern_key(mine, r, static_cast<Eigen::Index>(d_), key);
      dims.clear();
      for (std::size_t k = 0; k < d_; ++k)
        if (key[k / 64] >> (k % 64) & 1u) dims.push_back(static_cast<Eigen::Index>(k));
      key[words] = std::bit_cast<std::uint64_t>(conditional_entropy_of(comp, r, dims));
    }
    so_.all_gather(buf.data(), item * sizeof(std::uint64_t), offsets_);
    auto groups = group_by_pattern_keys(rows, static_cast<Eigen::Index>(d_), [&](std::size_t r, std::uint64_t* key) {
      std::copy_n(buf.data() + r * item, words, key);
    });
    h_.resize(n_);
    for (std::size_t r = 0; r < n_; ++r) h_[r] = std::bit_cast<double>(buf[r * item + words]);
    group_of_.assign(n_, 0);
    for (std::size_t gi = 0; gi < groups.size(); ++gi)
      for (std::size_t r : groups[gi].members) group_of_[r] = static_cast<std::uint32_t>(gi);
    return groups;
  }

  /// Collective: per group its unit scales (the extremes reduced over the processes), and per
  /// member its log-normaliser and first unit below variance_floor<T>, gathered.
  template <class T, class Noise>
  void scale(const std::vector<pattern_group>& groups, const Noise& noise) {
    const owned_rows mine{own_, first_};
    const auto comp = components_of(mine, noise);
    using C = decltype(comp);
    std::vector<double> lo, hi;  // every group's units, concatenated
    for (const auto& g : groups) {
      std::vector<double> s, l;
      unit_extremes(comp, g, s, l, first_, offsets_[so_.rank() + 1]);
      lo.insert(lo.end(), s.begin(), s.end());
      hi.insert(hi.end(), l.begin(), l.end());
    }
    so_.all_reduce(lo.data(), lo.size(), false);
    so_.all_reduce(hi.data(), hi.size(), true);
    smallest_.resize(groups.size());
    largest_.resize(groups.size());
    scale_.resize(groups.size());
    for (std::size_t gi = 0, at = 0; gi < groups.size(); at += groups[gi].dims.size(), ++gi) {
      const auto b = lo.begin() + static_cast<std::ptrdiff_t>(at), e = b + static_cast<std::ptrdiff_t>(groups[gi].dims.size());
      smallest_[gi].assign(b, e);
      largest_[gi].assign(hi.begin() + (b - lo.begin()), hi.begin() + (e - lo.begin()));
      scale_[gi] = unit_scales<C>(largest_[gi]);
    }
    norm_.assign(2 * n_, 0.0);  // per row: log-normaliser, first bad unit
    for (std::size_t r = first_; r < offsets_[so_.rank() + 1]; ++r) {
      const auto& g = groups[group_of_[r]];
      if (g.members.empty() || !std::binary_search(g.members.begin(), g.members.end(), r)) continue;  // not chosen
      std::size_t bad = 0;
      norm_[2 * r] = scaled_log_norm<T>(comp, r, g.dims, scale_[group_of_[r]], bad);
      norm_[2 * r + 1] = static_cast<double>(bad);
    }
    so_.all_gather(norm_.data(), 2 * sizeof(double), offsets_);
  }

  /// pack_components of members [lo, hi) of group gi (members in their final order), the rows
  /// present; throws its error for the first member too small for the kernel, on every process.
  template <class T, class C>
  packed_group<T> pack(const C& c, const pattern_group& g, std::size_t gi, std::size_t lo, std::size_t hi) const {
    packed_group<T> p;
    p.k = g.members.size();
    p.d = g.dims.size();
    p.first = std::min(lo, p.k);
    p.stored = std::min(hi, p.k) - p.first;
    p.unit_scale = scale_[gi];
    for (double s : p.unit_scale) p.log_scale += std::log(s);
    p.log_norm.resize(p.k);
    for (std::size_t j = 0; j < p.k; ++j) {
      const std::size_t r = g.members[j], bad = static_cast<std::size_t>(norm_[2 * r + 1]);
      if (bad < p.d) throw_unit_range<T>(c, g, j, bad, smallest_[gi][bad], largest_[gi][bad], p.unit_scale);
      p.log_norm[j] = norm_[2 * r];
    }
    store_members(c, g, p);
    return p;
  }

  /// Collective: brings the rows `needed` (ascending, unique, none of them this process's own)
  /// into present(), each process's share broadcast by its owner in turn, rows_per_message at a time.
  void fetch(const std::vector<std::size_t>& needed) {
    std::vector<double> window;
    auto it = needed.begin();
    for (std::size_t t = 0; t < so_.ranks(); ++t)
      for (std::size_t lo = offsets_[t]; lo < offsets_[t + 1]; lo += rows_per_message) {
        const std::size_t rows = std::min(rows_per_message, offsets_[t + 1] - lo);
        window.resize(rows * d_);
        if (t == so_.rank())
          for (std::size_t i = 0; i < rows; ++i)
            for (std::size_t k = 0; k < d_; ++k) window[i * d_ + k] = value(lo - first_ + i, k);
        so_.broadcast(window.data(), window.size() * sizeof(double), t);
        for (; it != needed.end() && *it < lo + rows; ++it) present_.add(*it, window.data() + (*it - lo) * d_);
      }
  }

  /// Collective: representation_warnings of the whole representation. Each process sends the
  /// first 21 distinct values of its rows (column by column); the warnings are then those of a
  /// stand-in N x d expression (no storage) holding the union of those values, which has as many
  /// distinct values (or more than 20) and is all integers exactly when the whole matrix is,
  /// unless both have more than 20 distinct values, where no warning depends on it.
  void warnings(estimate_result& r, std::string_view what) {
    constexpr std::size_t cap = few_distinct_values + 1, item = cap + 2;  // count, f(0, 0), values
    std::vector<double> buf(item * so_.ranks(), 0.0);
    double* mine = buf.data() + item * so_.rank();
    std::set<double> seen;
    for (std::size_t k = 0; k < d_ && seen.size() < cap; ++k)
      for (std::size_t i = 0; i < static_cast<std::size_t>(own_.rows()) && seen.size() < cap; ++i)
        seen.insert(value(i, k) == 0 ? 0.0 : value(i, k));  // -0.0 and 0.0 are one value
    mine[0] = static_cast<double>(seen.size());
    mine[1] = own_.size() ? value(0, 0) : 0.0;
    std::copy(seen.begin(), seen.end(), mine + 2);
    std::vector<std::size_t> one(so_.ranks() + 1);
    for (std::size_t t = 0; t <= so_.ranks(); ++t) one[t] = t;
    so_.all_gather(buf.data(), item * sizeof(double), one);
    std::size_t head = 0;  // the process holding row 0
    while (head + 1 < so_.ranks() && offsets_[head + 1] == 0) ++head;
    std::vector<double> values{buf[head * item + 1]};  // element (0, 0) first: its sign of zero is printed
    std::set<double> all;
    for (std::size_t t = 0; t < so_.ranks(); ++t)
      all.insert(buf.begin() + static_cast<std::ptrdiff_t>(t * item + 2),
                 buf.begin() + static_cast<std::ptrdiff_t>(t * item + 2 + static_cast<std::size_t>(buf[t * item])));
    for (double v : all)
      if (values.size() < cap && v != (values[0] == 0 ? 0.0 : values[0])) values.push_back(v);
    const auto n = static_cast<Eigen::Index>(n_), last = static_cast<Eigen::Index>(values.size() - 1);
    estimate_result found;
    representation_warnings(found, Eigen::MatrixXd::NullaryExpr(n, static_cast<Eigen::Index>(d_), [&](Eigen::Index i, Eigen::Index k) {
                              return values[static_cast<std::size_t>(std::min(i + k * n, last))];
                            }), what);
    info_.warnings = found.warnings;
    for (auto& w : found.warnings) add_warning(r, std::move(w));
  }

 private:
  [[nodiscard]] double value(std::size_t i, std::size_t k) const {
    return own_(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(k));
  }

  const Eigen::MatrixXd& own_;
  scale_out::local_rows& info_;
  scale_out& so_;
  std::size_t n_, d_;
  std::vector<std::size_t> offsets_;
  std::size_t first_;
  present_rows present_;
  std::vector<double> h_, norm_;
  std::vector<std::uint32_t> group_of_;
  std::vector<std::vector<double>> smallest_, largest_, scale_;
};

}  // namespace infoplane::detail
