#pragma once
// Training options, callbacks and data handling shared by the trainable estimators.
// Callbacks follow ensmallen: any object with an optional on_step(step, loss) and/or
// on_evaluation(step, heldout_loss) member; returning true from either stops training.
#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <limits>
#include <numeric>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "infoplane/detail/math.hpp"
#include "infoplane/detail/memory.hpp"
#include "infoplane/detail/rng.hpp"
#include "infoplane/errors.hpp"
#include "infoplane/inputs/samples.hpp"
#include "infoplane/results/estimate_result.hpp"

namespace infoplane::neural {

struct training_options {
  std::size_t hidden = 100;       ///< hidden width
  std::size_t layers = 1;         ///< hidden tanh layers
  std::size_t steps = 1000;       ///< optimiser steps
  std::size_t batch = 64;         ///< minibatch size
  double lr = 1e-3;               ///< Adam learning rate
  double clip = 1.0;              ///< gradient-norm clip; 0: none
  double init = 0.0;              ///< 0: PyTorch default init; > 0: U(-init, init)
  std::uint64_t seed = 0;
  double holdout = 0.2;           ///< fraction of the data fit_estimate() keeps for the estimate
  std::size_t eval_every = 100;   ///< steps between held-out evaluations (callbacks, checkpoints)
  /// Wall-clock seconds after which the registry's runs stop training (0: never); their
  /// estimate is then not_converged (see time_limit).
  double time_limit = 0.0;
};

inline void check(const training_options& o, const char* who) {
  const std::string w(who);
  INFOPLANE_CHECK(o.hidden >= 1, w + ": hidden must be >= 1");
  INFOPLANE_CHECK(o.steps >= 1, w + ": steps must be >= 1");
  INFOPLANE_CHECK(o.batch >= 2, w + ": batch must be >= 2");
  INFOPLANE_CHECK(std::isfinite(o.lr) && o.lr > 0, w + ": lr must be finite and > 0");
  INFOPLANE_CHECK(std::isfinite(o.clip) && o.clip >= 0, w + ": clip must be finite and >= 0");
  INFOPLANE_CHECK(o.init >= 0, w + ": init must be >= 0");
  INFOPLANE_CHECK(o.holdout > 0 && o.holdout < 1, w + ": holdout must lie in (0, 1)");
  INFOPLANE_CHECK(o.eval_every >= 1, w + ": eval_every must be >= 1");
  INFOPLANE_CHECK(std::isfinite(o.time_limit) && o.time_limit >= 0, w + ": time_limit must be finite and >= 0");
}

/// Hidden-layer sizes {in, hidden x layers, out}.
inline std::vector<Eigen::Index> layer_sizes(Eigen::Index in, const training_options& o, Eigen::Index out) {
  std::vector<Eigen::Index> s{in};
  for (std::size_t l = 0; l < o.layers; ++l) s.push_back(static_cast<Eigen::Index>(o.hidden));
  s.push_back(out);
  return s;
}

/// Refuses up front a training run on N samples of (dx, dy) whose working memory exceeds
/// detail::memory_limit(): the data's copies (the dense input, the split and fit()'s own copy),
/// 24 N (dx + dy) bytes; per network of layer sizes s, (s_l + 1) s_(l+1) parameters at 40 bytes
/// (weights, gradient, Adam's two moments, a checkpoint), one minibatch's activations and their
/// gradients, 16 B sum(s), and a prediction over up to N held-out rows, 16 N max(s); plus the
/// estimator's own `extra` bytes (named in `extra_what`).
inline void require_training_memory(const char* who, std::size_t n, std::size_t dx, std::size_t dy,
                                    const training_options& o, const std::vector<std::vector<Eigen::Index>>& networks,
                                    long double extra, const std::string& extra_what) {
  const long double rows = static_cast<long double>(n), batch = static_cast<long double>(std::min(o.batch, n));
  long double bytes = 24 * rows * (dx + dy) + extra, params = 0;
  for (const auto& sizes : networks) {
    long double units = 0, widest = 0;
    for (std::size_t l = 0; l < sizes.size(); ++l) {
      units += static_cast<long double>(sizes[l]);
      widest = std::max(widest, static_cast<long double>(sizes[l]));
      if (l + 1 < sizes.size()) params += (static_cast<long double>(sizes[l]) + 1) * static_cast<long double>(sizes[l + 1]);
    }
    bytes += 16 * batch * units + 16 * rows * widest;
  }
  bytes += 40 * params;
  infoplane::detail::require_bytes(
      bytes, std::string(who) + ": N = " + std::to_string(n) + " samples, dx = " + std::to_string(dx) + ", dy = " +
                 std::to_string(dy) + ", hidden = " + std::to_string(o.hidden) + " x " + std::to_string(o.layers) +
                 " layers (" + std::to_string(static_cast<unsigned long long>(params)) + " parameters), batch " +
                 std::to_string(o.batch) + extra_what);
}

/// A training callback: an object with on_step(step, loss) and/or on_evaluation(step, held-out
/// loss), each returning true to stop.
template <class C>
concept TrainingCallback = requires(std::remove_cvref_t<C>& c, std::size_t step, double v) {
  { c.on_step(step, v) } -> std::convertible_to<bool>;
} || requires(std::remove_cvref_t<C>& c, std::size_t step, double v) {
  { c.on_evaluation(step, v) } -> std::convertible_to<bool>;
};

/// Stops when the held-out loss has not improved for `patience` evaluations.
struct early_stopping {
  std::size_t patience = 5;
  double best = std::numeric_limits<double>::infinity();
  std::size_t since = 0;
  bool on_evaluation(std::size_t, double heldout_loss) {
    if (heldout_loss < best) {
      best = heldout_loss;
      since = 0;
      return false;
    }
    return ++since >= patience;
  }
};

/// Prints the training loss every `every` steps.
struct progress {
  std::ostream* out = &std::cerr;
  std::size_t every = 100;
  bool on_step(std::size_t step, double loss) const {
    if (step % every == 0) *out << "step " << step << "  loss " << loss << "\n";
    return false;
  }
};

/// Stops training once `seconds` of wall-clock time have passed since construction (0 or
/// less: never). An estimate from training it cut short is not converged: apply() says so.
class time_limit {
 public:
  explicit time_limit(double seconds) : seconds_(seconds), start_(std::chrono::steady_clock::now()) {}
  bool on_step(std::size_t, double) {
    if (seconds_ > 0 && std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count() >= seconds_)
      reached_ = true;
    return reached_;
  }
  /// True once the limit stopped training.
  [[nodiscard]] bool reached() const noexcept { return reached_; }
  /// Marks an otherwise ok result not_converged when the limit stopped its training.
  estimate_result& apply(estimate_result& r) const noexcept {
    if (reached_ && r.status == estimate_status::ok) r.status = estimate_status::not_converged;
    return r;
  }

