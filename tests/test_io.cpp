#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <sstream>
#include <string>
#include <utility>

#include "infoplane/io/idx.hpp"
#include "infoplane/io/read_matrix.hpp"
#include "support/io_files.hpp"

using namespace infoplane;
using test::pipe_buf, test::temp_path, test::write_file;

namespace {

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

TEST_CASE("npy: a range of rows reads the same values as the whole file", "[io][npy]") {
  // 2000 x 3 (several of read_npy_block's megabyte chunks for the wide one below).
  Eigen::MatrixXd m(2000, 3);
  for (Eigen::Index i = 0; i < m.rows(); ++i) m.row(i) << double(i), -0.5 * double(i), 1.0 / double(i + 1);
  const auto c_order = temp_path("rows_c.npy");
  io::write_npy(c_order, m);
  std::string fortran;
  for (Eigen::Index j = 0; j < m.cols(); ++j)
    for (Eigen::Index i = 0; i < m.rows(); ++i) fortran += payload<float>({static_cast<float>(m(i, j))});
  const auto f_order = write_file("rows_f.npy", npy_bytes("{'descr': '<f4', 'fortran_order': True, 'shape': (2000, 3), }", fortran));
  Eigen::MatrixXd wide(3, 200000);  // one row is more than a chunk
  for (Eigen::Index j = 0; j < wide.cols(); ++j) wide.col(j) << double(j), double(-j), 0.25;
  const auto wide_path = temp_path("rows_wide.npy");
  io::write_npy(wide_path, wide);
  for (const auto& path : {c_order, f_order, wide_path}) {
    const Eigen::MatrixXd all = io::read_npy(path);
    const auto h = io::read_npy_header(path);
    CHECK(h.rows == static_cast<std::uint64_t>(all.rows()));
    CHECK(h.cols == static_cast<std::uint64_t>(all.cols()));
    for (const auto& [b, e] : {std::pair<std::uint64_t, std::uint64_t>{0, h.rows}, {1, 2}, {0, 1}, {h.rows - 1, h.rows},
                               {h.rows / 3, h.rows - 1}, {2, 2}}) {
      const Eigen::MatrixXd part = io::read_npy_rows(path, b, e);
      REQUIRE(part.rows() == static_cast<Eigen::Index>(e - b));
      CHECK(part == all.middleRows(static_cast<Eigen::Index>(b), static_cast<Eigen::Index>(e - b)));
    }
  }
  CHECK_THROWS_WITH(io::read_npy_rows(c_order, 5, 2001), Catch::Contains("rows_c.npy") && Catch::Contains("outside shape (2000, 3)"));
  CHECK_THROWS_WITH(io::read_npy_rows(c_order, 3, 2), Catch::Contains("outside shape"));
  const auto short_file = write_file("rows_short.npy", npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }",
                                                                payload<double>({1, 2, 3})));
  CHECK_THROWS_WITH(io::read_npy_rows(short_file, 1, 2), Catch::Contains("truncated data"));
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

TEST_CASE("io: a directory is refused as such by every reader", "[io][bad-input]") {
  const auto dir = temp_path("a_directory.csv");
  std::filesystem::create_directories(dir);
  CHECK_THROWS_WITH(io::read_csv(dir), Catch::Contains("a_directory.csv: is a directory"));
  CHECK_THROWS_WITH(io::read_npy(dir), Catch::Contains("is a directory"));
  CHECK_THROWS_WITH(io::read_idx(dir), Catch::Contains("is a directory"));
}

