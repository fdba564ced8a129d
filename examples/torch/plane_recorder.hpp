#pragma once
// The information-plane side of train_ip, compiled apart from LibTorch: the estimators and the
// writers of `infoplane ip` (tools/ip_command.hpp) in one translation unit, the network in the
// other, so that neither pays for the other's headers.
#include <Eigen/Core>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace infoplane::examples {

struct plane_settings {
  std::string out;                    ///< the files of `infoplane ip` go here
  std::optional<double> noise_var;    ///< Gaussian dropout's s^2; empty for information dropout
  std::size_t m_train = 1, m_test = 6;
  std::uint64_t seed = 0;
  unsigned threads = 0;
  /// Also OUT/representations in the seed layout (what `infoplane ip --dir` reads).
  bool save_representations = false;
};

/// What the progress line and the training log need of one point.
struct plane_summary {
  double i_xz = 0, i_xz_lower = 0, i_xz_upper = 0, i_xz_std_error = 0, i_xz_ceiling = 0;
  double gauss_bound = 0, i_zy = 0, i_zy_ce_bound = 0, seconds = 0;
  std::string status;
};

class plane_recorder {
 public:
  explicit plane_recorder(plane_settings s);
  ~plane_recorder();
  plane_recorder(const plane_recorder&) = delete;
  plane_recorder& operator=(const plane_recorder&) = delete;

  /// One split at one epoch, through information_plane_point with `infoplane ip`'s options:
  /// f the noise-free input of the dropout layer (N x d), alpha (N x d) for information dropout
  /// or nullptr, ce the noisy network's mean cross-entropy on these points (nats).
  plane_summary add(std::uint64_t epoch, const std::string& split, const Eigen::MatrixXd& f,
                    const std::vector<std::int64_t>& labels, const Eigen::MatrixXd* alpha, double ce);

  /// (Re)writes information_plane.{csv,json,png} and binning_plane.csv with every point so
  /// far; returns the PNG's path, or "" without gnuplot.
  std::string write();

 private:
  struct impl;
  std::unique_ptr<impl> p_;
};

}  // namespace infoplane::examples
