// Numbers, text and files from untrusted places: total parsing, UTF-8 checks, escapes for
// terminals, XML and JSON, and file access that cannot be led astray (issue 14).
#include <breakout/protocol/clock.hpp>
#include <breakout/protocol/files.hpp>
#include <breakout/protocol/numbers.hpp>
#include <breakout/protocol/text.hpp>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <limits>

#include <sys/stat.h>
#include <unistd.h>

using namespace breakout;
namespace fs = std::filesystem;

TEST_CASE("integers parse only when whole, decimal and in range", "[protocol][numbers]") {
  CHECK(numbers::parse_integer("0", 0, 10) == 0);
  CHECK(numbers::parse_integer("-5", -10, 10) == -5);
  for (const char* bad : {"", "-", "+1", " 1", "1 ", "1e3", "0x10", "11", "-1", "1.0", "99999999999999999999999999"})
    CHECK_FALSE(numbers::parse_integer(bad, 0, 10));
  CHECK_FALSE(numbers::parse_integer("9223372036854775808", 0, INT64_MAX));
  CHECK(numbers::parse_integer("9223372036854775807", 0, INT64_MAX) == INT64_MAX);
}

TEST_CASE("a shard is accepted only as k/n with 1 <= k <= n", "[protocol][numbers]") {
  auto s = numbers::parse_shard("2/3");
  REQUIRE(s);
  CHECK(s->index == 2);
  CHECK(s->count == 3);
  for (const char* bad : {"0/2", "3/2", "1/0", "-1/2", "1x/2", "1/2x", "1/", "/2", "1", "1/99999999999999999999", "1 /2"})
    CHECK_FALSE(numbers::parse_shard(bad));
}

TEST_CASE("a listen address is address:port or [v6]:port, nothing looser", "[protocol][numbers]") {
  auto v4 = numbers::parse_host_port("127.0.0.1:8080");
  REQUIRE(v4);
  CHECK(v4->address == "127.0.0.1");
  CHECK(v4->port == 8080);
  auto v6 = numbers::parse_host_port("[::1]:0");
  REQUIRE(v6);
  CHECK(v6->address == "::1");
  for (const char* bad : {"127.0.0.1", "127.0.0.1:", "127.0.0.1:80x", "127.0.0.1:8e3", "127.0.0.1:65536", "127.0.0.1:-1",
                          "::1:80", "[::1]80", "[::1]", ":80", "127.0.0.1:999999999999999999999"})
    CHECK_FALSE(numbers::parse_host_port(bad));
  CHECK(numbers::format_host_port("::1", 80) == "[::1]:80");
  CHECK(numbers::format_host_port("127.0.0.1", 80) == "127.0.0.1:80");
}

TEST_CASE("durations of any length parse or are refused, never throw", "[protocol][numbers]") {
  CHECK(clock::parse_duration("1.5s") == clock::Duration(1500));
  CHECK(clock::parse_duration("1m30s") == clock::Duration(90000));
  CHECK(clock::parse_duration(".5s") == clock::Duration(500));
  for (std::string bad : {std::string(400, '9') + "s", std::string("1.") + std::string(400, '9') + "s", std::string("1e400s"),
                          std::string("99999999999999h"), std::string("1..5s"), std::string("."), std::string("s")})
    CHECK_FALSE(clock::parse_duration(bad));
}

TEST_CASE("any duration can be written back, the extremes included", "[protocol][numbers]") {
  CHECK(clock::format_duration(clock::Duration(std::numeric_limits<std::int64_t>::min())).starts_with("-2562047788015h"));
  CHECK(clock::format_duration(clock::Duration(-1500)) == "-1s500ms");
}

TEST_CASE("invalid UTF-8 is found where it starts", "[protocol][text]") {
  CHECK_FALSE(text::invalid_utf8_at("caf\xC3\xA9 \xF0\x9F\x98\x80"));
  CHECK(text::invalid_utf8_at("ab\xFF") == 2u);
  CHECK(text::invalid_utf8_at("a\xC3(") == 1u);             // truncated sequence
  CHECK(text::invalid_utf8_at("\xC0\xAF") == 0u);           // overlong '/'
  CHECK(text::invalid_utf8_at("\xED\xA0\x80") == 0u);       // a surrogate
  CHECK(text::invalid_utf8_at("\xF4\x90\x80\x80") == 0u);   // past U+10FFFF
  auto at = text::position_of("ab\ncd\xFF", 5);
  CHECK(at.line == 2);
  CHECK(at.column == 3);
}

TEST_CASE("a prefix never cuts a UTF-8 sequence in two", "[protocol][text]") {
  std::string s = "ab\xE2\x82\xAC";  // "ab€"
  CHECK(text::utf8_prefix(s, 3) == "ab");
  CHECK(text::utf8_prefix(s, 4) == "ab");
  CHECK(text::utf8_prefix(s, 5) == s);
}

