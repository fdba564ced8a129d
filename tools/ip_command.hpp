#pragma once
// The engine of `infoplane ip`: reads a folder of saved representations (the layout of the
// paper's code), computes one information-plane point per (epoch, split) and writes
// information_plane.csv, binning_plane.csv, information_plane.json and information_plane.png.
// The command line only fills ip_options; everything here is callable (and tested) without it.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "infoplane/errors.hpp"
#include "infoplane/io/read_matrix.hpp"
#include "infoplane/plane/information_plane.hpp"
#include "json_output.hpp"

namespace infoplane::ip {

/// Every setting of `infoplane ip`; the flag each serves is named beside it.
struct ip_options {
  std::string dir;                                 ///< --dir
  /// Gaussian dropout: exactly one of the three, needed unless every chosen representation
  /// file has its alpha file (information dropout).
  std::optional<double> noise_var;                 ///< --noise-var
  std::optional<double> noise_std;                 ///< --noise-std
  std::optional<double> drop_probability;          ///< --drop-probability
  std::size_t m_train = 1;                         ///< --m-train: noisy draws per training point
  std::size_t m_test = 6;                          ///< --m-test
  /// --label-estimators. KSG is not a default: at 60000 x 32 it costs 20-40 s per point (brute
  /// force, O(N^2 d)) against ~10 s for the mixture.
  std::vector<std::string> label_estimators = {"mixture"};
  std::vector<std::size_t> bins;                   ///< --bins 10,30,100
  std::vector<double> bin_sizes;                   ///< --bin-sizes 0.1,0.5 (not with --bins)
  std::vector<std::string> bounds = {"gauss"};     ///< --bounds gauss,pairwise
  std::string plot_zy;  ///< --plot-zy: ce, mixture, edge, ksg, binning; "": ce if given, else ksg if run, else mixture
  std::vector<std::uint64_t> epochs;               ///< --epochs 0,2,4 (empty: all)
  std::size_t every = 0;                           ///< --every K: every K-th saved epoch (0: all)
  std::string out;                                 ///< --out (default DIR/ip)
  std::uint64_t seed = 0;                          ///< --seed
  unsigned threads = 0;                            ///< --threads (0: all cores)
  std::optional<std::size_t> component_block;      ///< --component-block B (dropout-mc's blocks)
  population_error population_std_error = population_error::influence;  ///< --population-se
  bool quiet = false;                              ///< --quiet: no progress lines
  // Hooks of infoplane-mpi: each representation file is read through `read_matrix` (there:
  // on every process, then all agree, so that a file one process cannot read fails on all),
  // and only one process writes the output files and the summary line.
  std::function<Eigen::MatrixXd(const std::string&)> read_matrix;  ///< empty: io::read_matrix
  bool write_files = true;
};

/// What a folder holds, by file name.
struct epoch_files {
  std::optional<std::string> train, test;  // no_noise_{split}_representations_{epoch}.npy
  /// alpha_{split}_{epoch}.npy: information dropout's per-sample, per-unit alpha (log-normal
  /// noise), next to the representations; that point then uses lognormal_dropout.
  std::optional<std::string> alpha_train, alpha_test;
};
struct ip_inputs {
  std::map<std::uint64_t, epoch_files> epochs;  // numeric order, gaps allowed
  std::optional<std::string> train_labels, test_labels, cross_entropy;
};

/// Scans `dir` (file names only; nothing is read). Throws file_error for a missing folder, a
/// folder without representation files, or two files that name the same epoch.
inline ip_inputs scan_directory(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (dir.empty()) detail::raise<file_error>("--dir: no folder given");
  if (!fs::exists(dir, ec)) detail::raise<file_error>(dir + ": no such folder (--dir)");
  if (!fs::is_directory(dir, ec)) detail::raise<file_error>(dir + ": not a folder (--dir)");
  ip_inputs in;
  std::map<std::pair<std::uint64_t, std::string>, std::string> seen;
  std::map<std::uint64_t, epoch_files> alpha_of;  // alpha files, matched to representations below
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string(), path = entry.path().string();
    if (name == "train_labels.npy") in.train_labels = path;
    if (name == "test_labels.npy") in.test_labels = path;
    if (name == "cross_entropy.csv") in.cross_entropy = path;
    for (const std::string kind : {"no_noise_train_representations_", "no_noise_test_representations_",
                                   "alpha_train_", "alpha_test_"}) {
      const bool alpha = kind[0] == 'a';
      const std::string split = kind.find("train") != std::string::npos ? "train" : "test";
      const std::string& prefix = kind, suffix = ".npy";
      if (name.size() <= prefix.size() + suffix.size() || name.compare(0, prefix.size(), prefix) != 0 ||
          name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
        continue;
      const std::string digits = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
      std::uint64_t epoch = 0;
      const auto [end, err] = std::from_chars(digits.data(), digits.data() + digits.size(), epoch);
      if (digits.find_first_not_of("0123456789") != std::string::npos) continue;  // not an epoch file
      if (err != std::errc{} || end != digits.data() + digits.size())
        detail::raise<file_error>(path + ": epoch '" + digits + "' is out of range");
      auto [it, fresh] = seen.try_emplace({epoch, kind}, path);
      if (!fresh) detail::raise<file_error>(path + " and " + it->second + " both hold epoch " + std::to_string(epoch));
      auto& files = alpha ? alpha_of[epoch] : in.epochs[epoch];
      (split == "train" ? (alpha ? files.alpha_train : files.train) : (alpha ? files.alpha_test : files.test)) = path;
    }
  }
  if (ec) detail::raise<file_error>(dir + ": cannot list the folder: " + ec.message());
  for (const auto& [epoch, a] : alpha_of) {
    auto it = in.epochs.find(epoch);
    for (const auto& [alpha, rep] : {std::pair{a.alpha_train, it == in.epochs.end() ? std::nullopt : it->second.train},
                                     std::pair{a.alpha_test, it == in.epochs.end() ? std::nullopt : it->second.test}})
      if (alpha && !rep) detail::raise<file_error>(*alpha + ": no representation file of the same split and epoch");
    it->second.alpha_train = a.alpha_train;
    it->second.alpha_test = a.alpha_test;
  }
  if (in.epochs.empty())
    detail::raise<file_error>(dir + ": no representation files (no_noise_train_representations_{epoch}.npy or "
                                    "no_noise_test_representations_{epoch}.npy)");
  return in;
}

/// cross_entropy.csv: header `epoch,split,cross_entropy`, one row per (epoch, split), nats.
inline std::map<std::pair<std::uint64_t, std::string>, double> read_cross_entropy(const std::string& path) {
  std::ifstream f(path);
  if (!f) detail::raise<file_error>(path + ": cannot open file");
  std::map<std::pair<std::uint64_t, std::string>, double> out;
  std::string line;
  std::size_t line_no = 0;
  auto trim = [](std::string s) {
    const auto b = s.find_first_not_of(" \t\r"), e = s.find_last_not_of(" \t\r");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
  };
  std::vector<std::string> header;
  while (std::getline(f, line)) {
    ++line_no;
    if (trim(line).empty()) continue;
    std::vector<std::string> cells;
    std::stringstream ss(line);
    for (std::string c; std::getline(ss, c, ',');) cells.push_back(trim(c));
    if (header.empty()) {
      header = cells;
      if (header != std::vector<std::string>{"epoch", "split", "cross_entropy"})
        detail::raise<file_error>(path + ": line 1: expected the header 'epoch,split,cross_entropy'");
      continue;
    }
    const std::string where = path + ": line " + std::to_string(line_no) + ": ";
    if (cells.size() != 3) detail::raise<file_error>(where + "expected 3 columns, got " + std::to_string(cells.size()));
    std::uint64_t epoch = 0;
    double ce = 0;
    const auto [e1, r1] = std::from_chars(cells[0].data(), cells[0].data() + cells[0].size(), epoch);
    if (r1 != std::errc{} || e1 != cells[0].data() + cells[0].size() || cells[0].empty())
      detail::raise<file_error>(where + "epoch '" + cells[0] + "' is not a non-negative integer");
    if (cells[1] != "train" && cells[1] != "test")
      detail::raise<file_error>(where + "split '" + cells[1] + "' is neither train nor test");
    const auto [e2, r2] = std::from_chars(cells[2].data(), cells[2].data() + cells[2].size(), ce);
    if (r2 != std::errc{} || e2 != cells[2].data() + cells[2].size() || cells[2].empty() || !std::isfinite(ce) || ce < 0)
      detail::raise<file_error>(where + "cross_entropy '" + cells[2] + "' is not a finite number >= 0");
    if (!out.emplace(std::make_pair(epoch, cells[1]), ce).second)
      detail::raise<file_error>(where + "a second row for epoch " + cells[0] + ", " + cells[1]);
  }
  if (header.empty()) detail::raise<file_error>(path + ": empty file");
  return out;
}

/// Labels file: N integers (1-D, or N x 1).
inline std::vector<std::int64_t> read_labels(const std::string& path) {
  const Eigen::MatrixXd m = io::read_matrix(path);
  if (m.cols() != 1)
    detail::raise<file_error>(path + ": labels must be one column, got " + std::to_string(m.cols()) + " columns");
  std::vector<std::int64_t> y(static_cast<std::size_t>(m.rows()));
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    const double v = m(i, 0);
    if (!std::isfinite(v) || v != std::round(v) || std::abs(v) > 9.0e15)
      detail::raise<file_error>(path + ": row " + std::to_string(i) + ": label " + std::to_string(v) +
                                " is not an integer");
    y[static_cast<std::size_t>(i)] = static_cast<std::int64_t>(v);
  }
  return y;
}

