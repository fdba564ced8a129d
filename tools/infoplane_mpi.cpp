// infoplane-mpi: `infoplane dropout` and `infoplane ip` across MPI processes, with the same
// flags and the same JSON, plus --stats. Every process parses the same command line, reads the
// inputs and runs the same code; the dropout estimators split their kernel work by data row
// (include/infoplane/mpi/session.hpp), so every process holds the result one process would
// get, bit for bit. Only rank 0 prints and writes files.
#include <chrono>
#include <cstdio>
#include <ctime>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli.hpp"
#include "infoplane/mpi/session.hpp"

namespace {

using namespace infoplane;
using namespace infoplane::cli;

// Per process: seconds since start, CPU seconds (all its threads: the work it did, whatever
// else shares the machine), seconds in collectives, bytes sent and received (the logical
// volume of each collective, whatever algorithm MPI picks), gathered on rank 0.
json stats_json(const mpi::session& s, std::chrono::steady_clock::time_point t0) {
  const auto& t = s.stats();
  constexpr int k = 5;
  const double mine[k] = {std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
                          static_cast<double>(std::clock()) / CLOCKS_PER_SEC, t.seconds,
                          static_cast<double>(t.bytes_sent), static_cast<double>(t.bytes_received)};
  std::vector<double> all(k * s.ranks());
  mpi::check(MPI_Gather(mine, k, MPI_DOUBLE, all.data(), k, MPI_DOUBLE, 0, s.communicator()), "MPI_Gather");
  json per = json::array();
  for (std::size_t r = 0; r < s.ranks(); ++r)
    per.push_back({{"rank", r},
                   {"seconds", all[k * r]},
                   {"cpu_seconds", all[k * r + 1]},
                   {"comm_seconds", all[k * r + 2]},
                   {"bytes_sent", static_cast<std::uint64_t>(all[k * r + 3])},
                   {"bytes_received", static_cast<std::uint64_t>(all[k * r + 4])}});
  return {{"ranks", s.ranks()}, {"mode", "replicated"}, {"per_rank", per}};
}

int run(int argc, char** argv, mpi::session& s) {
  const auto t0 = std::chrono::steady_clock::now();
  const bool root = s.rank() == 0;
  CLI::App app{"infoplane-mpi: infoplane's dropout and ip subcommands across MPI processes (nats); run it under "
               "mpirun"};
  app.require_subcommand(1, 1);
  std::vector<std::unique_ptr<command_flags>> subs;
  auto add = [&](const subcommand_text& t, void (*declare)(command_flags&)) {
    subs.push_back(std::make_unique<command_flags>(app, t.name, t.description, t.usage + " [--stats]"));
    declare(*subs.back());
    subs.back()->own("stats", "", "also per-process seconds and bytes communicated (JSON key \"mpi\")");
    return subs.back().get();
  };
  const command_flags* dropout = add(dropout_subcommand("mpirun -np R infoplane-mpi"), dropout_flags);
  const command_flags* ip = add(ip_subcommand("mpirun -np R infoplane-mpi"), ip_flags);
  const command_flags* parsed = nullptr;
  auto usage = [&] { return parsed ? parsed->usage() : dropout->usage() + "\n  " + ip->usage(); };
  try {
    app.parse(argc, argv);
    parsed = dropout->app()->parsed() ? dropout : ip;
    // A file one process cannot read fails on every process, each before its next collective.
    const matrix_reader read = [&](const std::string& path) {
      return s.agreed([&] { return io::read_matrix(path); });
    };
    const bool stats = parsed->has("stats");
    std::ostream quiet(nullptr);  // other ranks print nothing
    std::ostream& out = root ? std::cout : quiet;
    int code = 0;
    s.agreed([&] {  // every process ends each command in agreement: failures are reported once, by rank 0
      if (parsed == dropout) {
        code = dropout_command(*parsed, out, read, [&](json& j) {
          if (stats) j["mpi"] = stats_json(s, t0);
        });
      } else {
        ip::ip_options o = ip_options_from(*parsed);
        // run_ip reads the folder's listing and labels before its first collective: here they are
        // read on every process first, so that one process's failure stops all of them.
        std::string listing;  // what run_ip will loop over: the same on every process, or they part ways
        s.agreed([&] {
          const ip::ip_inputs in = ip::scan_directory(o.dir);
          for (const auto& [epoch, files] : in.epochs)
            listing += std::to_string(epoch) + (files.train ? "t" : "") + (files.test ? "v" : "") + ",";
          for (const auto& labels : {in.train_labels, in.test_labels}) {
            listing += labels ? "L" : "-";
            if (labels) ip::read_labels(*labels);
          }
          if (in.cross_entropy) ip::read_cross_entropy(*in.cross_entropy);
        });
        s.require_same(std::hash<std::string>{}(listing),
                       o.dir + ": the processes see different representation or label files");
        o.read_matrix = read;
        o.write_files = root;
        o.quiet = o.quiet || !root;
        code = ip::run_ip(o, root ? std::cerr : out, out);
        if (stats) out << one_line(json{{"mpi", stats_json(s, t0)}}) << "\n";
      }
    });
    return code;
  } catch (const CLI::CallForHelp&) {
    const CLI::App* sub = &app;
    for (const auto& f : subs)
      if (f->app()->parsed()) sub = f->app();
    if (root) std::cout << sub->help();
    return 0;
  } catch (const CLI::ParseError& e) {
    if (root) std::cerr << "infoplane-mpi: " << e.what() << "\nusage: " << usage() << "\n";
  } catch (const usage_error& e) {
    if (root) std::cerr << "infoplane-mpi " << parsed->name() << ": " << e.what() << "\nusage: " << usage() << "\n";
  } catch (const infoplane::invalid_argument& e) {
    if (root)
      std::cerr << "infoplane-mpi " << parsed->name() << ": invalid value: " << e.what() << "\nusage: " << usage()
                << "\n";
  } catch (const std::exception& e) {
    if (root) std::cerr << "infoplane-mpi" << (parsed ? " " + parsed->name() : "") << ": error: " << e.what() << "\n";
    return 1;
  }
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    mpi::environment env(argc, argv);
    int code = 0;
    {
      mpi::session s;
      // Other ranks keep quiet (warnings included): rank 0 speaks for all.
      std::streambuf* err = std::cerr.rdbuf();
      if (s.rank() != 0) std::cerr.rdbuf(nullptr);
      code = run(argc, argv, s);
      std::cerr.rdbuf(err);
    }
    return code;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "infoplane-mpi: error: %s\n", e.what());
    return 1;
  }
}