TEST_CASE("a terminal sees control characters as escapes", "[protocol][text]") {
  CHECK(text::terminal_safe("a\x1b[31mred\x07\n\tb") == "a\\x1b[31mred\\x07\n\tb");
  CHECK(text::terminal_safe("\xC2\x9B" "2J") == "\\u009b2J");  // C1 CSI
  CHECK(text::terminal_safe("\x7f") == "\\x7f");
  CHECK(text::terminal_safe("\xFF") == "\xEF\xBF\xBD");
  CHECK(text::terminal_safe("caf\xC3\xA9") == "caf\xC3\xA9");
}

TEST_CASE("XML text holds only what XML 1.0 allows", "[protocol][text]") {
  CHECK(text::xml_safe("<a & \"b\">", true) == "&lt;a &amp; &quot;b&quot;&gt;");
  CHECK(text::xml_safe("x\x01y", false) == "x\\x01y");
  CHECK(text::xml_safe("\xEF\xBF\xBE\xEF\xBF\xBF", false) == "\\ufffe\\uffff");
  CHECK(text::xml_safe("line\nnext", true) == "line&#10;next");
  CHECK(text::xml_safe("line\nnext", false) == "line\nnext");
  CHECK(text::xml_safe("\xFF", false) == "\xEF\xBF\xBD");
  CHECK(text::xml_safe("\xF0\x9F\x98\x80", false) == "\xF0\x9F\x98\x80");
}

TEST_CASE("JSON with invalid UTF-8 is written with replacements, not an exception", "[protocol][text]") {
  nlohmann::json j = {{"name", std::string("bad \xFF")}};
  CHECK(text::dump_json(j) == "{\"name\":\"bad \xEF\xBF\xBD\"}");
}

namespace {

/// A fresh folder under the system's temporary folder, removed afterwards.
struct TempDir {
  fs::path path;
  TempDir() {
    char pattern[] = "/tmp/breakout-files-XXXXXX";
    path = ::mkdtemp(pattern);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

}  // namespace

TEST_CASE("only regular files of a bounded size are read", "[protocol][files]") {
  TempDir dir;
  std::ofstream(dir.path / "small.yaml") << "name: x\n";
  CHECK(files::read_regular_file((dir.path / "small.yaml").string(), 100).value() == "name: x\n");
  std::ofstream(dir.path / "big.yaml") << std::string(2000, 'x');
  auto big = files::read_regular_file((dir.path / "big.yaml").string(), 1000);
  REQUIRE_FALSE(big);
  CHECK(big.error().find("2000 bytes") != std::string::npos);
  REQUIRE(::mkfifo((dir.path / "fifo.yaml").c_str(), 0600) == 0);
  auto fifo = files::read_regular_file((dir.path / "fifo.yaml").string(), 1000);  // must not block
  REQUIRE_FALSE(fifo);
  CHECK(fifo.error().find("not a regular file") != std::string::npos);
  CHECK_FALSE(files::read_regular_file("/dev/zero", 1000));
  CHECK_FALSE(files::read_regular_file(dir.path.string(), 1000));
}

TEST_CASE("a file is written whole, and not through a symbolic link when that is promised", "[protocol][files]") {
  TempDir dir;
  auto report = (dir.path / "reports" / "r.json").string();
  REQUIRE(files::write_file_atomic(report, "{}\n"));
  CHECK(files::read_regular_file(report, 100).value() == "{}\n");
  // No temporary file is left behind.
  CHECK(std::distance(fs::directory_iterator(dir.path / "reports"), fs::directory_iterator()) == 1);

  auto unwritable = files::write_file_atomic((dir.path / "reports" / "r.json" / "x").string(), "x");
  REQUIRE_FALSE(unwritable);
  CHECK(unwritable.error().find("cannot write") != std::string::npos);

  fs::create_directory(dir.path / "elsewhere");
  fs::create_directory_symlink(dir.path / "elsewhere", dir.path / "traces");
  auto cwd = fs::current_path();
  fs::current_path(dir.path);
  auto through_dir = files::write_file_atomic("traces/t.jsonl", "x", {.refuse_symlinks = true});
  fs::create_symlink(dir.path / "elsewhere" / "target", dir.path / "link.jsonl");
  auto through_file = files::write_file_atomic("link.jsonl", "x", {.refuse_symlinks = true});
  fs::current_path(cwd);
  REQUIRE_FALSE(through_dir);
  CHECK(through_dir.error().find("symbolic link") != std::string::npos);
  REQUIRE_FALSE(through_file);
  CHECK(fs::is_empty(dir.path / "elsewhere"));
}

TEST_CASE("a recording is never opened through a symbolic link, and a failed write is remembered", "[protocol][files]") {
  TempDir dir;
  fs::create_symlink(dir.path / "target", dir.path / "link.jsonl");
  files::StreamFile through;
  auto opened = through.open((dir.path / "link.jsonl").string());
  REQUIRE_FALSE(opened);
  CHECK(opened.error().find("symbolic link") != std::string::npos);
  CHECK_FALSE(fs::exists(dir.path / "target"));

  files::StreamFile full;
  REQUIRE(full.open("/dev/full"));
  CHECK_FALSE(full.write("x\n"));
  CHECK(full.error().find("No space left") != std::string::npos);
  CHECK_FALSE(full.ok());
}