namespace detail_ip {

/// The noise flag given (the first of them, if several).
inline std::string noise_flag(const ip_options& o) {
  return o.noise_var ? "--noise-var" : o.noise_std ? "--noise-std" : "--drop-probability";
}

inline gaussian_dropout noise_of(const ip_options& o) {
  const int given = o.noise_var.has_value() + o.noise_std.has_value() + o.drop_probability.has_value();
  if (given != 1)
    infoplane::detail::raise<invalid_argument>("give exactly one of --noise-var, --noise-std, --drop-probability");
  try {
    if (o.noise_var) return gaussian_dropout(noise_variance(*o.noise_var));
    if (o.noise_std) return gaussian_dropout(noise_std(*o.noise_std));
    return gaussian_dropout(drop_probability(*o.drop_probability));
  } catch (const invalid_argument& e) {
    infoplane::detail::raise<invalid_argument>(noise_flag(o) + ": " + e.what());
  }
}

// Shortest text that reads back to the same double; empty for "not computed" (CSV).
inline std::string num(std::optional<double> v) {
  if (!v) return "";
  if (std::isnan(*v)) return "nan";
  if (std::isinf(*v)) return *v > 0 ? "inf" : "-inf";
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, *v);
  return ec == std::errc{} ? std::string(buf, end) : "nan";
}