 private:
  double seconds_;
  std::chrono::steady_clock::time_point start_;
  bool reached_ = false;
};

namespace detail {

template <class C>
bool notify_step(C& c, std::size_t step, double loss) {
  if constexpr (requires { { c.on_step(step, loss) } -> std::convertible_to<bool>; }) return c.on_step(step, loss);
  return false;
}
template <class C>
bool notify_evaluation(C& c, std::size_t step, double heldout) {
  if constexpr (requires { { c.on_evaluation(step, heldout) } -> std::convertible_to<bool>; })
    return c.on_evaluation(step, heldout);
  return false;
}

}  // namespace detail

using dense_matrix = Eigen::MatrixXd;

template <class MX, class MY>
std::pair<dense_matrix, dense_matrix> to_dense(const paired_samples<MX, MY>& in, const char* who) {
  validate(in, who);
  return {in.x.template cast<double>(), in.y.template cast<double>()};
}

/// Each column centred and scaled by the training data's mean and root mean square, the same
/// map then applied to every later input. MI does not change under it, and the networks see
/// unit-scale inputs whatever the data's units: unscaled, at 1e30 tanh saturated, at 1e-30 the
/// inputs vanished, and DoE's Gaussian terms overflowed (1e51 nats with status ok at 1e-30, NaN
/// at 1e200). A constant column maps to 0.
class standardizer {
 public:
  standardizer() = default;
  /// From `m` (at least one row).
  explicit standardizer(const dense_matrix& m) : mean_(m.cols()), scale_(m.cols()) {
    for (Eigen::Index c = 0; c < m.cols(); ++c) {
      const auto col = m.col(c);
      // Tested first: the mean of equal values may round away from them.
      if (col.maxCoeff() == col.minCoeff()) {
        mean_[c] = col(0);
        scale_[c] = 0;
        continue;
      }
      mean_[c] = col.mean();
      scale_[c] = infoplane::detail::stable_rms((col.array() - mean_[c]).matrix());  // no square overflows
    }
  }
  [[nodiscard]] dense_matrix operator()(const dense_matrix& m) const {
    dense_matrix out(m.rows(), m.cols());
    for (Eigen::Index c = 0; c < m.cols(); ++c)
      if (scale_[c] > 0) out.col(c) = (m.col(c).array() - mean_[c]) / scale_[c];  // divided: 1 / a subnormal is inf
      else out.col(c).setZero();
    return out;
  }
  /// Every column constant: the variable is independent of everything, I = 0.
  [[nodiscard]] bool constant() const { return (scale_.array() == 0).all(); }
  /// sum of log scale over the non-constant columns: a differential entropy of the data is that
  /// of the standardised data plus this.
  [[nodiscard]] double log_scale() const {
    double s = 0;
    for (Eigen::Index c = 0; c < scale_.size(); ++c)
      if (scale_[c] > 0) s += std::log(scale_[c]);
    return s;
  }

