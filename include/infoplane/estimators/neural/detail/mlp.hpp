#pragma once
// A small multilayer perceptron in Eigen (tanh hidden layers, linear output) with its
// backward pass, Adam and gradient-norm clipping. All parameters live in one flat vector, so
// the optimiser, clipping and checkpoints work on plain vectors. Deterministic for a seed.
#include <Eigen/Core>
#include <cmath>
#include <cstdint>
#include <vector>

#include "infoplane/detail/rng.hpp"
#include "infoplane/errors.hpp"

namespace infoplane::neural {

using matrix = Eigen::MatrixXd;
using vector = Eigen::VectorXd;

class mlp {
 public:
  /// sizes = {in, hidden..., out}. init = 0: PyTorch's default U(-1/sqrt(fan_in), 1/sqrt(fan_in));
  /// init > 0: U(-init, init) for every weight and bias (as in the DoE reference code).
  mlp(std::vector<Eigen::Index> sizes, std::uint64_t seed, double init = 0.0) : sizes_(std::move(sizes)) {
    INFOPLANE_CHECK(sizes_.size() >= 2, "mlp: need at least input and output sizes");
    for (auto s : sizes_) INFOPLANE_CHECK(s >= 1, "mlp: layer sizes must be >= 1");
    Eigen::Index total = 0;
    for (std::size_t l = 0; l + 1 < sizes_.size(); ++l) {
      offsets_.push_back(total);
      total += sizes_[l + 1] * sizes_[l] + sizes_[l + 1];
    }
    theta_.resize(total);
    auto rng = detail::make_stream(seed, detail::rng_purpose::data, 1ull << 55);
    for (std::size_t l = 0; l + 1 < sizes_.size(); ++l) {
      const double bound = init > 0 ? init : 1.0 / std::sqrt(static_cast<double>(sizes_[l]));
      const Eigen::Index n = sizes_[l + 1] * sizes_[l] + sizes_[l + 1];
      for (Eigen::Index i = 0; i < n; ++i) theta_[offsets_[l] + i] = bound * (2.0 * rng.uniform() - 1.0);
    }
    acts_.resize(sizes_.size());
  }

  [[nodiscard]] Eigen::Index num_params() const noexcept { return theta_.size(); }
  [[nodiscard]] vector& params() noexcept { return theta_; }
  [[nodiscard]] const vector& params() const noexcept { return theta_; }
  [[nodiscard]] Eigen::Index inputs() const noexcept { return sizes_.front(); }
  [[nodiscard]] Eigen::Index outputs() const noexcept { return sizes_.back(); }

  /// Batch forward pass (rows are samples); keeps the activations for backward().
  const matrix& forward(const matrix& x) {
    acts_[0] = x;
    for (std::size_t l = 0; l + 1 < sizes_.size(); ++l) {
      matrix z = acts_[l] * weight(l).transpose();
      z.rowwise() += bias(l).transpose();
      if (l + 2 < sizes_.size()) z = z.array().tanh();
      acts_[l + 1] = std::move(z);
    }
    return acts_.back();
  }

  /// Forward pass without caching, for evaluation.
  [[nodiscard]] matrix predict(const matrix& x) const {
    matrix a = x;
    for (std::size_t l = 0; l + 1 < sizes_.size(); ++l) {
      matrix z = a * weight(l).transpose();
      z.rowwise() += bias(l).transpose();
      a = l + 2 < sizes_.size() ? matrix(z.array().tanh()) : z;
    }
    return a;
  }

  /// Given dLoss/dOutput for the last forward() batch, writes dLoss/dParams into `grad`.
  void backward(const matrix& grad_out, vector& grad) const {
    grad.setZero(theta_.size());
    matrix g = grad_out;
    for (std::size_t l = sizes_.size() - 1; l-- > 0;) {
      const Eigen::Index in = sizes_[l], out = sizes_[l + 1];
      Eigen::Map<matrix>(grad.data() + offsets_[l], out, in).noalias() = g.transpose() * acts_[l];
      Eigen::Map<vector>(grad.data() + offsets_[l] + out * in, out) = g.colwise().sum().transpose();
      if (l > 0) {
        matrix prev = g * weight(l);
        g = prev.array() * (1.0 - acts_[l].array().square());  // tanh' = 1 - tanh^2
      }
    }
  }

 private:
  Eigen::Map<const matrix> weight(std::size_t l) const {
    return {theta_.data() + offsets_[l], sizes_[l + 1], sizes_[l]};
  }
  Eigen::Map<const vector> bias(std::size_t l) const {
    return {theta_.data() + offsets_[l] + sizes_[l + 1] * sizes_[l], sizes_[l + 1]};
  }

  std::vector<Eigen::Index> sizes_, offsets_;
  vector theta_;
  std::vector<matrix> acts_;
};

/// Adam (Kingma & Ba) on a flat parameter vector.
class adam {
 public:
  explicit adam(double lr, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
      : lr_(lr), b1_(beta1), b2_(beta2), eps_(eps) {
    INFOPLANE_CHECK(std::isfinite(lr) && lr > 0, "adam: learning rate must be finite and > 0");
  }
  void step(vector& theta, const vector& grad) {
    if (m_.size() != theta.size()) m_ = v_ = vector::Zero(theta.size());
    ++t_;
    m_ = b1_ * m_ + (1 - b1_) * grad;
    v_ = b2_ * v_ + (1 - b2_) * grad.cwiseProduct(grad);
    const double c1 = 1 - std::pow(b1_, double(t_)), c2 = 1 - std::pow(b2_, double(t_));
    theta.array() -= lr_ * (m_.array() / c1) / ((v_.array() / c2).sqrt() + eps_);
  }

 private:
  double lr_, b1_, b2_, eps_;
  long t_ = 0;
  vector m_, v_;
};

/// Scales `grad` so that its Euclidean norm is at most max_norm (as torch clip_grad_norm_).
inline double clip_grad_norm(vector& grad, double max_norm) {
  const double norm = grad.norm();
  if (max_norm > 0 && norm > max_norm) grad *= max_norm / (norm + 1e-6);
  return norm;
}

}  // namespace infoplane::neural
