#include <catch2/catch.hpp>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "infoplane/io/read_matrix.hpp"

using namespace infoplane;

namespace {

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("infoplane_test_" + name)).string();
}

// Hand-built .npy bytes: preamble, header dict, payload, for formats NumPy itself writes.
std::string npy_bytes(const std::string& dict, const std::string& payload, int version = 1) {
  std::string header = dict;
  const std::size_t pre = version == 1 ? 10 : 12;
  while ((pre + header.size() + 1) % 64) header += ' ';
  header += '\n';
  std::string out = std::string("\x93NUMPY", 6) + char(version) + char(0);
  const auto len = static_cast<std::uint32_t>(header.size());
  out += char(len & 0xff);
  out += char((len >> 8) & 0xff);
  if (version != 1) {
    out += char((len >> 16) & 0xff);
    out += char((len >> 24) & 0xff);
  }
  return out + header + payload;
}

template <class T>
std::string payload(std::initializer_list<T> values) {
  std::string out;
  for (T v : values) out.append(reinterpret_cast<const char*>(&v), sizeof v);
  return out;
}

std::string write_file(const std::string& name, const std::string& bytes) {
  const auto path = temp_path(name);
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

}  // namespace

TEST_CASE("npy: float64 round trip", "[io][npy]") {
  Eigen::Matrix<double, 3, 2> m;
  m << 1.5, -2, 3e-300, 4e300, 0, -0.125;
  const auto path = temp_path("roundtrip.npy");
  io::write_npy(path, m);
  const Eigen::MatrixXd back = io::read_npy(path);
  CHECK(back.rows() == 3);
  CHECK(back.cols() == 2);
  CHECK(back == m);
}

TEST_CASE("npy: dtypes, orders, shapes and versions", "[io][npy]") {
  SECTION("float32, C order") {
    const auto p = write_file("f4.npy", npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }",
                                                  payload<float>({1.f, 2.f, 3.f, 4.5f})));
    const auto m = io::read_npy(p);
    CHECK(m(0, 1) == 2.0);
    CHECK(m(1, 1) == 4.5);
  }
  SECTION("int32, Fortran order") {
    const auto p = write_file("i4f.npy", npy_bytes("{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3), }",
                                                   payload<std::int32_t>({1, 4, 2, 5, 3, -6})));
    const auto m = io::read_npy(p);
    CHECK(m(0, 0) == 1);
    CHECK(m(0, 2) == 3);
    CHECK(m(1, 0) == 4);
    CHECK(m(1, 2) == -6);
  }
  SECTION("uint8 and int64, 1-D") {
    const auto p = write_file("u1.npy", npy_bytes("{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }",
                                                  payload<std::uint8_t>({7, 8, 255})));
    const auto m = io::read_npy(p);
    CHECK(m.rows() == 3);
    CHECK(m.cols() == 1);
    CHECK(m(2, 0) == 255);
    const auto q = write_file("i8.npy", npy_bytes("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }",
                                                  payload<std::int64_t>({-3, 9})));
    CHECK(io::read_npy(q)(0, 0) == -3);
  }
  SECTION("format version 2") {
    const auto p = write_file("v2.npy", npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), }",
                                                  payload<double>({0.5, 0.25}), 2));
    CHECK(io::read_npy(p)(0, 1) == 0.25);
  }
}

TEST_CASE("npy: malformed, truncated or unsupported files fail clearly", "[io][npy][bad-input]") {
  const std::string good_dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }";
  SECTION("missing file") {
    CHECK_THROWS_WITH(io::read_npy(temp_path("does_not_exist.npy")), Catch::Contains("cannot open"));
  }
  SECTION("bad magic") {
    const auto p = write_file("magic.npy", "PK\x03\x04 this is a zip");
    CHECK_THROWS_WITH(io::read_npy(p), Catch::Contains("not a .npy file"));
  }
  SECTION("empty file") {
    const auto p = write_file("empty.npy", "");
    CHECK_THROWS_WITH(io::read_npy(p), Catch::Contains("truncated"));
  }
  SECTION("unknown version") {
    auto bytes = npy_bytes(good_dict, payload<double>({1, 2, 3, 4}));
    bytes[6] = 9;
    CHECK_THROWS_WITH(io::read_npy(write_file("v9.npy", bytes)), Catch::Contains("version 9"));
  }
  SECTION("truncated header") {
    const auto bytes = npy_bytes(good_dict, "");
    CHECK_THROWS_WITH(io::read_npy(write_file("th.npy", bytes.substr(0, 30))), Catch::Contains("truncated"));
  }
  SECTION("truncated data") {
    const auto p = write_file("td.npy", npy_bytes(good_dict, payload<double>({1, 2, 3})));
    CHECK_THROWS_WITH(io::read_npy(p), Catch::Contains("truncated data") && Catch::Contains("td.npy"));
  }
  SECTION("big-endian") {
    const auto p = write_file("be.npy", npy_bytes("{'descr': '>f8', 'fortran_order': False, 'shape': (1,), }",
                                                  payload<double>({1})));
    CHECK_THROWS_WITH(io::read_npy(p), Catch::Contains("big-endian"));
  }
  SECTION("complex dtype") {
    const auto p = write_file("c16.npy", npy_bytes("{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }",
                                                   payload<double>({1, 2})));
    CHECK_THROWS_WITH(io::read_npy(p), Catch::Contains("unsupported dtype"));
  }
  SECTION("3-D array") {
    const auto p = write_file("3d.npy", npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1, 1), }",
                                                  payload<double>({1})));
    CHECK_THROWS_WITH(io::read_npy(p), Catch::Contains("3-D"));
  }
  SECTION("header without shape") {
    const auto p = write_file("noshape.npy", npy_bytes("{'descr': '<f8', 'fortran_order': False, }", ""));
    CHECK_THROWS_WITH(io::read_npy(p), Catch::Contains("no 'shape' field"));
  }
  SECTION("garbage shape") {
    const auto p = write_file("badshape.npy", npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2, x), }", ""));
    CHECK_THROWS_WITH(io::read_npy(p), Catch::Contains("malformed shape"));
  }
}

TEST_CASE("csv: numbers with an optional header", "[io][csv]") {
  const auto p = write_file("ok.csv", "a,b\n1, 2.5\n-3,4e-2\r\n\n");
  const auto m = io::read_csv(p);
  CHECK(m.rows() == 2);
  CHECK(m(0, 1) == 2.5);
  CHECK(m(1, 1) == 0.04);
  CHECK(io::read_matrix(p)(1, 0) == -3);
}

TEST_CASE("csv and dispatch: malformed input fails clearly", "[io][csv][bad-input]") {
  CHECK_THROWS_WITH(io::read_csv(write_file("ragged.csv", "1,2\n3\n")), Catch::Contains("line 2 has 1 columns"));
  CHECK_THROWS_WITH(io::read_csv(write_file("text.csv", "1,2\n3,abc\n")), Catch::Contains("'abc' is not a number"));
  CHECK_THROWS_WITH(io::read_csv(write_file("nodata.csv", "x,y\n")), Catch::Contains("no data rows"));
  CHECK_THROWS_WITH(io::read_matrix(write_file("what.txt", "1")), Catch::Contains("unknown file type"));
}