inline nlohmann::json result_json(const std::optional<estimate_result>& r) {
  if (!r) return nullptr;
  nlohmann::json j = {{"value", cli::json_number(r->value)},       {"std_error", cli::json_number(r->std_error)}, {"lower", cli::json_number(r->lower)},
          {"upper", cli::json_number(r->upper)},       {"ceiling", cli::json_number(r->ceiling)},     {"kind", to_string(r->kind)},
          {"target", to_string(r->target)}, {"status", to_string(r->status)}, {"n_samples", r->n_samples},
          {"n_draws", r->n_draws}, {"warnings", r->warnings}};
  cli::population_json(j, *r);
  return j;
}

inline std::optional<double> value_of(const std::optional<estimate_result>& r) {
  return r ? std::optional<double>(r->value) : std::nullopt;
}

inline std::string status_of(const std::optional<estimate_result>& r) {
  return r ? std::string(to_string(r->status)) : "";
}

inline std::string duration(double s) {
  char buf[32];
  if (s < 90) std::snprintf(buf, sizeof buf, "%.0f s", s);
  else if (s < 5400) std::snprintf(buf, sizeof buf, "%.0f min", s / 60);
  else std::snprintf(buf, sizeof buf, "%.1f h", s / 3600);
  return buf;
}

}  // namespace detail_ip

/// The columns of information_plane.csv, in order.
inline const std::vector<std::string>& csv_columns() {
  static const std::vector<std::string> c = {
      "epoch", "split", "n", "d", "m", "i_xz", "i_xz_lower", "i_xz_upper", "i_xz_std_error", "i_xz_ceiling",
      "i_xz_status", "i_xz_gauss_bound", "i_zy", "i_zy_lower", "i_zy_upper", "i_zy_std_error", "i_zy_edge",
      "i_zy_ksg", "i_zy_binning", "i_zy_ce_bound", "seconds", "i_xz_pairwise_kl", "i_xz_pairwise_bd", "h_y",
      "i_zy_status", "i_zy_edge_status", "i_zy_ksg_status", "i_zy_binning_status", "i_zy_ce_bound_status",
      "i_xz_population_lower", "i_xz_population_upper", "i_xz_population_lower_std_error",
      "i_xz_population_upper_std_error", "i_xz_upper_source", "held_out", "note"};
  return c;
}

/// One CSV row (the `note` says e.g. that d changed since the previous epoch).
inline std::vector<std::string> csv_row(const ip_point& p, const std::string& note) {
  using detail_ip::num, detail_ip::value_of, detail_ip::status_of;
  const auto& zy = p.i_zy_mixture;
  const auto& pop = p.i_xz.population;
  return {std::to_string(p.epoch), p.split, std::to_string(p.n), std::to_string(p.d), std::to_string(p.m),
          num(p.i_xz.value), num(p.i_xz.lower), num(p.i_xz.upper), num(p.i_xz.std_error), num(p.i_xz.ceiling),
          std::string(to_string(p.i_xz.status)), num(value_of(p.i_xz_gauss_bound)), num(value_of(zy)),
          num(p.i_zy_lower), num(p.i_zy_upper), num(zy ? zy->std_error : std::nullopt), num(value_of(p.i_zy_edge)),
          num(value_of(p.i_zy_ksg)), num(value_of(p.i_zy_binning)), num(value_of(p.i_zy_ce_bound)),
          num(p.total_seconds), num(value_of(p.i_xz_pairwise_kl)), num(value_of(p.i_xz_pairwise_bd)), num(p.h_y),
          status_of(zy), status_of(p.i_zy_edge), status_of(p.i_zy_ksg), status_of(p.i_zy_binning),
          status_of(p.i_zy_ce_bound), num(pop ? std::optional(pop->lower) : std::nullopt),
          num(pop ? std::optional(pop->upper) : std::nullopt), num(pop ? std::optional(pop->lower_std_error) : std::nullopt),
          num(pop ? std::optional(pop->upper_std_error) : std::nullopt), pop ? pop->upper_source : "",
          p.split == "test" ? "1" : "0", note};
}

