#pragma once
// Difference-of-entropies estimator (McAllester & Stratos 2020): I = H_q(Y) - H_q(Y|X), with a
// factorised Gaussian or logistic q(Y) and a conditional q(Y|X) whose parameters come from an
// MLP of x, trained jointly by Adam on the sum of the two cross-entropies (their parameters are
// disjoint, so this trains each model on its own loss). The estimate is taken on held-out data.
//
// Model selection never looks at a known MI: with validation data, each model keeps the
// checkpoint of lowest held-out cross-entropy, separately (each cross-entropy upper-bounds its
// entropy, so lower is better for each); select() does the same across hyper-parameter sets.
// The difference of two upper bounds is not a bound: kind = point estimate.
#include <Eigen/Core>
#include <cmath>
#include <limits>
#include <optional>
#include <string_view>
#include <vector>

#include "infoplane/detail/math.hpp"
#include "infoplane/estimators/concepts.hpp"
#include "infoplane/estimators/neural/detail/mlp.hpp"
#include "infoplane/estimators/neural/training.hpp"
#include "infoplane/results/estimate_result.hpp"

namespace infoplane {

enum class doe_family { gaussian, logistic };

template <doe_family F>
class doe_estimator {
 public:
  static constexpr std::string_view name = F == doe_family::gaussian ? "doe" : "doe-logistic";
  static constexpr bound_kind kind = bound_kind::point_estimate;

  explicit doe_estimator(neural::training_options options = {}) : opt_(options) { neural::check(opt_, name.data()); }

  [[nodiscard]] bool is_fitted() const noexcept { return cond_.has_value(); }
  [[nodiscard]] const neural::training_options& options() const noexcept { return opt_; }

  /// Trains on `train`; callbacks get on_step(step, loss).
  template <class MX, class MY, neural::TrainingCallback... C>
  void fit(const paired_samples<MX, MY>& train, C&&... callbacks) {
    const auto [x, y] = neural::to_dense(train, name.data());
    run(x, y, nullptr, nullptr, callbacks...);
  }

  /// Trains on `train`, keeping for each model the checkpoint of lowest cross-entropy on
  /// `validation`; callbacks also get on_evaluation(step, held-out loss).
  template <class MX, class MY, class VX, class VY, neural::TrainingCallback... C>
  void fit(const paired_samples<MX, MY>& train, const paired_samples<VX, VY>& validation, C&&... callbacks) {
    const auto [x, y] = neural::to_dense(train, name.data());
    const auto [vx, vy] = neural::to_dense(validation, (std::string(name) + ": validation").c_str());
    INFOPLANE_CHECK(vx.cols() == x.cols() && vy.cols() == y.cols(), std::string(name) + ": mismatched shapes: validation columns differ");
    run(x, y, &vx, &vy, callbacks...);
  }

  /// Held-out cross-entropies {H_q(Y), H_q(Y|X)} (nats) of the fitted models on `data`.
  template <class MX, class MY>
  [[nodiscard]] std::pair<double, double> cross_entropies(const paired_samples<MX, MY>& data) const {
    const auto [x, y] = neural::to_dense(data, name.data());
    const auto [hm, hc] = per_sample(x, y);
    return {hm.mean(), hc.mean()};
  }

  template <class MX, class MY>
  [[nodiscard]] estimate_result estimate(const paired_samples<MX, MY>& test) const {
    if (!is_fitted()) infoplane::detail::raise<logic_error>(std::string(name) + ": estimate() before fit()");
    const auto [x, y] = neural::to_dense(test, name.data());
    check_shapes(x, y);
    const auto [hm, hc] = per_sample(x, y);
    const Eigen::ArrayXd t = (hm - hc).array();
    auto r = infoplane::detail::result_of<doe_estimator>();
    r.value = t.mean();
    r.std_error = t.size() > 1 ? std::sqrt((t - t.mean()).square().sum() / double(t.size() - 1) / double(t.size()))
                               : std::numeric_limits<double>::quiet_NaN();
    r.n_samples = static_cast<std::size_t>(x.rows());
    if (!std::isfinite(r.value)) r.status = estimate_status::numerical_issue;
    return r;
  }

