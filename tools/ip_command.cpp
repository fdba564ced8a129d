// The heavy half of `infoplane ip` (tools/ip_command.hpp): the estimators, the writers and the
// plot, compiled once (target infoplane_ip_command) for the program, infoplane-mpi, the Python
// module, the LibTorch example and the tests.
#include "ip_command.hpp"

#include <future>

namespace infoplane::ip {

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

ip_point compute_point(const Eigen::MatrixXd& f, const std::vector<std::int64_t>& y, const Eigen::MatrixXd* alpha,
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

std::optional<std::string> write_outputs(const std::string& out, const ip_options& o,
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
  j["options"]["storage"] = o.storage == precision::float32 ? "float32" : "float64";
  if (o.label_prior_weight) j["options"]["label_prior_weight"] = *o.label_prior_weight;
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

int run_ip(const ip_options& o, std::ostream& progress, std::ostream& summary) {
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
  // One (epoch, split): its point, or the refusal that names the file.
  struct outcome {
    std::optional<ip_point> point;
    std::string noise_name, error;
    bool memory_refused = false;
    double seconds = 0;
  };
  const auto compute = [&](std::uint64_t epoch, const std::string& split) {
    const auto& file = *(split == "train" ? in.epochs.at(epoch).train : in.epochs.at(epoch).test);
    const auto tp = clock::now();
    outcome r;
    try {
      auto read = [&](const std::string& path) { return o.read_matrix ? o.read_matrix(path) : io::read_matrix(path); };
      const Eigen::MatrixXd f = read(file);
      const auto& y = labels.at(split);
      const std::size_t rows = infoplane::detail::represented_rows(f);  // infoplane-mpi: maybe this rank's rows only
      if (rows != y.size())
        infoplane::detail::raise<file_error>("has " + std::to_string(rows) + " rows but " +
                                             *(split == "train" ? in.train_labels : in.test_labels) + " has " +
                                             std::to_string(y.size()) + " labels");
      const auto& alpha_file = split == "train" ? in.epochs.at(epoch).alpha_train : in.epochs.at(epoch).alpha_test;
      std::optional<double> ce_value;
      if (auto it = ce.find({epoch, split}); it != ce.end()) ce_value = it->second;
      std::optional<Eigen::MatrixXd> alpha;
      if (alpha_file) alpha = read(*alpha_file);
      r.point = compute_point(f, y, alpha ? &*alpha : nullptr, alpha_file.value_or(""), noise,
                              point_options(o, epoch, split, ce_value));
      r.noise_name = alpha_file ? "information dropout (" + *alpha_file + ")" : "gaussian";
    } catch (const std::exception& ex) {  // this (epoch, split) is refused; the others go on
      r.memory_refused = dynamic_cast<const memory_error*>(&ex) != nullptr;
      r.error = ex.what();
      if (r.error.rfind(file, 0) != 0) r.error = file + ": " + r.error;  // always name the file
    }
    r.seconds = std::chrono::duration<double>(clock::now() - tp).count();
    return r;
  };
  for (std::size_t ei = 0; ei < chosen.size(); ++ei) {
    const std::uint64_t epoch = chosen[ei];
    const auto& files = in.epochs.at(epoch);
    // Both splits at once where both are there, each on --threads: the cores stay busy through
    // each one's serial parts, and every number is the same (fixed by seed, epoch and split).
    // Each gets half the memory budget; one refused for it is computed again alone.
    // infoplane-mpi (read_matrix set) keeps them in turn: its ranks must meet in one order.
    std::map<std::string, outcome> got;
    if (files.train && files.test && !o.read_matrix) {
      infoplane::detail::memory_sharers() = 2;
      auto test = std::async(std::launch::async, compute, epoch, std::string("test"));
      got["train"] = compute(epoch, "train");
      got["test"] = test.get();
      infoplane::detail::memory_sharers() = 1;
      for (auto& [split, r] : got)
        if (r.memory_refused) r = compute(epoch, split);
    }
    for (const std::string split : {"train", "test"}) {
      const auto& file = split == "train" ? files.train : files.test;
      if (!file) continue;
      outcome r = got.count(split) ? std::move(got[split]) : compute(epoch, split);
      ++done;
      if (!r.point) {
        progress << "error: epoch " << epoch << " " << split << ": " << r.error << "\n";
        failed.push_back({{"epoch", epoch}, {"split", split}, {"file", *file}, {"error", r.error}});
        continue;
      }
      ip_point& p = *r.point;
      std::string note;
      if (auto it = last_d.find(split); it != last_d.end() && it->second != p.d)
        note = "d = " + std::to_string(p.d) + " (was " + std::to_string(it->second) + " at the previous epoch)";  // no commas: a CSV cell
      last_d[split] = p.d;
      if (!o.quiet) {
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
        const double spent = std::chrono::duration<double>(clock::now() - t0).count();
        std::snprintf(line, sizeof line, "  %.1f s, ETA %s\n", r.seconds, duration(spent / double(done) * double(todo - done)).c_str());
        progress << line << std::flush;
      }
      points.push_back(std::move(p));
      notes.push_back(note);
      noise_names.push_back(r.noise_name);
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