namespace detail_ip {

// The plot: one panel per split (x = I(X;Z) with its bracket, y = the chosen I(Z;Y), colour =
// epoch, log N dashed), and a second row with the binning plane, one panel per bin setting.
inline std::optional<std::string> plot(const std::string& out, const std::vector<ip_point>& points,
                                       const std::string& zy_name, std::ostream& progress, bool quiet) {
  namespace fs = std::filesystem;
  if (std::system("command -v gnuplot > /dev/null 2>&1") != 0) {
    progress << "gnuplot not found: wrote the CSV and JSON files, no PNG\n";
    return std::nullopt;
  }
  const std::string data_dir = out + "/plot";
  fs::create_directories(data_dir);
  std::set<std::string> splits;
  std::vector<std::string> settings;  // bin setting labels, in the order given: one panel each
  std::map<std::string, double> x_max;  // per split: log N or the largest bracket end
  double e_lo = 1e300, e_hi = -1e300;
  auto setting_label = [](const ip_binning_point& b) {
    return b.bins ? std::to_string(*b.bins) + " bins" : "bin size " + num(*b.bin_size);
  };
  for (const auto& p : points) {
    splits.insert(p.split);
    e_lo = std::min(e_lo, double(p.epoch)), e_hi = std::max(e_hi, double(p.epoch));
    double& xm = x_max[p.split];
    for (auto v : {p.i_xz.ceiling, p.i_xz.upper, std::optional<double>(p.i_xz.value)})
      if (v && std::isfinite(*v)) xm = std::max(xm, *v);
    for (const auto& b : p.binning)
      if (std::find(settings.begin(), settings.end(), setting_label(b)) == settings.end())
        settings.push_back(setting_label(b));
  }
  if (e_hi <= e_lo) e_hi = e_lo + 1;
  auto pick = [&](const ip_point& p) -> std::optional<double> {
    if (zy_name == "ce") return value_of(p.i_zy_ce_bound);
    if (zy_name == "mixture") return value_of(p.i_zy_mixture);
    if (zy_name == "edge") return value_of(p.i_zy_edge);
    if (zy_name == "binning") return value_of(p.i_zy_binning);
    return value_of(p.i_zy_ksg);
  };
  std::map<std::string, double> log_n;
  for (const auto& s : splits) {
    std::ofstream f(data_dir + "/ip_" + s + ".dat");
    f << "# epoch i_xz i_xz_lower i_xz_upper i_zy bar_low bar_high\n";
    for (const auto& p : points) {
      if (p.split != s) continue;
      log_n[s] = p.i_xz.ceiling.value_or(NAN);
      const auto y = pick(p);
      const auto a = value_of(p.i_zy_mixture), b = value_of(p.i_zy_ce_bound);
      f << p.epoch << ' ' << num(p.i_xz.value) << ' ' << num(p.i_xz.lower.value_or(p.i_xz.value)) << ' '
        << num(p.i_xz.upper.value_or(p.i_xz.value)) << ' ' << (y ? num(*y) : "nan") << ' '
        << (a && b ? num(std::min(*a, *b)) : "nan") << ' ' << (a && b ? num(std::max(*a, *b)) : "nan") << '\n';
    }
    for (std::size_t k = 0; k < settings.size(); ++k) {
      std::ofstream g(data_dir + "/bin_" + std::to_string(k) + "_" + s + ".dat");
      g << "# epoch i_xt i_ty (" << settings[k] << ")\n";
      for (const auto& p : points)
        for (const auto& b : p.binning)
          if (p.split == s && setting_label(b) == settings[k])
            g << p.epoch << ' ' << num(b.i_xt.value) << ' ' << num(b.i_ty.value) << '\n';
    }
  }
  const std::size_t rows = settings.empty() ? 1 : 2, cols = std::max(splits.size(), settings.size());
  const std::string png = out + "/information_plane.png", script_path = data_dir + "/information_plane.gp";
  std::ostringstream gp;
  gp << "set terminal pngcairo size " << 520 * cols << "," << 440 * rows << " font 'sans,10'\n"
     << "set output '" << png << "'\n"
     << "set multiplot layout " << rows << "," << cols << "\n"
     << "set palette rgbformulae 33,13,10\nset cbrange [" << e_lo << ":" << e_hi << "]\nset cblabel 'epoch'\n"
     << "set key bottom right\nset grid\n";
  const std::string y_label = zy_name == "ce" ? "H(Y) - CE (lower bound)" : "I(Z;Y), " + zy_name;
  for (const auto& s : splits) {
    gp << "set title '" << s << "'\nset xlabel 'I(X;Z) [nats]'\nset ylabel '" << y_label << " [nats]'\n"
       << "unset arrow\nset arrow from " << num(log_n[s]) << ", graph 0 to " << num(log_n[s])
       << ", graph 1 nohead dt 2 lc rgb 'gray40'\n"
       << "set label 1 'log N' at " << num(log_n[s]) << ", graph 0.95 right offset -0.5,0\n"
       << "set xrange [0:" << num(x_max[s] * 1.05) << "]\n"
       << "plot '" << data_dir << "/ip_" << s << ".dat' using 2:5:3:4:1 with xerrorbars pt 7 ps 1.2 lc palette title "
       << "'" << (zy_name == "ce" ? "CE bound" : zy_name) << " (bar: I(X;Z) bracket)', "
       << "'' using 2:6:6:7:1 with yerrorbars pt -1 lc palette title 'mixture .. CE bound'\n"
       << "unset label 1\nset xrange [*:*]\n";
  }
  for (std::size_t k = splits.size(); k < cols; ++k) gp << "set multiplot next\n";
  if (!settings.empty()) {
    gp << "unset arrow\n";
    for (std::size_t k = 0; k < settings.size(); ++k) {
      gp << "set title 'binning, " << settings[k] << "'\nset xlabel 'I(X;T) = H(T) [nats]'\nset ylabel 'I(T;Y) [nats]'\nplot ";
      bool first = true;
      int pt = 7;
      for (const auto& s : splits) {
        gp << (first ? "" : ", ") << "'" << data_dir << "/bin_" << k << "_" << s << ".dat' using 2:3:1 with linespoints pt "
           << pt << " lc palette title '" << s << "'";
        first = false;
        pt += 2;
      }
      gp << "\n";
    }
  }
  gp << "unset multiplot\n";
  std::ofstream(script_path) << gp.str();
  const std::string cmd = "gnuplot '" + script_path + "' 2> '" + data_dir + "/gnuplot.log'";
  if (std::system(cmd.c_str()) != 0) {
    progress << "gnuplot failed on " << script_path << " (see " << data_dir << "/gnuplot.log): no PNG\n";
    return std::nullopt;
  }
  if (!quiet) progress << "wrote " << png << "\n";
  return png;
}

}  // namespace detail_ip