TEST_CASE("csv: a header is recognised only when no field of the first line is a number", "[io][csv][bad-input]") {
  SECTION("a first data row with a typo is an error, not a header") {
    CHECK_THROWS_WITH(io::read_csv(write_file("typo1.csv", "1.0,abc\n2,3\n")),
                      Catch::Contains("typo1.csv") && Catch::Contains("line 1, column 2") &&
                          Catch::Contains("'abc' is not a number"));
  }
  SECTION("two non-numeric lines: only the first is a header") {
    CHECK_THROWS_WITH(io::read_csv(write_file("twohead.csv", "a,b\nc,d\n1,2\n")),
                      Catch::Contains("twohead.csv") && Catch::Contains("line 2, column 1") &&
                          Catch::Contains("'c' is not a number"));
  }
  SECTION("a header after blank lines is still the first line") {
    const auto m = io::read_csv(write_file("blankfirst.csv", "\n  \nx,y\n5,6\n"));
    REQUIRE(m.rows() == 1);
    CHECK(m(0, 1) == 6);
  }
  SECTION("an empty field in the first row of numbers") {
    CHECK_THROWS_WITH(io::read_csv(write_file("empty1.csv", "1,,3\n")),
                      Catch::Contains("line 1, column 2") && Catch::Contains("empty field"));
  }
  SECTION("an empty field later, with a trailing comma") {
    CHECK_THROWS_WITH(io::read_csv(write_file("trailing.csv", "1,2\n3,\n")),
                      Catch::Contains("line 2, column 2") && Catch::Contains("empty field"));
  }
  SECTION("a header whose first name is empty, as pandas writes an index column") {
    const auto m = io::read_csv(write_file("pandas.csv", ",a\n0,1.5\n1,2.5\n"));
    REQUIRE(m.rows() == 2);
    CHECK(m(1, 1) == 2.5);
  }
  SECTION("a byte-order mark before numbers") {
    const auto m = io::read_csv(write_file("bom.csv", "\xEF\xBB\xBF" "7,8\n"));
    REQUIRE(m.rows() == 1);
    CHECK(m(0, 0) == 7);
  }
  SECTION("a number outside the range of a double") {
    CHECK_THROWS_WITH(io::read_csv(write_file("huge.csv", "1,2\n3,1e999\n")),
                      Catch::Contains("line 2, column 2") && Catch::Contains("out of the range"));
  }
  SECTION("a header wider than the data") {
    CHECK_THROWS_WITH(io::read_csv(write_file("wide.csv", "a,b,c\n1,2\n")),
                      Catch::Contains("line 2 has 2 columns, expected 3"));
  }
}

TEST_CASE("csv: a leading plus sign is a number", "[io][csv]") {
  const auto m = io::read_csv(write_file("plus.csv", "+1,-2\n+3.5e1, +0.25\n"));
  REQUIRE(m.rows() == 2);  // the first row is data, not a header
  CHECK(m(0, 0) == 1);
  CHECK(m(0, 1) == -2);
  CHECK(m(1, 0) == 35);
  CHECK(m(1, 1) == 0.25);
  CHECK_THROWS_WITH(io::read_csv(write_file("plusminus.csv", "1\n+-1\n")), Catch::Contains("'+-1' is not a number"));
  CHECK_THROWS_WITH(io::read_csv(write_file("plusonly.csv", "1\n+\n")), Catch::Contains("'+' is not a number"));
}

TEST_CASE("csv: reads from a stream, naming it in errors", "[io][csv]") {
  std::istringstream ok("h\n1\n2\n");
  CHECK(io::read_csv(ok, "<memory>").rows() == 2);
  std::istringstream bad("1\nx\n");
  CHECK_THROWS_WITH(io::read_csv(bad, "<memory>"), Catch::StartsWith("<memory>: line 2, column 1"));
}

