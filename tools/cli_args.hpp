#pragma once
// Strict flag parsing for the infoplane program: every flag must be known, every value must
// parse completely, and any problem is a usage_error naming the flag.
#include <charconv>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace infoplane::cli {

struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class args {
 public:
  /// `flags` take a value, `switches` do not.
  args(const std::vector<std::string>& argv, const std::set<std::string>& flags,
       const std::set<std::string>& switches = {}) {
    for (std::size_t i = 0; i < argv.size(); ++i) {
      const std::string& a = argv[i];
      if (switches.count(a)) {
        switches_.insert(a);
      } else if (flags.count(a)) {
        if (i + 1 >= argv.size()) throw usage_error("flag " + a + " needs a value");
        if (!values_.emplace(a, argv[++i]).second) throw usage_error("flag " + a + " given twice");
      } else {
        throw usage_error("unknown argument '" + a + "'");
      }
    }
  }

  [[nodiscard]] bool has(const std::string& flag) const { return values_.count(flag) || switches_.count(flag); }

  [[nodiscard]] std::string str(const std::string& flag) const {
    auto it = values_.find(flag);
    if (it == values_.end()) throw usage_error("missing required flag " + flag);
    return it->second;
  }
  [[nodiscard]] std::string str(const std::string& flag, const std::string& fallback) const {
    return has(flag) ? str(flag) : fallback;
  }

  template <class T>
  [[nodiscard]] T number(const std::string& flag) const {
    const std::string s = str(flag);
    T v{};
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size())
      throw usage_error("flag " + flag + ": '" + s + "' is not a valid number");
    return v;
  }
  template <class T>
  [[nodiscard]] T number(const std::string& flag, T fallback) const {
    return has(flag) ? number<T>(flag) : fallback;
  }
  template <class T>
  [[nodiscard]] std::optional<T> optional_number(const std::string& flag) const {
    return has(flag) ? std::optional<T>(number<T>(flag)) : std::nullopt;
  }

 private:
  std::map<std::string, std::string> values_;
  std::set<std::string> switches_;
};

}  // namespace infoplane::cli