/// The information_plane options of one (epoch, split) under `infoplane ip`'s settings; ce:
/// the network's cross-entropy there, if known.
inline information_plane_options point_options(const ip_options& o, std::uint64_t epoch, const std::string& split,
                                               std::optional<double> ce) {
  information_plane_options po;
  po.noise_draws = split == "train" ? o.m_train : o.m_test;
  po.seed = o.seed;
  po.epoch = epoch;
  po.split = split;
  po.held_out = split == "test";
  po.threads = o.threads;
  po.component_block = o.component_block;
  po.population_std_error = o.population_std_error;
  po.gaussian_bound = std::count(o.bounds.begin(), o.bounds.end(), "gauss") > 0;
  po.pairwise_bounds = std::count(o.bounds.begin(), o.bounds.end(), "pairwise") > 0;
  po.label_estimators = std::set<std::string>(o.label_estimators.begin(), o.label_estimators.end());
  po.cross_entropy = ce;
  po.bins = o.bins;
  po.bin_sizes = o.bin_sizes;
  return po;
}

/// One point: information dropout when alpha is given (alpha_name names it in errors),
/// Gaussian dropout with `noise` otherwise.
inline ip_point compute_point(const Eigen::MatrixXd& f, const std::vector<std::int64_t>& y, const Eigen::MatrixXd* alpha,
                              const std::string& alpha_name, const std::optional<gaussian_dropout>& noise,
                              const information_plane_options& po) {
  if (!alpha) {
    if (!noise) infoplane::detail::raise<invalid_argument>("give exactly one of --noise-var, --noise-std, --drop-probability");
    return information_plane_point(f, y, *noise, po);
  }
  if (alpha->rows() != f.rows() || alpha->cols() != f.cols())
    infoplane::detail::raise<file_error>(alpha_name + ": alpha is " + std::to_string(alpha->rows()) + " x " +
                                         std::to_string(alpha->cols()) + " but the representations are " +
                                         std::to_string(f.rows()) + " x " + std::to_string(f.cols()));
  try {
    return information_plane_point(f, y, lognormal_dropout(*alpha), po);
  } catch (const invalid_argument& ex) {
    if (std::string(ex.what()).find("alpha") == std::string::npos) throw;
    infoplane::detail::raise<file_error>(alpha_name + ": " + ex.what());
  }
}