  /// Splits `data` (seeded) into train / validation / test, fits with checkpoint selection
  /// on validation, and estimates on test (holdout fraction each for validation and test).
  template <class MX, class MY>
  [[nodiscard]] estimate_result fit_estimate(const paired_samples<MX, MY>& data) {
    const auto [x, y] = neural::to_dense(data, name.data());
    INFOPLANE_CHECK(x.rows() >= 10, std::string(name) + ": too few samples: need at least 10, got " + std::to_string(x.rows()));
    const auto [rest, test] = neural::split(std::size_t(x.rows()), opt_.holdout, opt_.seed);
    const auto [tr, va] = neural::split(rest.size(), opt_.holdout, opt_.seed + 1);
    std::vector<std::size_t> tr_rows, va_rows;
    for (auto i : tr) tr_rows.push_back(rest[i]);
    for (auto i : va) va_rows.push_back(rest[i]);
    const neural::dense_matrix xt = neural::rows(x, tr_rows), yt = neural::rows(y, tr_rows);
    const neural::dense_matrix xv = neural::rows(x, va_rows), yv = neural::rows(y, va_rows);
    const neural::dense_matrix xs = neural::rows(x, test), ys = neural::rows(y, test);
    run(xt, yt, &xv, &yv);
    return estimate(paired_samples{xs, ys});
  }

  /// Fits one estimator per candidate option set and keeps, separately for q(Y) and q(Y|X),
  /// the model with the lowest cross-entropy on `validation`.
  template <class MX, class MY, class VX, class VY>
  static doe_estimator select(const std::vector<neural::training_options>& candidates,
                              const paired_samples<MX, MY>& train, const paired_samples<VX, VY>& validation) {
    INFOPLANE_CHECK(!candidates.empty(), std::string(name) + ": select() needs at least one candidate");
    std::optional<doe_estimator> best_marginal, best_conditional;
    double hm_best = std::numeric_limits<double>::infinity(), hc_best = hm_best;
    for (const auto& o : candidates) {
      doe_estimator e(o);
      e.fit(train, validation);
      const auto [hm, hc] = e.cross_entropies(validation);
      if (hm < hm_best) hm_best = hm, best_marginal = e;
      if (hc < hc_best) hc_best = hc, best_conditional = e;
    }
    doe_estimator out = *best_conditional;
    out.marginal_ = best_marginal->marginal_;
    return out;
  }

 private:
  using mat = neural::dense_matrix;

  // Per-element negative log-likelihood and its derivatives in (mu, lambda); lambda is the log
  // variance (Gaussian) or the log scale (logistic).
  struct nll {
    double value, d_mu, d_lambda;
  };
  static nll element(double y, double mu, double lambda) noexcept {
    constexpr double half_log_2pi = 0.91893853320467274178;
    if constexpr (F == doe_family::gaussian) {
      const double r = y - mu, inv = std::exp(-lambda);
      return {0.5 * r * r * inv + 0.5 * lambda + half_log_2pi, -r * inv, 0.5 - 0.5 * r * r * inv};
    } else {
      const double inv = std::exp(-lambda), w = (y - mu) * inv;
      const double softplus = w > 0 ? std::log1p(std::exp(-w)) : std::log1p(std::exp(w)) - w;  // log(1 + e^-w)
      const double t = std::tanh(0.5 * w);
      return {w + 2.0 * softplus + lambda, -t * inv, 1.0 - w * t};
    }
  }

  void check_shapes(const mat& x, const mat& y) const {
    INFOPLANE_CHECK(x.cols() == dx_ && y.cols() == dy_,
                    std::string(name) + ": mismatched shapes: fitted on " + std::to_string(dx_) + " x " + std::to_string(dy_) +
                        " dimensions, given " + std::to_string(x.cols()) + " x " + std::to_string(y.cols()));
  }