TEST_CASE("npy: sizes claimed by the header are checked against the input", "[io][npy][bad-input]") {
  const auto f8 = [](const std::string& shape) {
    return "{'descr': '<f8', 'fortran_order': False, 'shape': " + shape + ", }";
  };
  SECTION("float16 is refused with what to do") {
    const auto p = write_file("f2.npy", npy_bytes("{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }",
                                                  std::string(4, '\0')));
    CHECK_THROWS_WITH(io::read_npy(p), Catch::Contains("f2.npy") && Catch::Contains("float16") &&
                                           Catch::Contains(".astype(np.float32)"));
  }
  SECTION("big-endian is refused with what to do") {
    const auto p = write_file("be4.npy", npy_bytes("{'descr': '>i4', 'fortran_order': False, 'shape': (1,), }",
                                                   std::string(4, '\0')));
    CHECK_THROWS_WITH(io::read_npy(p), Catch::Contains("be4.npy") && Catch::Contains("big-endian") &&
                                           Catch::Contains("newbyteorder"));
  }
  SECTION("more data claimed than the file holds") {
    const auto p = write_file("short.npy", npy_bytes(f8("(1000, 1000)"), payload<double>({1, 2})));
    CHECK_THROWS_WITH(io::read_npy(p), Catch::Contains("short.npy") && Catch::Contains("truncated data") &&
                                           Catch::Contains("needs 8000000 bytes, the file holds 16"));
  }
  SECTION("a huge shape in a tiny file fails before any allocation") {
    // 8e13 bytes: allocating first would throw std::bad_alloc (or abort under ASan), not file_error.
    const auto p = write_file("hugeshape.npy", npy_bytes(f8("(100000000000, 100)"), payload<double>({1})));
    CHECK_THROWS_AS(io::read_npy(p), file_error);
    CHECK_THROWS_WITH(io::read_npy(p), Catch::Contains("hugeshape.npy") && Catch::Contains("truncated data"));
  }
  SECTION("a huge shape through a stream that cannot seek") {
    pipe_buf buf(npy_bytes(f8("(100000000000, 100)"), payload<double>({1})));
    std::istream in(&buf);
    CHECK_THROWS_WITH(io::read_npy(in, "<pipe>"), Catch::StartsWith("<pipe>: truncated data"));
  }
  SECTION("a shape whose product overflows 64 bits") {
    const auto p = write_file("overflow.npy", npy_bytes(f8("(4294967296, 4294967296)"), payload<double>({1})));
    CHECK_THROWS_WITH(io::read_npy(p), Catch::Contains("overflow.npy") && Catch::Contains("too large"));
    const auto q = write_file("overflow2.npy", npy_bytes(f8("(18446744073709551615, 2)"), ""));
    CHECK_THROWS_WITH(io::read_npy(q), Catch::Contains("too large"));
  }
  SECTION("a dimension that does not fit in 64 bits") {
    const auto p = write_file("bigdim.npy", npy_bytes(f8("(99999999999999999999999,)"), ""));
    CHECK_THROWS_WITH(io::read_npy(p), Catch::Contains("bigdim.npy") && Catch::Contains("does not fit in 64 bits"));
  }
  SECTION("a dimension beyond an Eigen index, with nothing to read") {
    const auto p = write_file("zerocols.npy", npy_bytes(f8("(18446744073709551615, 0)"), ""));
    CHECK_THROWS_WITH(io::read_npy(p), Catch::Contains("too large"));
  }
  SECTION("an absurd dtype width") {
    const auto p = write_file("width.npy", npy_bytes("{'descr': '<f99999999999999999999', 'fortran_order': False, "
                                                     "'shape': (1,), }", payload<double>({1})));
    CHECK_THROWS_WITH(io::read_npy(p), Catch::Contains("unsupported dtype"));
  }
  SECTION("bytes after the data are not dropped quietly") {
    const auto p = write_file("extra.npy", npy_bytes(f8("(1,)"), payload<double>({1, 2})));
    CHECK_THROWS_WITH(io::read_npy(p), Catch::Contains("extra.npy") && Catch::Contains("8 bytes after the data"));
    pipe_buf buf(npy_bytes(f8("(1,)"), payload<double>({1, 2})));
    std::istream in(&buf);
    CHECK_THROWS_WITH(io::read_npy(in, "<pipe>"), Catch::Contains("bytes after the data"));
  }
  SECTION("no elements but a huge dimension: returns at once (fuzzing found a hang)") {
    // tests/fuzz/corpus/npy/regress_timeout_zero_columns: 10^14 empty rows were looped over.
    const auto m = io::read_npy(write_file("zerocols2.npy", npy_bytes(f8("(99999999999998, 0)"), "")));
    CHECK(m.rows() == 99999999999998);
    CHECK(m.cols() == 0);
    const auto t = io::read_npy(write_file("zerorows2.npy", npy_bytes(f8("(0, 99999999999998)"), "")));
    CHECK(t.rows() == 0);
    CHECK(t.cols() == 99999999999998);
  }
  SECTION("an empty 2-D array is read as such") {
    const auto m = io::read_npy(write_file("empty2d.npy", npy_bytes(f8("(0, 3)"), "")));
    CHECK(m.rows() == 0);
    CHECK(m.cols() == 3);
  }
  SECTION("a stream that cannot seek reads like a file") {
    pipe_buf buf(npy_bytes(f8("(2,)"), payload<double>({0.5, -4})));
    std::istream in(&buf);
    const auto m = io::read_npy(in, "<pipe>");
    REQUIRE(m.rows() == 2);
    CHECK(m(1, 0) == -4);
  }
}
