#include "plane_recorder.hpp"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <tuple>

#include "infoplane/io/npy.hpp"
#include "ip_command.hpp"

namespace infoplane::examples {

struct plane_recorder::impl {
  plane_settings s;
  ip::ip_options o;
  std::optional<gaussian_dropout> noise;
  std::vector<ip_point> points;
  std::vector<std::string> notes, noise_names;
  std::vector<std::uint64_t> epochs;
  std::vector<std::tuple<std::uint64_t, std::string, double>> ce_rows;
  std::set<std::string> labels_saved;
  std::string rep_dir;
};

plane_recorder::plane_recorder(plane_settings s) : p_(std::make_unique<impl>()) {
  p_->s = s;
  p_->o.m_train = s.m_train;
  p_->o.m_test = s.m_test;
  p_->o.seed = s.seed;
  p_->o.threads = s.threads;
  p_->o.quiet = true;
  if (s.noise_var) {
    p_->o.noise_var = s.noise_var;
    p_->noise = gaussian_dropout(noise_variance(*s.noise_var));
  }
  std::filesystem::create_directories(s.out);
  if (s.save_representations) {
    p_->rep_dir = s.out + "/representations";
    p_->o.dir = p_->rep_dir;
    std::filesystem::create_directories(p_->rep_dir);
  }
}

plane_recorder::~plane_recorder() = default;

plane_summary plane_recorder::add(std::uint64_t epoch, const std::string& split, const Eigen::MatrixXd& f,
                                  const std::vector<std::int64_t>& labels, const Eigen::MatrixXd* alpha, double ce) {
  auto& m = *p_;
  const std::string tag = std::to_string(epoch);
  if (!m.rep_dir.empty()) {
    io::write_npy(m.rep_dir + "/no_noise_" + split + "_representations_" + tag + ".npy", f);
    if (alpha) io::write_npy(m.rep_dir + "/alpha_" + split + "_" + tag + ".npy", *alpha);
    if (m.labels_saved.insert(split).second) {
      Eigen::MatrixXd y(Eigen::Index(labels.size()), 1);
      for (std::size_t i = 0; i < labels.size(); ++i) y(Eigen::Index(i), 0) = double(labels[i]);
      io::write_npy(m.rep_dir + "/" + split + "_labels.npy", y);
    }
    m.ce_rows.emplace_back(epoch, split, ce);
    std::ofstream c(m.rep_dir + "/cross_entropy.csv");
    c << "epoch,split,cross_entropy\n";
    for (const auto& [e, sp, v] : m.ce_rows) c << e << "," << sp << "," << ip::detail_ip::num(v) << "\n";
  }
  const auto po = ip::point_options(m.o, epoch, split, ce);
  const std::string alpha_name = "alpha of the " + split + " split at epoch " + tag;
  ip_point p = ip::compute_point(f, labels, alpha, alpha_name, m.noise, po);
  plane_summary r;
  r.i_xz = p.i_xz.value;
  r.i_xz_lower = p.i_xz.lower.value_or(p.i_xz.value);
  r.i_xz_upper = p.i_xz.upper.value_or(p.i_xz.value);
  r.i_xz_std_error = p.i_xz.std_error.value_or(0.0);
  r.i_xz_ceiling = p.i_xz.ceiling.value_or(0.0);
  r.gauss_bound = p.i_xz_gauss_bound ? p.i_xz_gauss_bound->value : std::nan("");
  r.i_zy = p.i_zy_mixture ? p.i_zy_mixture->value : std::nan("");
  r.i_zy_ce_bound = p.i_zy_ce_bound ? p.i_zy_ce_bound->value : std::nan("");
  r.seconds = p.total_seconds;
  r.status = to_string(p.i_xz.status);
  m.points.push_back(std::move(p));
  m.notes.emplace_back();
  m.noise_names.push_back(alpha ? "information dropout (" + alpha_name + ")" : "gaussian");
  if (m.epochs.empty() || m.epochs.back() != epoch) m.epochs.push_back(epoch);
  return r;
}

std::string plane_recorder::write() {
  auto& m = *p_;
  std::ostringstream progress;  // gnuplot's absence is reported by the caller's PNG check
  const auto png = ip::write_outputs(m.s.out, m.o, m.epochs, m.points, m.notes, m.noise_names,
                                     nlohmann::json::array(), true, m.s.noise_var, progress);
  return png.value_or("");
}

}  // namespace infoplane::examples