  // Per-sample -log q(y) and -log q(y|x).
  std::pair<Eigen::VectorXd, Eigen::VectorXd> per_sample(const mat& x, const mat& y) const {
    const mat out = cond_->predict(x);
    Eigen::VectorXd hm = Eigen::VectorXd::Zero(y.rows()), hc = hm;
    for (Eigen::Index i = 0; i < y.rows(); ++i)
      for (Eigen::Index k = 0; k < dy_; ++k) {
        hm[i] += element(y(i, k), marginal_[k], marginal_[dy_ + k]).value;
        hc[i] += element(y(i, k), out(i, k), out(i, dy_ + k)).value;
      }
    return {hm, hc};
  }

  template <class... C>
  void run(const mat& x, const mat& y, const mat* vx, const mat* vy, C&... callbacks) {
    INFOPLANE_CHECK(x.rows() >= 2, std::string(name) + ": too few samples: need at least 2");
    dx_ = x.cols();
    dy_ = y.cols();
    cond_.emplace(neural::layer_sizes(dx_, opt_, 2 * dy_), opt_.seed, opt_.init);
    marginal_ = Eigen::VectorXd::Zero(2 * dy_);  // mu = 0, log scale = 0 (the reference's embedding init aside)
    neural::adam opt_m(opt_.lr), opt_c(opt_.lr);
    Eigen::VectorXd best_m = marginal_, best_c = cond_->params(), grad_c;
    double best_hm = std::numeric_limits<double>::infinity(), best_hc = best_hm;
    const auto step = [&](std::size_t, const std::vector<std::size_t>& idx) {
      const mat xb = neural::rows(x, idx), yb = neural::rows(y, idx);
      const double b = double(idx.size());
      const mat& out = cond_->forward(xb);
      mat g_out(out.rows(), out.cols());
      Eigen::VectorXd g_m = Eigen::VectorXd::Zero(2 * dy_);
      double loss = 0;
      for (Eigen::Index i = 0; i < yb.rows(); ++i)
        for (Eigen::Index k = 0; k < dy_; ++k) {
          const nll m = element(yb(i, k), marginal_[k], marginal_[dy_ + k]);
          const nll c = element(yb(i, k), out(i, k), out(i, dy_ + k));
          loss += (m.value + c.value) / b;
          g_m[k] += m.d_mu / b;
          g_m[dy_ + k] += m.d_lambda / b;
          g_out(i, k) = c.d_mu / b;
          g_out(i, dy_ + k) = c.d_lambda / b;
        }
      cond_->backward(g_out, grad_c);
      neural::clip_gradients(opt_.clip, g_m, grad_c);
      opt_m.step(marginal_, g_m);
      opt_c.step(cond_->params(), grad_c);
      return loss;
    };
    // Each model keeps its own best checkpoint on the validation data.
    const auto evaluate = [&](std::size_t) -> std::optional<double> {
      if (!vx) return std::nullopt;
      const auto [hm, hc] = per_sample(*vx, *vy);
      const double m = hm.mean(), c = hc.mean();
      if (m < best_hm) best_hm = m, best_m = marginal_;
      if (c < best_hc) best_hc = c, best_c = cond_->params();
      return m + c;
    };
    neural::run_training(opt_, std::size_t(x.rows()), step, evaluate, callbacks...);
    if (vx) {
      marginal_ = best_m;
      cond_->params() = best_c;
    }
  }

  neural::training_options opt_;
  Eigen::Index dx_ = 0, dy_ = 0;
  Eigen::VectorXd marginal_;
  std::optional<neural::mlp> cond_;
};

using doe = doe_estimator<doe_family::gaussian>;
using doe_logistic = doe_estimator<doe_family::logistic>;

}  // namespace infoplane