/// Writes information_plane.csv, binning_plane.csv, information_plane.json and (with gnuplot)
/// information_plane.png into `out`; returns the PNG's path. points, notes and noise_names run
/// in parallel; have_ce: some split had a cross-entropy (the plot's default y is then the CE bound).
inline std::optional<std::string> write_outputs(const std::string& out, const ip_options& o,
                                                const std::vector<std::uint64_t>& chosen,
                                                const std::vector<ip_point>& points,
                                                const std::vector<std::string>& notes,
                                                const std::vector<std::string>& noise_names,
                                                const nlohmann::json& failed, bool have_ce,
                                                std::optional<double> noise_variance, std::ostream& progress) {
  using namespace detail_ip;
  // information_plane.csv and binning_plane.csv
  {
    std::ofstream f(out + "/information_plane.csv");
    const auto& cols = csv_columns();
    for (std::size_t i = 0; i < cols.size(); ++i) f << (i ? "," : "") << cols[i];
    f << "\n";
    for (std::size_t k = 0; k < points.size(); ++k) {
      const auto row = csv_row(points[k], notes[k]);
      for (std::size_t i = 0; i < row.size(); ++i) f << (i ? "," : "") << row[i];
      f << "\n";
    }
    if (!f) infoplane::detail::raise<file_error>(out + "/information_plane.csv: write failed");
    std::ofstream b(out + "/binning_plane.csv");
    b << "epoch,split,bins,bin_size,i_xt,i_ty\n";
    for (const auto& p : points)
      for (const auto& r : p.binning)
        b << p.epoch << "," << p.split << "," << (r.bins ? std::to_string(*r.bins) : "") << "," << num(r.bin_size) << ","
          << num(r.i_xt.value) << "," << num(r.i_ty.value) << "\n";
    if (!b) infoplane::detail::raise<file_error>(out + "/binning_plane.csv: write failed");
  }

  // information_plane.json: the same numbers with every result's kind, target and status.
  nlohmann::json j;
  j["options"] = {{"dir", o.dir},
                  {"noise_variance", noise_variance ? nlohmann::json(*noise_variance) : nlohmann::json(nullptr)},
                  {"m_train", o.m_train},
                  {"m_test", o.m_test},
                  {"label_estimators", o.label_estimators},
                  {"bins", o.bins},
                  {"bin_sizes", o.bin_sizes},
                  {"bounds", o.bounds},
                  {"epochs", chosen},
                  {"seed", o.seed},
                  {"threads", o.threads}};
  if (o.component_block) j["options"]["component_block"] = *o.component_block;
  j["options"]["population_se"] = o.population_std_error == population_error::influence ? "influence" : "per_point";
  j["points"] = nlohmann::json::array();
  for (std::size_t k = 0; k < points.size(); ++k) {
    const auto& p = points[k];
    nlohmann::json bins = nlohmann::json::array();
    for (const auto& b : p.binning)
      bins.push_back({{"bins", b.bins ? nlohmann::json(*b.bins) : nlohmann::json(nullptr)},
                      {"bin_size", cli::json_number(b.bin_size)},
                      {"i_xt", cli::json_number(b.i_xt.value)},
                      {"i_ty", cli::json_number(b.i_ty.value)}});
    j["points"].push_back({{"epoch", p.epoch},
                           {"split", p.split},
                           {"n", p.n},
                           {"d", p.d},
                           {"m", p.m},
                           {"held_out", p.split == "test"},
                           {"h_y", cli::json_number(p.h_y)},
                           {"i_xz", result_json(p.i_xz)},
                           {"i_xz_gauss_bound", result_json(p.i_xz_gauss_bound)},
                           {"i_xz_pairwise_kl", result_json(p.i_xz_pairwise_kl)},
                           {"i_xz_pairwise_bd", result_json(p.i_xz_pairwise_bd)},
                           {"i_zy_mixture", result_json(p.i_zy_mixture)},
                           {"i_zy_edge", result_json(p.i_zy_edge)},
                           {"i_zy_ksg", result_json(p.i_zy_ksg)},
                           {"i_zy_binning", result_json(p.i_zy_binning)},
                           {"i_zy_ce_bound", result_json(p.i_zy_ce_bound)},
                           {"i_zy_lower", cli::json_number(p.i_zy_lower)},
                           {"i_zy_upper", cli::json_number(p.i_zy_upper)},
                           {"i_xz_given_y", cli::json_number(p.i_xz_given_y)},
                           {"i_xz_given_y_std_error", cli::json_number(p.i_xz_given_y_std_error)},
                           {"binning", bins},
                           {"seconds", p.seconds},
                           {"total_seconds", p.total_seconds},
                           {"noise", noise_names[k]},
                           {"note", notes[k]}});
  }
  j["failed"] = failed;
  {
    std::ofstream f(out + "/information_plane.json");
    f << j.dump(1) << "\n";
    if (!f) infoplane::detail::raise<file_error>(out + "/information_plane.json: write failed");
  }
  std::string zy_name = o.plot_zy;
  const bool ran_ksg = std::count(o.label_estimators.begin(), o.label_estimators.end(), "ksg") > 0;
  if (zy_name.empty()) zy_name = have_ce ? "ce" : ran_ksg ? "ksg" : "mixture";
  return points.empty() ? std::nullopt : detail_ip::plot(out, points, zy_name, progress, o.quiet);
}

