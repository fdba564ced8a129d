#pragma once
// Pieces shared by the dropout estimators: choosing components, packing a zero-pattern group
// into kernel layout, and drawing the noisy samples from one seeded stream per data point.
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <type_traits>
#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "infoplane/detail/rng.hpp"
#include "infoplane/estimators/dropout/detail/zero_patterns.hpp"
#include "infoplane/errors.hpp"
#include "infoplane/inputs/noise.hpp"
#include "infoplane/kernels/mixture_view.hpp"

namespace infoplane::detail {

inline constexpr double log_2pi = 1.8378770664093454836;

/// All rows, or a uniform random subset of `k` rows (sorted), fixed by the seed.
inline std::vector<std::size_t> choose_components(std::size_t n, std::optional<std::size_t> k, std::uint64_t seed,
                                                  const char* who) {
  std::vector<std::size_t> rows(n);
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  if (!k) return rows;
  INFOPLANE_CHECK(*k >= 1, std::string(who) + ": components (the subset size) must be >= 1");
  INFOPLANE_CHECK(*k <= n, std::string(who) + ": components (the subset size) " + std::to_string(*k) + " is larger than N = " +
                               std::to_string(n));
  auto rng = make_stream(seed, rng_purpose::subsample, 0);
  for (std::size_t i = 0; i < *k; ++i) std::swap(rows[i], rows[i + rng.below(n - i)]);  // partial Fisher-Yates
  rows.resize(*k);
  std::sort(rows.begin(), rows.end());
  return rows;
}

/// One zero-pattern group in kernel layout (nonzero units only). Under Gaussian dropout each
/// unit is divided by its largest |f| in the group: mutual information and every pairwise divergence are invariant to
/// per-unit scale, and scaled units keep 1/(2 s^2 f^2) and the squared differences inside the
/// storage type's range. Log-densities in these coordinates are the true ones minus log_scale.
template <class T>
struct packed_group {
  std::vector<T> mean, half_prec;
  std::vector<double> log_norm;
  std::vector<double> unit_scale;  ///< d: the factor each unit was multiplied by
  double log_scale = 0.0;          ///< sum of log(unit_scale)
  std::size_t k = 0, d = 0;
  /// mean and half_prec hold members [first, first + stored) only (all of them by default);
  /// log_norm and unit_scale are always the whole group's.
  std::size_t first = 0, stored = 0;
  [[nodiscard]] mixture_view<T> view() const noexcept {
    return {mean.data(), half_prec.data(), log_norm.data() + first, stored, d};
  }
};

/// The dropout mixture's components in the coordinates the estimators work in: component r,
/// unit k is a Gaussian with mean(r, k) and variance var(r, k); draw() turns a standard normal
/// e into a sample. Gaussian dropout: Z itself, N(f, s^2 f^2), units rescaled by their largest
/// |f| (see packed_group).
template <class M>
struct gaussian_components {
  const M& f;
  double noise_var, noise_sd;
  static constexpr bool rescale = true;
  [[nodiscard]] Eigen::Index cols() const { return f.cols(); }
  [[nodiscard]] double mean(std::size_t r, Eigen::Index k) const { return static_cast<double>(f(static_cast<Eigen::Index>(r), k)); }
  /// The variance of a component whose (possibly rescaled) mean is mu.
  [[nodiscard]] double var_at(double mu, std::size_t, Eigen::Index) const { return noise_var * mu * mu; }
  [[nodiscard]] double var(std::size_t r, Eigen::Index k) const { return var_at(mean(r, k), r, k); }
  /// mu: the (rescaled) mean; z = mu * eps, eps = 1 + s e.
  [[nodiscard]] double draw(double mu, std::size_t, Eigen::Index, double e) const { return mu * (1.0 + noise_sd * e); }
  /// The one noise variance, which the kernel choice uses.
  [[nodiscard]] std::optional<double> uniform_variance() const { return noise_var; }
};

/// Information dropout: log Z, N(log f, alpha^2) per row and unit; no rescaling (log f is O(1)).
template <class M, class A>
struct lognormal_components {
  const M& f;
  const A& alpha;
  static constexpr bool rescale = false;
  [[nodiscard]] Eigen::Index cols() const { return f.cols(); }
  [[nodiscard]] double mean(std::size_t r, Eigen::Index k) const {
    return std::log(static_cast<double>(f(static_cast<Eigen::Index>(r), k)));
  }
  [[nodiscard]] double sd(std::size_t r, Eigen::Index k) const {
    return static_cast<double>(alpha(static_cast<Eigen::Index>(r), k));
  }
  [[nodiscard]] double var_at(double, std::size_t r, Eigen::Index k) const { const double a = sd(r, k); return a * a; }
  [[nodiscard]] double var(std::size_t r, Eigen::Index k) const { return var_at(0.0, r, k); }
  [[nodiscard]] double draw(double mu, std::size_t r, Eigen::Index k, double e) const { return mu + sd(r, k) * e; }
  [[nodiscard]] std::optional<double> uniform_variance() const { return std::nullopt; }
};

template <class M>
gaussian_components<M> components_of(const M& f, const gaussian_dropout& noise) {
  return {f, noise.variance(), noise.std()};
}
template <class M, class A>
lognormal_components<M, A> components_of(const M& f, const lognormal_dropout<A>& noise) {
  return {f, noise.alpha()};
}

/// Per unit of group g, the largest and smallest |mean| over its members whose row lies in
/// [row_lo, row_hi) (all by default): max and min, so that any split of the rows over
/// processes, reduced, gives the same.
template <class C>
void unit_extremes(const C& c, const pattern_group& g, std::vector<double>& smallest, std::vector<double>& largest,
                   std::size_t row_lo = 0, std::size_t row_hi = std::numeric_limits<std::size_t>::max()) {
  const std::size_t d = g.dims.size();
  smallest.assign(d, std::numeric_limits<double>::infinity());
  largest.assign(d, 0.0);
  for (std::size_t r : g.members) {
    if (r < row_lo || r >= row_hi) continue;
    for (std::size_t k = 0; k < d; ++k) {
      const double a = std::abs(c.mean(r, g.dims[k]));
      largest[k] = std::max(largest[k], a);
      smallest[k] = std::min(smallest[k], a);
    }
  }
}

/// Each unit's factor (1 / its largest |mean|, or 1 without rescaling).
template <class C>
std::vector<double> unit_scales(const std::vector<double>& largest) {
  std::vector<double> s(largest.size(), 1.0);
  if constexpr (C::rescale)
    for (std::size_t k = 0; k < s.size(); ++k) s[k] = 1.0 / largest[k];
  return s;
}

// The kernel needs each scaled variance's inverse, and squared noise of that size, to stay
// normal numbers in T.
template <class T>
inline constexpr double variance_floor = std::is_same_v<T, float> ? 1e-36 : 1e-280;

/// Row r's log-normaliser in scaled units; `bad` gets the first unit (index into dims) whose
/// variance is below variance_floor<T>, dims.size() if none.
template <class T, class C>
double scaled_log_norm(const C& c, std::size_t r, const std::vector<Eigen::Index>& dims,
                       const std::vector<double>& unit_scale, std::size_t& bad) {
  double ln = 0.0;
  for (bad = 0; bad < dims.size(); ++bad) {
    const double var = c.var_at(c.mean(r, dims[bad]) * unit_scale[bad], r, dims[bad]);
    if (!(var >= variance_floor<T>)) return ln;
    ln -= 0.5 * (log_2pi + std::log(var));
  }
  return ln;
}

/// The error for unit k (index into g.dims) of member j, whose variance is below the floor.
template <class T, class C>
[[noreturn]] void throw_unit_range(const C& c, const pattern_group& g, std::size_t j, std::size_t k, double smallest,
                                   double largest, const std::vector<double>& unit_scale) {
  const char* storage = std::is_same_v<T, float> ? "float32 storage" : "the kernel";
  const char* hint = std::is_same_v<T, float> ? "; use float64 storage" : "";
  char msg[320];
  if constexpr (C::rescale) {
    std::snprintf(msg, sizeof msg,
                  "unit %ld spans too many orders of magnitude for %s (smallest nonzero |f| = %.3g, largest = "
                  "%.3g, noise variance %.3g)%s",
                  static_cast<long>(g.dims[k]), storage, smallest, largest, c.uniform_variance().value_or(0.0), hint);
  } else {
    const std::size_t r = g.members[j];
    const double var = c.var_at(c.mean(r, g.dims[k]) * unit_scale[k], r, g.dims[k]);
    std::snprintf(msg, sizeof msg, "unit %ld, row %zu: the component variance %.3g is too small for %s%s",
                  static_cast<long>(g.dims[k]), r, var, storage, hint);
  }
  throw invalid_argument(msg);
}

/// Fills p.mean and p.half_prec with members [p.first, p.first + p.stored) (p.unit_scale set).
template <class T, class C>
void store_members(const C& c, const pattern_group& g, packed_group<T>& p) {
  p.mean.resize(p.stored * p.d);
  p.half_prec.resize(p.stored * p.d);
  for (std::size_t j = p.first; j < p.first + p.stored; ++j)
    for (std::size_t k = 0; k < p.d; ++k) {
      const double mu = c.mean(g.members[j], g.dims[k]) * p.unit_scale[k];
      const double var = c.var_at(mu, g.members[j], g.dims[k]);
      p.mean[(j - p.first) * p.d + k] = static_cast<T>(mu);
      p.half_prec[(j - p.first) * p.d + k] = static_cast<T>(0.5 / var);
    }
}

/// Packs members [lo, hi) of the group (all by default; the ring keeps its own blocks only).
/// Every member is still checked, so every process refuses the same data.
template <class T, class C>
packed_group<T> pack_components(const C& c, const pattern_group& g, std::size_t lo = 0,
                                std::size_t hi = std::numeric_limits<std::size_t>::max()) {
  packed_group<T> p;
  p.k = g.members.size();
  p.d = g.dims.size();
  p.first = std::min(lo, p.k);
  p.stored = std::min(hi, p.k) - p.first;
  std::vector<double> smallest, largest;
  unit_extremes(c, g, smallest, largest);
  p.unit_scale = unit_scales<C>(largest);
  for (double s : p.unit_scale) p.log_scale += std::log(s);
  p.log_norm.assign(p.k, 0.0);
  for (std::size_t j = 0; j < p.k; ++j) {
    std::size_t bad = 0;
    p.log_norm[j] = scaled_log_norm<T>(c, g.members[j], g.dims, p.unit_scale, bad);
    if (bad < p.d) throw_unit_range<T>(c, g, j, bad, smallest[bad], largest[bad], p.unit_scale);
  }
  store_members(c, g, p);
  return p;
}

/// Writes M noisy draws of component r into z (M x dims.size()), each unit multiplied by
/// scale[k] if given, and for each draw the exact log-density under its own component,
/// log_norm - |e|^2 / 2 (log_norm in the same coordinates).
/// Every unit consumes a draw, zero or not, so a row's noise does not depend on its pattern.
template <class T, class C>
void draw_components(const C& c, std::size_t r, const std::vector<Eigen::Index>& dims, std::size_t m_draws,
                     std::uint64_t seed, double own_log_norm, T* z, double* log_own, const double* scale = nullptr) {
  auto rng = make_stream(seed, rng_purpose::noise, r);
  const auto d_all = c.cols();
  const std::size_t d = dims.size();
  for (std::size_t m = 0; m < m_draws; ++m) {
    double sq = 0.0;
    std::size_t pos = 0;
    for (Eigen::Index k = 0; k < d_all; ++k) {
      const double e = rng.normal();
      if (pos < d && dims[pos] == k) {
        z[m * d + pos] = static_cast<T>(c.draw(c.mean(r, k) * (scale ? scale[pos] : 1.0), r, k, e));
        sq += e * e;
        ++pos;
      }
    }
    log_own[m] = own_log_norm - 0.5 * sq;
  }
}

/// Analytic h(component r) = sum over its units of 1/2 log(2 pi e var): h(Z | X = x_r) for
/// Gaussian dropout, h(log Z | X = x_r) for information dropout.
template <class C>
double conditional_entropy_of(const C& c, std::size_t r, const std::vector<Eigen::Index>& dims) {
  double h = 0.0;
  for (auto k : dims) h += 0.5 * (log_2pi + 1.0 + std::log(c.var(r, k)));
  return h;
}

/// Labels as dense class indices 0..C-1, in increasing label order; `classes` gets C. Throws
/// unless there is one label per data row.
template <class L>
std::vector<std::uint32_t> class_indices(std::span<const L> labels, std::size_t n_rows, const char* who,
                                         std::size_t& classes) {
  INFOPLANE_CHECK(labels.size() == n_rows, std::string(who) + ": labels has " + std::to_string(labels.size()) +
                                               " entries but the representations have " + std::to_string(n_rows) +
                                               " rows");
  std::vector<L> values(labels.begin(), labels.end());
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  classes = values.size();
  std::vector<std::uint32_t> out(labels.size());
  for (std::size_t i = 0; i < labels.size(); ++i)
    out[i] = static_cast<std::uint32_t>(std::lower_bound(values.begin(), values.end(), labels[i]) - values.begin());
  return out;
}

/// Entropy of the zero pattern, -sum p log p, with X uniform over the chosen rows.
inline double pattern_entropy(const std::vector<pattern_group>& groups, std::size_t n) {
  double h = 0.0;
  for (const auto& g : groups) {
    const double p = static_cast<double>(g.members.size()) / static_cast<double>(n);
    h -= p * std::log(p);
  }
  return h;
}

}  // namespace infoplane::detail