 private:
  Eigen::VectorXd mean_, scale_;
};

/// Shuffled epochs of minibatch indices, fixed by the seed.
class batch_sampler {
 public:
  batch_sampler(std::size_t n, std::size_t batch, std::uint64_t seed)
      : order_(n), batch_(std::min(batch, n)), rng_(infoplane::detail::make_stream(seed, infoplane::detail::rng_purpose::subsample, 3)) {
    std::iota(order_.begin(), order_.end(), std::size_t{0});
    shuffle();
  }
  std::vector<std::size_t> next() {
    if (pos_ + batch_ > order_.size()) shuffle();
    std::vector<std::size_t> out(order_.begin() + std::ptrdiff_t(pos_), order_.begin() + std::ptrdiff_t(pos_ + batch_));
    pos_ += batch_;
    return out;
  }

 private:
  void shuffle() {
    for (std::size_t i = order_.size(); i > 1; --i) std::swap(order_[i - 1], order_[rng_.below(i)]);
    pos_ = 0;
  }
  std::vector<std::size_t> order_;
  std::size_t batch_, pos_ = 0;
  infoplane::detail::rng_stream rng_;
};

/// Scales all gradients by one factor so that their joint norm is at most `clip` (0: never),
/// as torch.nn.utils.clip_grad_norm_ over every parameter of the model.
template <class... G>
void clip_gradients(double clip, G&... grads) {
  const double norm = std::sqrt((grads.squaredNorm() + ...));
  if (clip > 0 && norm > clip) {
    const double s = clip / (norm + 1e-6);
    ((grads *= s), ...);
  }
}

/// The optimisation loop of every trainable estimator: `step(step, minibatch rows)` takes one
/// optimiser step and returns the training loss; every `eval_every` steps and at the last,
/// `evaluate(step)` may return a held-out loss. Callbacks see both and may stop the loop.
template <class Step, class Evaluate, class... C>
void run_training(const training_options& o, std::size_t n, Step&& step, Evaluate&& evaluate, C&... callbacks) {
  batch_sampler sampler(n, o.batch, o.seed);
  for (std::size_t s = 1; s <= o.steps; ++s) {
    [[maybe_unused]] const double loss = step(s, sampler.next());  // unused without callbacks
    bool stop = (detail::notify_step(callbacks, s, loss) || ...);
    if (s % o.eval_every == 0 || s == o.steps)
      if (const std::optional<double> held = evaluate(s))
        stop = (detail::notify_evaluation(callbacks, s, *held) || ...) || stop;
    if (stop) break;
  }
}

inline dense_matrix rows(const dense_matrix& m, const std::vector<std::size_t>& idx) {
  dense_matrix out(static_cast<Eigen::Index>(idx.size()), m.cols());
  for (std::size_t i = 0; i < idx.size(); ++i) out.row(Eigen::Index(i)) = m.row(Eigen::Index(idx[i]));
  return out;
}

/// Seeded split of row indices: the first part has round((1 - fraction) n) rows.
inline std::pair<std::vector<std::size_t>, std::vector<std::size_t>> split(std::size_t n, double fraction,
                                                                             std::uint64_t seed) {
  std::vector<std::size_t> idx(n);
  std::iota(idx.begin(), idx.end(), std::size_t{0});
  auto rng = infoplane::detail::make_stream(seed, infoplane::detail::rng_purpose::subsample, 5);
  for (std::size_t i = n; i > 1; --i) std::swap(idx[i - 1], idx[rng.below(i)]);
  const auto first = static_cast<std::size_t>(std::llround((1.0 - fraction) * double(n)));
  return {std::vector<std::size_t>(idx.begin(), idx.begin() + std::ptrdiff_t(first)),
          std::vector<std::size_t>(idx.begin() + std::ptrdiff_t(first), idx.end())};
}

}  // namespace infoplane::neural
