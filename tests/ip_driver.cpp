// Test driver for the `infoplane ip` engine (tools/ip_command.hpp), until the command line
// wires it: the same flags, parsed by the tools' strict parser. Exit: run_ip's status, 2 on
// an error before any point was computed.
#include <iostream>
#include <sstream>

#include "cli_args.hpp"
#include "ip_command.hpp"

namespace {

template <class T>
std::vector<T> list(const infoplane::cli::args& a, const std::string& flag) {
  std::vector<T> out;
  if (!a.has(flag)) return out;
  std::stringstream ss(a.str(flag));
  for (std::string item; std::getline(ss, item, ',');) {
    if constexpr (std::is_same_v<T, std::string>) {
      out.push_back(item);
    } else {
      T v{};
      const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
      if (ec != std::errc{} || end != item.data() + item.size() || item.empty())
        throw infoplane::cli::usage_error("flag " + flag + ": '" + item + "' is not a valid number");
      out.push_back(v);
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const infoplane::cli::args a(std::vector<std::string>(argv + 1, argv + argc),
                                 {"--dir", "--noise-var", "--noise-std", "--drop-probability", "--m-train", "--m-test",
                                  "--label-estimators", "--bins", "--bin-sizes", "--bounds", "--plot-zy", "--epochs",
                                  "--every", "--out", "--seed", "--threads"},
                                 {"--quiet"});
    infoplane::ip::ip_options o;
    o.dir = a.str("--dir");
    o.noise_var = a.optional_number<double>("--noise-var");
    o.noise_std = a.optional_number<double>("--noise-std");
    o.drop_probability = a.optional_number<double>("--drop-probability");
    o.m_train = a.number<std::size_t>("--m-train", o.m_train);
    o.m_test = a.number<std::size_t>("--m-test", o.m_test);
    if (a.has("--label-estimators")) o.label_estimators = list<std::string>(a, "--label-estimators");
    o.bins = list<std::size_t>(a, "--bins");
    o.bin_sizes = list<double>(a, "--bin-sizes");
    if (a.has("--bounds")) o.bounds = list<std::string>(a, "--bounds");
    o.plot_zy = a.str("--plot-zy", "");
    o.epochs = list<std::uint64_t>(a, "--epochs");
    o.every = a.number<std::size_t>("--every", 0);
    o.out = a.str("--out", "");
    o.seed = a.number<std::uint64_t>("--seed", 0);
    o.threads = a.number<unsigned>("--threads", 0);
    o.quiet = a.has("--quiet");
    return infoplane::ip::run_ip(o, std::cerr, std::cout);
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  }
}
