#pragma once
// The infoplane program, callable: run_infoplane() parses argv and runs the subcommand, writing
// to the streams given. tools/infoplane.cpp is its main(); tests/fuzz/fuzz_cli.cpp calls it with
// parse_only, which checks every flag and value and stops before any file is read.
#include <chrono>
#include <cstdio>
#include <functional>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "benchmark_command.hpp"
#include "cli.hpp"
#include "ip_command.hpp"
#include "infoplane/io/read_matrix.hpp"
#include "infoplane/registry.hpp"
#include "infoplane/validation/toy.hpp"
#include "infoplane/validation/toy_truth.hpp"
#include "json_output.hpp"

namespace infoplane::cli::app {

using registry::input_shape;

/// Where the program writes, and whether it only parses (the fuzz target): then each
/// subcommand checks every flag and value, builds its estimators and returns before reading a
/// file or computing anything.
struct app_io {
  std::ostream& out;
  std::ostream& err;
  bool parse_only = false;
};

/// Thrown by the parse-only matrix reader: every flag was checked, nothing is read.
struct parse_only_stop {};

// The paper's toy problem: every estimator, next to the quadrature truth.
inline int toy(const command_flags& f, const app_io& io) {
  const auto& e = pick("estimator", f.str("estimator"), entries());
  f.warn_unused({&e}, io.err);
  const auto noise = parse_noise(f);
  const auto n = f.number<std::size_t>("n"), d = f.number<std::size_t>("d"), m = f.number<std::size_t>("m", 10);
  const auto seed = f.number<std::uint64_t>("seed", 0);
  for (const auto& [flag, v] : {std::pair{"n", n}, std::pair{"d", d}, std::pair{"m", m}})
    if (v == 0) throw usage_error(std::string("option --") + flag + ": '0' must be >= 1");
  // --m makes the sample pairs, or is the noise-model estimator's own M where it takes one.
  if (f.has("m") && e.shape == input_shape::noise_model && !e.takes("m"))
    f.warn_ignored("m", "does nothing here: " + std::string(e.name) + " takes no --m", io.err);
  const auto values = f.values_for(e);
  const auto confidence = confidence_of(f);
  if (io.parse_only) {
    e.shape == input_shape::sample_pairs ? void(e.pairs(values)) : void(e.noise(values));
    return 0;
  }
  const Eigen::MatrixXd fx = make_toy_representation(n, d, seed);
  timed_result tr;
  if (e.shape == input_shape::sample_pairs) {
    const auto p = make_toy_pairs(fx, noise, m, seed);
    tr = run_entry(e, f, p.x, p.z);
  } else {
    tr = run_entry(e, f, fx, noise);
  }
  auto j = result_json(e.name, tr.result, tr.seconds);
  if (confidence) confidence_json(j, tr.result, *confidence);
  j["truth"] = static_cast<double>(d) * validation::toy_truth(noise).mi;
  j["d"] = d;
  j["noise_variance"] = noise.variance();
  j["m"] = m;
  io.out << one_line(j) << "\n";
  return 0;
}

// I(X;Y) from two files by a sample-pair estimator.
inline int estimate(const command_flags& f, const app_io& io) {
  const auto& e = pick("estimator", f.str("estimator"), entries(input_shape::sample_pairs));
  f.warn_unused({&e}, io.err);
  const auto runner = e.pairs(f.values_for(e));
  if (io.parse_only) return 0;
  const Eigen::MatrixXd x = io::read_matrix(f.str("x")), y = io::read_matrix(f.str("y"));
  const auto tr = timed([&] { return runner(x, y); });
  auto j = result_json(e.name, tr.result, tr.seconds);
  j["x"] = f.str("x");
  j["y"] = f.str("y");
  io.out << one_line(j) << "\n";
  return 0;
}

// Every noise-model estimator on the toy problem at a few settings, as a table.
inline int toy_sweep(const command_flags& f, const app_io& io) {
  const auto n = f.number<std::size_t>("n", 2000);
  const auto seed = f.number<std::uint64_t>("seed", 0);
  if (n == 0) throw usage_error("option --n: '0' must be >= 1");
  std::vector<std::pair<const registry::estimator_entry*, registry::noise_runner>> runners;
  for (const auto* e : entries(input_shape::noise_model)) runners.emplace_back(e, e->noise(f.values_for(*e)));
  if (io.parse_only) return 0;
  char line[256];
  std::snprintf(line, sizeof line, "%-20s %3s %5s %10s %10s %21s %10s %9s %8s\n", "estimator", "d", "var", "estimate",
                "std_err", "bracket", "truth", "error", "seconds");
  io.out << line;
  for (double var : {0.1, 0.4}) {
    const gaussian_dropout noise(noise_variance{var});
    const double truth_1d = validation::toy_truth(noise).mi;
    for (std::size_t d : {1u, 2u, 5u}) {
      const Eigen::MatrixXd fx = make_toy_representation(n, d, seed);
      for (const auto& [e, runner] : runners) {
        const auto [r, seconds] = timed([&, &run = runner] { return run(fx, noise); });
        const double truth = static_cast<double>(d) * truth_1d;
        char bracket[64] = "-", se[32] = "-";
        if (r.lower && r.upper) std::snprintf(bracket, sizeof bracket, "[%.4f, %.4f]", *r.lower, *r.upper);
        if (r.std_error) std::snprintf(se, sizeof se, "%.4f", *r.std_error);
        std::snprintf(line, sizeof line, "%-20s %3zu %5.2f %10.4f %10s %21s %10.4f %+9.4f %8.3f\n",
                      std::string(e->name).c_str(), d, var, r.value, se, bracket, truth, r.value - truth, seconds);
        io.out << line << std::flush;
      }
    }
  }
  return 0;
}

// The information plane of a saved training run (the seed repository's folder layout).
inline int information_plane_command(const command_flags& f, const app_io& io) {
  const auto o = ip_options_from(f);
  if (io.parse_only) {
    ip::check_options(o);
    return 0;
  }
  return ip::run_ip(o, io.err, io.out);
}

// Every sample-pair estimator of the registry (or those named) on the benchmark tasks.
inline int benchmark_command(const command_flags& f, const app_io& io) {
  benchmark_settings s;
  if (f.has("quick") && f.has("tasks")) throw usage_error("give only one of --quick and --tasks");
  s.tasks = f.has("quick") ? "quick" : f.str("tasks", "all");
  s.n = f.number<std::size_t>("n", s.n);
  if (s.n == 0) throw usage_error("option --n: '0' must be >= 1");
  const auto seeds = f.number<std::size_t>("seeds", s.seeds.size());
  if (seeds == 0) throw usage_error("--seeds must be >= 1");
  if (seeds > 1000000) throw usage_error("--seeds: " + std::to_string(seeds) + " is more than 1000000");
  s.seeds.clear();
  for (std::size_t i = 0; i < seeds; ++i) s.seeds.push_back(i);
  s.out_dir = f.str("out", "benchmark");
  s.threads = f.number<unsigned>("threads", 1);
  s.time_limit_s = f.number<double>("time-limit", 0.0);
  if (!(std::isfinite(s.time_limit_s) && s.time_limit_s >= 0))
    throw usage_error("--time-limit: '" + f.str("time-limit") + "' must be a finite number >= 0");
  s.progress = f.has("quiet") ? nullptr : &io.err;
  std::vector<const registry::estimator_entry*> chosen;
  const std::string which = f.str("estimators", "all");
  if (which == "all") chosen = entries();
  else
    for (const auto& name : list_of<std::string>(f, "estimators")) chosen.push_back(&pick("estimators", name, entries()));
  f.warn_unused(chosen, io.err);
  if (f.has("time-limit") && std::none_of(chosen.begin(), chosen.end(), [](const auto* e) { return e->trainable; }))
    throw usage_error("--time-limit does nothing here: none of the chosen estimators is trained");
  std::vector<benchmark_estimator> list;
  for (const auto* e : chosen) {
    const registry::values given = f.values_for(*e);
    auto with = [e, given](std::uint64_t seed, double limit) {
      registry::values v = given;
      if (e->takes("seed")) v["seed"] = std::to_string(seed);
      if (limit > 0 && e->takes("time-limit")) v["time-limit"] = registry::detail::format_number(limit);
      return v;
    };
    // The options as given, checked now rather than at the first task.
    e->shape == input_shape::sample_pairs ? void(e->pairs(given)) : void(e->noise(given));
    benchmark_estimator b{std::string(e->name), {}, {}};
    if (e->shape == input_shape::sample_pairs)
      b.run = [e, with](const Eigen::MatrixXd& x, const Eigen::MatrixXd& y, std::uint64_t seed, double limit) {
        return e->pairs(with(seed, limit))(x, y);
      };
    else
      b.run_noise_model = [e, with](const Eigen::MatrixXd& f, const gaussian_dropout& n, std::uint64_t seed, double limit) {
        return e->noise(with(seed, limit))(f, n);
      };
    list.push_back(std::move(b));
  }
  if (io.parse_only) return 0;
  const auto report = run_benchmark(list, s);
  json j;
  j["out"] = s.out_dir.string();
  j["rows"] = report.rows.size();
  j["tasks"] = s.tasks;
  io.out << one_line(j) << "\n";
  return 0;
}

inline int list_estimators(bool as_json, bool as_markdown, std::ostream& out) {
  if (as_json && as_markdown) throw usage_error("give only one of --json and --markdown");
  if (as_markdown) {  // the README's table
    out << "| estimator | input | reports | what | validated against |\n|---|---|---|---|---|\n";
    for (const auto& e : registry::estimators())
      out << "| `" << e.name << "` | " << (e.shape == input_shape::noise_model ? "noise model" : "sample pairs")
          << (e.trainable ? ", trained" : "") << " | " << e.reports << " | " << e.summary << " | "
          << e.validated_against << " |\n";
    return 0;
  }
  for (const auto& e : registry::estimators()) {
    if (!as_json) {
      out << e.name << "\n";
      continue;
    }
    json j;
    j["name"] = e.name;
    j["kind"] = to_string(e.kind);
    j["input"] = to_string(e.shape);
    j["trainable"] = e.trainable;
    j["summary"] = e.summary;
    json options = json::array();
    for (const auto& o : e.options)
      options.push_back({{"name", o.name}, {"kind", to_string(o.kind)}, {"default", o.default_text}, {"help", o.help}});
    j["options"] = options;
    out << one_line(j) << "\n";
  }
  return 0;
}

struct subcommand {
  std::unique_ptr<command_flags> flags;
  std::function<int(const command_flags&)> run;
};

inline std::vector<subcommand> subcommands(CLI::App& app, const app_io& io) {
  const std::string& noise = noise_usage;
  std::vector<subcommand> out;
  auto add = [&](std::string name, std::string description, std::string usage, auto&& declare,
                 int (*run)(const command_flags&, const app_io&)) {
    auto f = std::make_unique<command_flags>(app, std::move(name), std::move(description), std::move(usage));
    declare(*f);
    out.push_back({std::move(f), [run, &io](const command_flags& flags) { return run(flags, io); }});
  };
  add("toy", "Every estimator on the paper's toy problem, next to the exact I(X;Z)",
      "infoplane toy --estimator " + registry::names() + " --n N --d D " + noise +
          " [--m M] [--seed S] [estimator options]",
      [](command_flags& f) {
        f.own("estimator", "E", "estimator (infoplane --list-estimators)", "", true)
            .own("n", "N", "data points", "", true)
            .own("d", "D", "units", "", true)
            .own("m", "M", "noisy draws per point (also the sample pairs' M)", "10")
            .own("seed", "S", "seed of the data and the noise (also the estimator's)", "0")
            .own("confidence", "C", confidence_help);
        noise_flags(f).estimator_options(entries());
      },
      toy);
  add("estimate", "I(X;Y) from two files (.npy or .csv) by a sample-pair estimator",
      "infoplane estimate --estimator " + registry::names(input_shape::sample_pairs) +
          " --x X.npy --y Y.npy [estimator options]",
      [](command_flags& f) {
        f.own("estimator", "E", "sample-pair estimator", "", true)
            .own("x", "FILE", "samples of X (N x dx), .npy or .csv", "", true)
            .own("y", "FILE", "samples of Y (N x dy)", "", true)
            .estimator_options(entries(input_shape::sample_pairs));
      },
      estimate);
  const auto dropout_text = dropout_subcommand("infoplane"), ip_text = ip_subcommand("infoplane");
  add(dropout_text.name, dropout_text.description, dropout_text.usage, dropout_flags,
      [](const command_flags& f, const app_io& io) {
        if (!io.parse_only) return dropout_command(f, io.out, io::read_matrix, {}, io.err);
        return dropout_command(f, io.out, [](const std::string&) -> Eigen::MatrixXd { throw parse_only_stop{}; }, {},
                               io.err);
      });
  add(ip_text.name, ip_text.description, ip_text.usage, ip_flags, information_plane_command);
  add("benchmark", "Every estimator on synthetic tasks with known MI: bmi's task list and the dropout tasks",
      "infoplane benchmark [--tasks all|bmi|dropout|ID,ID,...] [--estimators all|ksg,edge,...] [--n 5000] [--seeds 3] "
      "[--out DIR] [--threads T] [--time-limit S] [--quick] [estimator options]",
      [](command_flags& f) {
        f.own("tasks", "LIST", "all, bmi, dropout, or task ids", "all")
            .own("estimators", "LIST", "all, or registered names", "all")
            .own("n", "N", "samples per task and seed", "5000")
            .own("seeds", "K", "seeds 0 .. K-1", "3")
            .own("out", "DIR", "output folder: benchmark.csv, summary.csv, benchmark.png", "benchmark")
            .own("threads", "T", "(task, seed) jobs at once", "1")
            .own("time-limit", "S", "seconds per estimate for the trainable estimators (0: none)", "0")
            .own("quick", "", "eight cheap tasks (a smoke run)")
            .own("quiet", "", "no progress line on stderr")
            .estimator_options(entries());
      },
      benchmark_command);
  add("toy-sweep", "Every noise-model estimator on the toy problem at d = 1, 2, 5 and s^2 = 0.1, 0.4",
      "infoplane toy-sweep [--n N] [--m M] [--seed S] [--threads T]",
      [](command_flags& f) {
        f.own("n", "N", "data points", "2000").own("seed", "S", "seed of the data and the noise", "0");
        f.estimator_options(entries(input_shape::noise_model));
      },
      toy_sweep);
  return out;
}

/// The program: exit status 0 on success, 1 when the work failed (a file, a refused input),
/// 2 for a bad command line (printed with the usage). With io.parse_only, an exception that is
/// not one of the program's own kinds is rethrown, so that the fuzz target sees it.
inline int run_infoplane(int argc, const char* const* argv, const app_io& io) {
  CLI::App app{"infoplane: mutual information for information-plane analysis of dropout networks (nats)"};
  app.require_subcommand(0, 1);
  bool version = false, list = false, list_json = false, list_markdown = false;
  app.add_flag("--version", version, "print the version and the kernels' instruction set");
  auto* list_flag = app.add_flag("--list-estimators", list, "list the registered estimators, one a line");
  app.add_flag("--json", list_json, "with --list-estimators: one JSON object a line (kind, input, options)")
      ->needs(list_flag);
  app.add_flag("--markdown", list_markdown, "with --list-estimators: the README's table")->needs(list_flag);
  auto subs = subcommands(app, io);
  app.footer("Each subcommand has its own --help, which lists every flag it accepts.");
  auto usage_of = [&](const CLI::App* sub) -> std::string {
    for (const auto& s : subs)
      if (s.flags->app() == sub) return s.flags->usage();
    std::string out;
    for (const auto& s : subs) out += "\n  " + s.flags->usage();
    return out;
  };
  auto parsed_sub = [&]() -> const CLI::App* {
    for (const auto& s : subs)
      if (s.flags->app()->parsed()) return s.flags->app();
    return nullptr;
  };
  auto prefix = [&](const CLI::App* sub) { return "infoplane" + (sub ? " " + sub->get_name() : std::string()); };
  try {
    app.parse(argc, argv);
    const CLI::App* sub = parsed_sub();
    if ((version || list) && sub)
      throw CLI::ValidationError("--version and --list-estimators take no subcommand");
    if (version) {
      io.out << "infoplane " << INFOPLANE_VERSION_STRING << " (kernels built for "
             << infoplane::kernel_instruction_set() << ")\n";
      return 0;
    }
    if (list) return list_estimators(list_json, list_markdown, io.out);
    for (const auto& s : subs)
      if (s.flags->app() == sub) return s.run(*s.flags);
    io.err << "infoplane: give a subcommand\nusage:" << usage_of(nullptr) << "\n";
    return 2;
  } catch (const CLI::CallForHelp&) {
    const CLI::App* sub = parsed_sub();
    io.out << (sub ? sub->help() : app.help());
    return 0;
  } catch (const CLI::ParseError& e) {
    const CLI::App* sub = parsed_sub();
    io.err << prefix(sub) << ": " << e.what() << "\nusage: " << usage_of(sub) << "\n";
  } catch (const usage_error& e) {
    io.err << prefix(parsed_sub()) << ": " << e.what() << "\nusage: " << usage_of(parsed_sub()) << "\n";
  } catch (const infoplane::invalid_argument& e) {
    io.err << prefix(parsed_sub()) << ": invalid value: " << e.what() << "\nusage: " << usage_of(parsed_sub()) << "\n";
  } catch (const parse_only_stop&) {
    return 0;
  } catch (const infoplane::file_error& e) {
    io.err << prefix(parsed_sub()) << ": error: " << e.what() << "\n";
    return 1;
  } catch (const infoplane::logic_error& e) {
    io.err << prefix(parsed_sub()) << ": error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    if (io.parse_only) throw;  // parsing must raise only the kinds above
    io.err << prefix(parsed_sub()) << ": error: " << e.what() << "\n";
    return 1;
  }
  return 2;
}

}  // namespace infoplane::cli::app