/// Checks every option of `o` without touching the folder (invalid_argument naming the flag);
/// returns the Gaussian noise where a noise flag was given.
inline std::optional<gaussian_dropout> check_options(const ip_options& o) {
  using namespace detail_ip;
  const int noise_flags = o.noise_var.has_value() + o.noise_std.has_value() + o.drop_probability.has_value();
  std::optional<gaussian_dropout> noise;
  if (noise_flags) noise = noise_of(o);
  for (const auto& e : o.label_estimators)
    if (!label_estimator_names().count(e))
      infoplane::detail::raise<invalid_argument>("--label-estimators: unknown estimator '" + e +
                                                 "' (known: mixture, edge, ksg, binning)");
  for (const auto& b : o.bounds)
    if (b != "gauss" && b != "pairwise")
      infoplane::detail::raise<invalid_argument>("--bounds: unknown bound '" + b + "' (known: gauss, pairwise)");
  if (!o.bins.empty() && !o.bin_sizes.empty())
    infoplane::detail::raise<invalid_argument>("--bins and --bin-sizes: give one of the two, not both");
  for (auto b : o.bins)
    if (b < 1) infoplane::detail::raise<invalid_argument>("--bins: a bin count must be >= 1, got 0");
  for (auto s : o.bin_sizes)
    if (!(std::isfinite(s) && s > 0))
      infoplane::detail::raise<invalid_argument>("--bin-sizes: a bin size must be finite and > 0, got " + num(s));
  if (o.m_train < 1 || o.m_test < 1) infoplane::detail::raise<invalid_argument>("--m-train and --m-test must be >= 1");
  if (!o.epochs.empty() && o.every)
    infoplane::detail::raise<invalid_argument>("--epochs and --every: give one of the two, not both");
  const std::set<std::string> zy_names = {"", "ce", "mixture", "edge", "ksg", "binning"};
  if (!zy_names.count(o.plot_zy))
    infoplane::detail::raise<invalid_argument>("--plot-zy: unknown value '" + o.plot_zy +
                                               "' (known: ce, mixture, edge, ksg, binning)");
  return noise;
}

