#pragma once
// The engine of `infoplane benchmark`: every estimator on every selected task with known MI
// (validation/bmi_tasks.hpp), for several seeds, into
//   DIR/benchmark.csv   task,dim_x,dim_y,truth,estimator,seed,n,value,std_error,status,seconds
//   DIR/summary.csv     per (task, estimator): runs, not-ok runs, mean, sd over seeds, min,
//                       max, mean relative error |value - truth| / truth, mean seconds
//   DIR/benchmark.png   heat map tasks x estimators, coloured by the signed relative error
//                       of the mean, annotated with the mean (gnuplot; skipped without it)
// with a progress line (task, estimator, ETA) on stderr. The command-line flags and the
// estimator registry live with the CLI; this file only takes the estimators as functions.
//
// Samples depend only on (task, seed, n); jobs (task, seed) run on `threads` threads, each
// estimator on its own sample in turn, and rows come out in (task, estimator, seed) order
// whatever the thread count. Seconds are wall-clock per estimate (with threads > 1 they share
// the cores, and so do estimators that are themselves threaded).
#include <Eigen/Core>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "infoplane/errors.hpp"
#include "infoplane/results/estimate_result.hpp"
#include "infoplane/validation/bmi_tasks.hpp"

namespace infoplane::cli {

/// An estimator as the benchmark sees it. `run` takes sample pairs (x, y); `run_noise_model`,
/// where given, is used instead on tasks with a noise model (the dropout tasks), on their
/// noise-free representation. Either may be empty; a task neither fits is skipped. Both get
/// the seed and the wall-clock limit in seconds (0: none) that a trainable estimator should
/// honour (neural::time_limit), reporting not_converged when it stops there.
struct benchmark_estimator {
  using pair_fn = std::function<estimate_result(const Eigen::MatrixXd& x, const Eigen::MatrixXd& y, std::uint64_t seed,
                                                double time_limit_s)>;
  using noise_model_fn = std::function<estimate_result(const Eigen::MatrixXd& representation, const gaussian_dropout& noise,
                                                       std::uint64_t seed, double time_limit_s)>;
  std::string name;
  pair_fn run;
  noise_model_fn run_noise_model = {};
};

struct benchmark_settings {
  std::string tasks = "all";  ///< all | bmi | dropout | quick | comma-separated task ids
  std::size_t n = 5000;       ///< samples per task and seed
  std::vector<std::uint64_t> seeds{0, 1, 2};
  std::filesystem::path out_dir = "benchmark";
  unsigned threads = 1;       ///< (task, seed) jobs at once
  double time_limit_s = 0;    ///< per estimate; 0: none
  std::ostream* progress = &std::cerr;  ///< nullptr: quiet
  bool plot = true;           ///< write benchmark.png (needs gnuplot)
};

struct benchmark_row {
  std::string task;
  Eigen::Index dim_x, dim_y;
  double truth;
  std::string estimator;
  std::uint64_t seed;
  std::size_t n;
  double value;
  std::optional<double> std_error;
  std::string status;  ///< estimate_status, or "error: ..." when the estimator threw
  double seconds;
};

struct benchmark_summary_row {
  std::string task;
  Eigen::Index dim_x, dim_y;
  double truth;
  std::string estimator;
  std::size_t runs = 0, not_ok = 0;
  double mean = NAN, sd = NAN, min = NAN, max = NAN, mean_relative_error = NAN, mean_seconds = NAN;
};

struct benchmark_report {
  std::vector<benchmark_row> rows;
  std::vector<benchmark_summary_row> summary;
};

/// The eight tasks of `--tasks quick`: one of each kind, all cheap.
inline const std::vector<std::string>& quick_benchmark_task_ids() {
  static const std::vector<std::string> ids = {
      "1v1-normal-0.75",           "1v1-additive-0.1",
      "1v1-bimodal-0.75",          "student-identity-1-1-1",
      "multinormal-dense-5-5-0.5", "multinormal-sparse-3-3-2-2.0",
      "spiral-multinormal-sparse-3-3-2-2.0", "dropout-toy-5-0.1"};
  return ids;
}

/// The tasks named by `spec` (see benchmark_settings::tasks); throws invalid_argument on an
/// unknown id or an empty selection.
inline std::vector<const validation::benchmark_task*> select_benchmark_tasks(const std::string& spec) {
  std::vector<const validation::benchmark_task*> out;
  if (spec == "all") return validation::all_benchmark_tasks();
  if (spec == "bmi" || spec == "dropout") {
    for (const auto* t : validation::all_benchmark_tasks())
      if (t->family == spec) out.push_back(t);
    return out;
  }
  std::vector<std::string> ids;
  if (spec == "quick") {
    ids = quick_benchmark_task_ids();
  } else {
    std::stringstream s(spec);
    for (std::string id; std::getline(s, id, ',');)
      if (!id.empty()) ids.push_back(id);
  }
  INFOPLANE_CHECK(!ids.empty(), "benchmark: no tasks selected by '" + spec + "'");
  for (const auto& id : ids) out.push_back(&validation::find_benchmark_task(id));
  return out;
}

namespace detail {

inline std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

inline std::string number(double v) {
  if (std::isnan(v)) return "nan";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

inline std::string duration(double s) {
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%dh%02dm", int(s / 3600), int(std::fmod(s, 3600) / 60));
  else if (s >= 60) std::snprintf(buf, sizeof buf, "%dm%02ds", int(s / 60), int(std::fmod(s, 60)));
  else std::snprintf(buf, sizeof buf, "%.1fs", s);
  return buf;
}

inline std::vector<benchmark_summary_row> summarise(const std::vector<benchmark_row>& rows) {
  std::vector<benchmark_summary_row> out;
  for (std::size_t i = 0; i < rows.size();) {
    std::size_t j = i;
    while (j < rows.size() && rows[j].task == rows[i].task && rows[j].estimator == rows[i].estimator) ++j;
    benchmark_summary_row s{rows[i].task, rows[i].dim_x, rows[i].dim_y, rows[i].truth, rows[i].estimator};
    std::vector<double> v, rel, sec;
    for (std::size_t k = i; k < j; ++k) {
      ++s.runs;
      if (rows[k].status != "ok") ++s.not_ok;
      sec.push_back(rows[k].seconds);
      if (!std::isfinite(rows[k].value)) continue;
      v.push_back(rows[k].value);
      rel.push_back(std::abs(rows[k].value - rows[k].truth) / rows[k].truth);
    }
    auto mean = [](const std::vector<double>& a) {
      double m = 0;
      for (double x : a) m += x / double(a.size());
      return a.empty() ? NAN : m;
    };
    s.mean = mean(v);
    s.mean_relative_error = mean(rel);
    s.mean_seconds = mean(sec);
    if (!v.empty()) {
      s.min = *std::min_element(v.begin(), v.end());
      s.max = *std::max_element(v.begin(), v.end());
      double sq = 0;
      for (double x : v) sq += (x - s.mean) * (x - s.mean);
      s.sd = v.size() > 1 ? std::sqrt(sq / double(v.size() - 1)) : 0.0;
    }
    out.push_back(s);
    i = j;
  }
  return out;
}

inline void write_csvs(const benchmark_report& r, const std::filesystem::path& dir) {
  std::ofstream f(dir / "benchmark.csv");
  f << "task,dim_x,dim_y,truth,estimator,seed,n,value,std_error,status,seconds\n";
  for (const auto& row : r.rows)
    f << csv_field(row.task) << ',' << row.dim_x << ',' << row.dim_y << ',' << number(row.truth) << ','
      << csv_field(row.estimator) << ',' << row.seed << ',' << row.n << ',' << number(row.value) << ','
      << (row.std_error ? number(*row.std_error) : "") << ',' << csv_field(row.status) << ',' << number(row.seconds) << '\n';
  std::ofstream s(dir / "summary.csv");
  s << "task,dim_x,dim_y,truth,estimator,runs,not_ok,mean,sd,min,max,mean_relative_error,mean_seconds\n";
  for (const auto& row : r.summary)
    s << csv_field(row.task) << ',' << row.dim_x << ',' << row.dim_y << ',' << number(row.truth) << ','
      << csv_field(row.estimator) << ',' << row.runs << ',' << row.not_ok << ',' << number(row.mean) << ','
      << number(row.sd) << ',' << number(row.min) << ',' << number(row.max) << ',' << number(row.mean_relative_error)
      << ',' << number(row.mean_seconds) << '\n';
}

inline std::string gnuplot_string(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return "'" + out + "'";
}

/// The heat map: the gnuplot script and its data next to the PNG; a missing gnuplot is a
/// warning on `log`, not an error.
inline void plot_heat_map(const benchmark_report& r, const std::vector<std::string>& tasks,
                          const std::vector<std::string>& estimators, const std::filesystem::path& dir, std::ostream* log) {
  const auto data = dir / "benchmark_heatmap.dat", script = dir / "benchmark_heatmap.gp";
  {
    // gnuplot's `with image` needs the whole grid in scan order: a pair that did not run (a
    // noise-model estimator on a sample-pair task) is NaN, which it leaves blank.
    const std::size_t ne = estimators.size();
    std::vector<const benchmark_summary_row*> cell(tasks.size() * ne, nullptr);
    for (const auto& s : r.summary) {
      const auto ti = std::size_t(std::find(tasks.begin(), tasks.end(), s.task) - tasks.begin());
      const auto ei = std::size_t(std::find(estimators.begin(), estimators.end(), s.estimator) - estimators.begin());
      if (ti < tasks.size() && ei < ne) cell[ti * ne + ei] = &s;
    }
    std::ofstream f(data);
    for (std::size_t ti = 0; ti < tasks.size(); ++ti)
      for (std::size_t ei = 0; ei < ne; ++ei) {
        const benchmark_summary_row* s = cell[ti * ne + ei];
        if (!s) {
          f << ei << ' ' << ti << " NaN \"\"\n";
          continue;
        }
        const double rel = std::isfinite(s->mean) ? std::clamp((s->mean - s->truth) / s->truth, -1.0, 1.0) : 0.0;
        char label[32] = "n/a";
        if (std::isfinite(s->mean)) std::snprintf(label, sizeof label, "%.3g", s->mean);
        f << ei << ' ' << ti << ' ' << rel << " \"" << label << (s->not_ok ? "*" : "") << "\"\n";
      }
  }
  std::ostringstream g;
  const std::size_t w = 520 + 80 * estimators.size(), h = 140 + 20 * tasks.size();
  g << "set terminal pngcairo noenhanced size " << w << "," << h << " font ',9'\nset output " << gnuplot_string((dir / "benchmark.png").string())
    << "\nset title 'Mean estimate over seeds (nats; *: some runs not ok)'\n"
    << "set palette defined (-1 '#2166ac', -0.25 '#92c5de', 0 '#f7f7f7', 0.25 '#f4a582', 1 '#b2182b')\n"
    << "set cbrange [-1:1]\nset cblabel '(mean - truth) / truth, clipped'\nunset key\nset tics nomirror out scale 0.5\n"
    << "set xrange [-0.5:" << estimators.size() - 0.5 << "]\nset yrange [" << tasks.size() - 0.5 << ":-0.5]\nset xtics rotate by 30 right (";
  for (std::size_t i = 0; i < estimators.size(); ++i) g << (i ? ", " : "") << gnuplot_string(estimators[i]) << " " << i;
  g << ")\nset ytics font ',8' (";
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    const auto it = std::find_if(r.summary.begin(), r.summary.end(), [&](const auto& s) { return s.task == tasks[i]; });
    char truth[32] = "";
    if (it != r.summary.end()) std::snprintf(truth, sizeof truth, " (%.3g)", it->truth);
    g << (i ? ", " : "") << gnuplot_string(tasks[i] + truth) << " " << i;
  }
  g << ")\nplot " << gnuplot_string(data.string()) << " using 1:2:3 with image, '' using 1:2:4 with labels font ',7'\n";
  std::ofstream(script) << g.str();
  if (std::system("command -v gnuplot > /dev/null 2>&1") != 0) {
    if (log) *log << "benchmark: gnuplot not found: wrote " << script.string() << " but no PNG\n";
    return;
  }
  if (std::system(("gnuplot '" + script.string() + "'").c_str()) != 0 && log)
    *log << "benchmark: gnuplot failed on " << script.string() << "\n";
}

}  // namespace detail

/// Runs every estimator on every selected task and seed, and writes the files above.
inline benchmark_report run_benchmark(const std::vector<benchmark_estimator>& estimators, const benchmark_settings& s) {
  INFOPLANE_CHECK(!estimators.empty(), "benchmark: no estimators given");
  INFOPLANE_CHECK(!s.seeds.empty(), "benchmark: no seeds given");
  INFOPLANE_CHECK(s.n >= 2, "benchmark: n must be >= 2");
  for (const auto& e : estimators)
    INFOPLANE_CHECK(!e.name.empty() && (e.run || e.run_noise_model), "benchmark: an estimator needs a name and a function");
  const auto tasks = select_benchmark_tasks(s.tasks);
  std::filesystem::create_directories(s.out_dir);

  const std::size_t ns = s.seeds.size(), ne = estimators.size(), jobs = tasks.size() * ns;
  // Slot (task, estimator, seed); empty where the estimator does not fit the task.
  std::vector<std::optional<benchmark_row>> slots(tasks.size() * ne * ns);
  std::size_t total = 0;
  for (const auto* t : tasks)
    for (const auto& e : estimators) total += (e.run || (e.run_noise_model && t->noise_model)) ? ns : 0;
  std::atomic<std::size_t> next{0};
  std::size_t done = 0;
  std::mutex mutex;
  const auto t0 = std::chrono::steady_clock::now();
  auto worker = [&] {
    for (std::size_t job = next++; job < jobs; job = next++) {
      const std::size_t ti = job / ns, si = job % ns;
      const auto& task = *tasks[ti];
      const std::uint64_t seed = s.seeds[si];
      std::optional<validation::xy_sample> sample;
      std::optional<Eigen::MatrixXd> representation;
      for (std::size_t ei = 0; ei < ne; ++ei) {
        const auto& e = estimators[ei];
        const bool noise_model = e.run_noise_model && task.noise_model;
        if (!noise_model && !e.run) continue;
        benchmark_row row{task.id, task.dim_x, task.dim_y, task.mi, e.name, seed, s.n, NAN, std::nullopt, "", 0.0};
        const auto start = std::chrono::steady_clock::now();
        try {
          estimate_result r;
          if (noise_model) {
            if (!representation) representation = task.noise_model->representation(s.n, seed);
            r = e.run_noise_model(*representation, task.noise_model->noise, seed, s.time_limit_s);
          } else {
            if (!sample) sample = task.sample(s.n, seed);
            r = e.run(sample->x, sample->y, seed, s.time_limit_s);
          }
          row.value = r.value;
          row.std_error = r.std_error;
          row.status = std::string(to_string(r.status));
        } catch (const std::exception& ex) {
          row.status = std::string("error: ") + ex.what();
        }
        row.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const std::lock_guard lock(mutex);
        slots[(ti * ne + ei) * ns + si] = row;
        ++done;
        if (s.progress) {
          const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
          *s.progress << "[" << done << "/" << total << "] " << task.id << "  " << e.name << "  seed " << seed << "  "
                      << detail::number(row.value) << " (truth " << detail::number(task.mi) << ", " << row.status << ", "
                      << detail::duration(row.seconds) << ")  ETA "
                      << detail::duration(el / double(done) * double(total - done)) << "\n";
        }
      }
    }
  };
  const unsigned nt = std::max(1u, std::min<unsigned>(s.threads, unsigned(jobs)));
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < nt; ++i) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();

  benchmark_report report;
  for (auto& r : slots)
    if (r) report.rows.push_back(std::move(*r));
  report.summary = detail::summarise(report.rows);
  detail::write_csvs(report, s.out_dir);
  if (s.plot && !report.summary.empty()) {
    std::vector<std::string> task_ids, names;
    for (const auto* t : tasks) task_ids.push_back(t->id);
    for (const auto& e : estimators) names.push_back(e.name);
    detail::plot_heat_map(report, task_ids, names, s.out_dir, s.progress);
  }
  return report;
}

}  // namespace infoplane::cli
