#pragma once
// The engine of `infoplane ip`: reads a folder of saved representations (the layout of the
// paper's code), computes one information-plane point per (epoch, split) and writes
// information_plane.csv, binning_plane.csv, information_plane.json and information_plane.png.
// The command line only fills ip_options; everything here is callable (and tested) without it.
// compute_point, write_outputs and run_ip are defined in ip_command.cpp (target infoplane_ip_command).
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
  /// --label-estimators. The mixture's I(Z;Y) comes from the I(X;Z) pass's own kernel work; the
  /// sample-pair peers (EDGE, KSG: 1.2 s at 60000 x 32, benchmarks/README.md) are opt-in.
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
  precision storage = precision::float64;                                ///< --float
  std::optional<double> label_prior_weight{};  ///< --label-prior-weight
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
      "i_xz_population_upper_std_error", "i_xz_upper_source", "held_out", "note", "i_zy_population_lower",
      "i_zy_population_upper", "i_zy_population_lower_std_error", "i_zy_population_upper_std_error", "i_zy_upper_source"};
  return c;
}

/// One CSV row (the `note` says e.g. that d changed since the previous epoch).
inline std::vector<std::string> csv_row(const ip_point& p, const std::string& note) {
  using detail_ip::num, detail_ip::value_of, detail_ip::status_of;
  const auto& zy = p.i_zy_mixture;
  const auto& pop = p.i_xz.population;
  const auto& zy_pop = zy ? zy->population : std::nullopt;
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
          p.split == "test" ? "1" : "0", note, num(zy_pop ? std::optional(zy_pop->lower) : std::nullopt),
          num(zy_pop ? std::optional(zy_pop->upper) : std::nullopt),
          num(zy_pop ? std::optional(zy_pop->lower_std_error) : std::nullopt),
          num(zy_pop ? std::optional(zy_pop->upper_std_error) : std::nullopt), zy_pop ? zy_pop->upper_source : ""};
}

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
  po.storage = o.storage;
  po.label_prior_weight = o.label_prior_weight;
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
ip_point compute_point(const Eigen::MatrixXd& f, const std::vector<std::int64_t>& y, const Eigen::MatrixXd* alpha,
                       const std::string& alpha_name, const std::optional<gaussian_dropout>& noise,
                       const information_plane_options& po);

/// Writes information_plane.csv, binning_plane.csv, information_plane.json and (with gnuplot)
/// information_plane.png into `out`; returns the PNG's path. points, notes and noise_names run
/// in parallel; have_ce: some split had a cross-entropy (the plot's default y is then the CE bound).
std::optional<std::string> write_outputs(const std::string& out, const ip_options& o,
                                         const std::vector<std::uint64_t>& chosen,
                                         const std::vector<ip_point>& points,
                                         const std::vector<std::string>& notes,
                                         const std::vector<std::string>& noise_names,
                                         const nlohmann::json& failed, bool have_ce,
                                         std::optional<double> noise_variance, std::ostream& progress);

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
int run_ip(const ip_options& o, std::ostream& progress, std::ostream& summary = std::cout);

}  // namespace infoplane::ip