/// Runs the command: 0 when every selected (epoch, split) was computed, 1 when some were refused
/// (each named on `progress`, the others still written). Options, folder and label problems
/// that leave nothing to compute throw invalid_argument / file_error. The summary JSON goes to
/// `summary`.
inline int run_ip(const ip_options& o, std::ostream& progress, std::ostream& summary = std::cout) {
  using namespace detail_ip;
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  // Options first, so that a typo fails before any file is read.
  std::optional<gaussian_dropout> noise = check_options(o);
  const ip_inputs in = scan_directory(o.dir);
  std::vector<std::uint64_t> chosen;
  if (!o.epochs.empty()) {
    for (auto e : o.epochs) {
      if (!in.epochs.count(e))
        infoplane::detail::raise<invalid_argument>("--epochs: epoch " + std::to_string(e) + " has no representation file in " + o.dir);
      chosen.push_back(e);
    }
    std::sort(chosen.begin(), chosen.end());
    chosen.erase(std::unique(chosen.begin(), chosen.end()), chosen.end());
  } else {
    std::size_t i = 0;
    for (const auto& [e, files] : in.epochs)
      if (o.every == 0 || i++ % o.every == 0) chosen.push_back(e);
  }
  // Gaussian dropout for every chosen file without alpha: then a noise flag is required.
  for (auto e : chosen) {
    const auto& f = in.epochs.at(e);
    if (!noise && ((f.train && !f.alpha_train) || (f.test && !f.alpha_test)))
      noise = noise_of(o);  // throws: which flags are missing
  }
  const bool all_alpha = std::all_of(chosen.begin(), chosen.end(), [&](std::uint64_t e) {
    const auto& f = in.epochs.at(e);
    return (!f.train || f.alpha_train) && (!f.test || f.alpha_test);
  });
  if (noise && all_alpha)
    infoplane::detail::raise<invalid_argument>(noise_flag(o) + " does nothing here: every chosen representation file of " +
                                               o.dir + " has its alpha file (information dropout)");
  std::map<std::pair<std::uint64_t, std::string>, double> ce;
  if (in.cross_entropy) ce = read_cross_entropy(*in.cross_entropy);
  std::map<std::string, std::vector<std::int64_t>> labels;
  for (const auto& split_path : {std::pair{std::string("train"), in.train_labels}, std::pair{std::string("test"), in.test_labels}}) {
    const std::string& split = split_path.first;  // not a structured binding: the lambda below captures it
    const auto& path = split_path.second;
    const bool needed = std::any_of(chosen.begin(), chosen.end(), [&](std::uint64_t e) {
      const auto& f = in.epochs.at(e);
      return split == "train" ? f.train.has_value() : f.test.has_value();
    });
    if (!needed) continue;
    if (!path)
      infoplane::detail::raise<file_error>(o.dir + "/" + split + "_labels.npy: missing (the " + split +
                                           " representations need it)");
    labels[split] = read_labels(*path);
  }
  const std::string out = o.out.empty() ? o.dir + "/ip" : o.out;
  std::filesystem::create_directories(out);

  std::vector<ip_point> points;
  std::vector<std::string> notes, noise_names;
  nlohmann::json failed = nlohmann::json::array();
  std::map<std::string, std::size_t> last_d;
  std::size_t todo = 0, done = 0;
  for (auto e : chosen) todo += in.epochs.at(e).train.has_value() + in.epochs.at(e).test.has_value();
  double spent = 0;
  for (std::size_t ei = 0; ei < chosen.size(); ++ei) {
    const std::uint64_t epoch = chosen[ei];
    for (const std::string split : {"train", "test"}) {
      const auto& file = split == "train" ? in.epochs.at(epoch).train : in.epochs.at(epoch).test;
      if (!file) continue;
      const auto tp = clock::now();
      bool ok = false;
      try {
        auto read = [&](const std::string& path) { return o.read_matrix ? o.read_matrix(path) : io::read_matrix(path); };
        const Eigen::MatrixXd f = read(*file);
        const auto& y = labels.at(split);
        if (static_cast<std::size_t>(f.rows()) != y.size())
          infoplane::detail::raise<file_error>("has " + std::to_string(f.rows()) + " rows but " +
                                               *(split == "train" ? in.train_labels : in.test_labels) + " has " +
                                               std::to_string(y.size()) + " labels");
        const auto& alpha_file = split == "train" ? in.epochs.at(epoch).alpha_train : in.epochs.at(epoch).alpha_test;
        std::optional<double> ce_value;
        if (auto it = ce.find({epoch, split}); it != ce.end()) ce_value = it->second;
        std::optional<Eigen::MatrixXd> alpha;
        if (alpha_file) alpha = read(*alpha_file);
        ip_point p = compute_point(f, y, alpha ? &*alpha : nullptr, alpha_file.value_or(""), noise,
                                   point_options(o, epoch, split, ce_value));
        noise_names.push_back(alpha_file ? "information dropout (" + *alpha_file + ")" : "gaussian");
        std::string note;
        if (auto it = last_d.find(split); it != last_d.end() && it->second != p.d)
          note = "d = " + std::to_string(p.d) + " (was " + std::to_string(it->second) + " at the previous epoch)";  // no commas: a CSV cell
        last_d[split] = p.d;
        points.push_back(std::move(p));
        notes.push_back(note);
        ok = true;
      } catch (const std::exception& ex) {  // this (epoch, split) is refused; the others go on
        std::string what = ex.what();
        if (what.rfind(*file, 0) != 0) what = *file + ": " + what;  // always name the file
        progress << "error: epoch " << epoch << " " << split << ": " << what << "\n";
        failed.push_back({{"epoch", epoch}, {"split", split}, {"file", *file}, {"error", what}});
      }
      ++done;
      const double s = std::chrono::duration<double>(clock::now() - tp).count();
      spent += s;
      if (ok && !o.quiet) {
        const auto& p = points.back();
        const auto& zy = p.i_zy_ce_bound ? p.i_zy_ce_bound : p.i_zy_mixture ? p.i_zy_mixture : p.i_zy_ksg;
        const char* which = p.i_zy_ce_bound ? "CE bound" : p.i_zy_mixture ? "mixture" : "ksg";
        char line[320];
        std::snprintf(line, sizeof line, "epoch %llu (%zu/%zu) %s: I(X;Z) %.3f ± %.3f (log N %.2f)", 
                      static_cast<unsigned long long>(epoch), ei + 1, chosen.size(), split.c_str(), p.i_xz.value,
                      p.i_xz.std_error.value_or(0.0), p.i_xz.ceiling.value_or(NAN));
        progress << line;
        if (zy) {
          std::snprintf(line, sizeof line, ", I(Z;Y) %.3f (%s)", zy->value, which);
          progress << line;
        }
        std::snprintf(line, sizeof line, "  %.1f s, ETA %s\n", s, duration(spent / double(done) * double(todo - done)).c_str());
        progress << line << std::flush;
      }
    }
  }

  // Nothing computed: an error, not an empty plane (the first refusal says why).
  if (points.empty() && !failed.empty())
    infoplane::detail::raise<file_error>("no (epoch, split) could be computed; the first: epoch " +
                                         failed[0]["epoch"].dump() + " " + failed[0]["split"].get<std::string>() +
                                         ": " + failed[0]["error"].get<std::string>());
  if (!o.write_files) return failed.empty() ? 0 : 1;
  const auto png = write_outputs(out, o, chosen, points, notes, noise_names, failed, !ce.empty(),
                                 noise ? std::optional<double>(noise->variance()) : std::nullopt, progress);
  summary << nlohmann::json{{"out", out},
                            {"points", points.size()},
                            {"failed", failed.size()},
                            {"csv", out + "/information_plane.csv"},
                            {"json", out + "/information_plane.json"},
                            {"png", png ? nlohmann::json(*png) : nlohmann::json(nullptr)},
                            {"seconds", std::chrono::duration<double>(clock::now() - t0).count()}}
                 .dump()
          << "\n";
  return failed.empty() ? 0 : 1;
}

}  // namespace infoplane::ip
