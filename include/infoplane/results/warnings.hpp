#pragma once
// Suspicious inputs and clamped values, reported in estimate_result::warnings. None of these
// stops an estimate: the data may be meant that way, but the number printed is then likely not
// the one the user wanted (a transposed matrix saturates at log N, labels passed as a
// representation, KSG on integer labels gives a fraction of the discrete answer).
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <string>
#include <string_view>

#include "infoplane/results/estimate_result.hpp"

namespace infoplane::detail {

/// At most this many distinct values make data look like labels (or, for KSG's y, discrete).
inline constexpr std::size_t few_distinct_values = 20;

inline void add_warning(estimate_result& r, std::string w) {
  if (std::find(r.warnings.begin(), r.warnings.end(), w) == r.warnings.end()) r.warnings.push_back(std::move(w));
}

inline std::string short_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

/// The distinct values of `m` while there are at most `limit` (limit + 1 once exceeded), and
/// whether every value is an integer.
template <class M>
std::pair<std::size_t, bool> distinct_values(const Eigen::MatrixBase<M>& m, std::size_t limit) {
  std::set<double> seen;
  bool integers = true;
  for (Eigen::Index j = 0; j < m.cols(); ++j)
    for (Eigen::Index i = 0; i < m.rows(); ++i) {
      const double v = static_cast<double>(m(i, j));
      integers = integers && std::isfinite(v) && v == std::round(v);
      if (seen.size() <= limit) seen.insert(v == 0 ? 0.0 : v);  // -0.0 and 0.0 are one value
      if (seen.size() > limit && !integers) return {seen.size(), false};
    }
  return {seen.size(), integers};
}

/// Fewer rows than columns: rows must be samples, so the matrix `what` may be transposed.
inline void shape_warning(estimate_result& r, std::size_t n, std::size_t d, std::string_view what) {
  if (n < d)
    add_warning(r, std::string(what) + ": N = " + std::to_string(n) + " rows < d = " + std::to_string(d) +
                       " columns; rows must be samples: is the matrix transposed?");
}

/// Warnings about a representation `m` (rows: samples) named `what`: fewer rows than columns
/// (transposed?), a constant matrix, and all-integer data with few distinct values (labels?).
template <class M>
void representation_warnings(estimate_result& r, const Eigen::MatrixBase<M>& m, std::string_view what) {
  const auto n = static_cast<std::size_t>(m.rows()), d = static_cast<std::size_t>(m.cols());
  if (n == 0 || d == 0) return;
  const std::string name(what);
  shape_warning(r, n, d, what);
  const auto [distinct, integers] = distinct_values(m, few_distinct_values);
  if (distinct == 1 && n > 1)
    add_warning(r, name + ": every value is " + short_number(static_cast<double>(m(0, 0))) +
                       ": a constant representation carries no information");
  else if (integers && distinct <= few_distinct_values && n >= 2 * distinct)
    add_warning(r, name + ": all values are integers with only " + std::to_string(distinct) +
                       " distinct values: this looks like labels, not a representation");
}

/// KSG treats y as continuous: on few distinct values (labels) it is biased far low.
template <class M>
void discrete_y_warning(estimate_result& r, const Eigen::MatrixBase<M>& y, std::string_view who) {
  const auto n = static_cast<std::size_t>(y.rows());
  const auto [distinct, integers] = distinct_values(y, few_distinct_values);
  (void)integers;
  if (n > 0 && distinct <= few_distinct_values && n >= 2 * distinct)
    add_warning(r, std::string(who) + ": y has only " + std::to_string(distinct) + " distinct values among N = " +
                       std::to_string(n) + " samples, but is treated as continuous: for labels set discrete_y "
                                           "(--discrete-y)");
}

/// A bound on MI is >= 0. Rounding may leave it slightly below; `rounding` is how far (nats).
/// Beyond that the clamp is not rounding: it is reported, and the status says numerical_issue.
inline void clamp_to_nonnegative(estimate_result& r, double rounding, std::string_view who) {
  if (!(r.value < 0)) return;  // also leaves NaN alone
  if (r.value < -rounding) {
    add_warning(r, std::string(who) + ": the bound came out at " + short_number(r.value) +
                       " nats, below 0 by more than rounding; clamped to 0");
    if (r.status == estimate_status::ok) r.status = estimate_status::numerical_issue;
  }
  r.value = 0.0;
  if (r.lower && *r.lower < 0) r.lower = 0.0;
  if (r.upper && *r.upper < 0) r.upper = 0.0;
}

}  // namespace infoplane::detail
