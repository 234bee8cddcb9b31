// The harness against hostile files: includes that would leave the scenario tree or never end,
// fixtures read once, reports well-formed whatever the strings, traces with impossible values
// (issue 14).
#include <breakout/harness/report.hpp>
#include <breakout/harness/scenario.hpp>
#include <breakout/harness/scenario_tree.hpp>
#include <breakout/protocol/text.hpp>
#include <breakout/protocol/trace.hpp>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <sys/stat.h>
#include <unistd.h>

using namespace breakout;
using namespace breakout::harness;
namespace fs = std::filesystem;

namespace {

/// A scenario tree of its own under /tmp, removed afterwards.
struct Tree {
  fs::path root;
  Tree() {
    char pattern[] = "/tmp/breakout-tree-XXXXXX";
    root = ::mkdtemp(pattern);
    fs::create_directories(root / "scenarios" / "fixtures");
  }
  ~Tree() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  std::string write(const std::string& rel, const std::string& text) const {
    auto p = root / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }
  LoadResult load(const std::string& rel) const {
    return load_scenario_file((root / rel).string(), LoadOptions{(root / "scenarios").string()});
  }
};

std::string scenario_including(const std::string& include) {
  return "name: s\ninclude: [" + include + "]\nparticipants: [{id: alice}]\nsteps: [{advance: 1s}]\n";
}

std::string all_messages(const LoadResult& r) {
  std::string out;
  for (const auto& d : r.errors) out += d.message + "\n";
  return out;
}

}  // namespace

TEST_CASE("an include may not reach outside the scenario tree, even through a symbolic link", "[harness][hardening][include]") {
  Tree t;
  t.write("secret.yaml", "participants: [{id: mallory}]\n");
  fs::create_symlink(t.root / "secret.yaml", t.root / "scenarios" / "fixtures" / "link.yaml");
  t.write("scenarios/s.yaml", scenario_including("fixtures/link.yaml"));
  auto r = t.load("scenarios/s.yaml");
  REQUIRE_FALSE(r.ok());
  CHECK(all_messages(r).find("outside the scenario tree") != std::string::npos);
  CHECK(r.sources.size() == 1);  // nothing of the secret file is kept for showing
}

TEST_CASE("an include of a FIFO or an oversized file is refused without reading it", "[harness][hardening][include]") {
  Tree t;
  REQUIRE(::mkfifo((t.root / "scenarios" / "fixtures" / "fifo.yaml").c_str(), 0600) == 0);
  t.write("scenarios/fixtures/huge.yaml", std::string(LoadLimits::file_bytes + 1, '#'));
  t.write("scenarios/s.yaml", "name: s\ninclude: [fixtures/fifo.yaml, fixtures/huge.yaml]\nparticipants: [{id: alice}]\nsteps: []\n");
  auto r = t.load("scenarios/s.yaml");
  auto m = all_messages(r);
  CHECK(m.find("not a regular file") != std::string::npos);
  CHECK(m.find("at most 1048576") != std::string::npos);
}

TEST_CASE("a fixture included many times is read once, and includes have a budget", "[harness][hardening][include]") {
  Tree t;
  t.write("scenarios/fixtures/rooms.yaml", "ignore: [breakoutRooms]\n");
  std::string many = "name: s\ninclude: [";
  for (std::size_t i = 0; i < LoadLimits::includes + 10; ++i) many += std::string(i ? ", " : "") + "fixtures/rooms.yaml";
  many += "]\nparticipants: [{id: alice}]\nsteps: []\n";
  t.write("scenarios/s.yaml", many);
  auto r = t.load("scenarios/s.yaml");
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].message.find("more than 256 includes") != std::string::npos);
  // Fewer, through the cache: the file changes on disk between includes but is read once.
  t.write("scenarios/few.yaml", "name: few\ninclude: [fixtures/rooms.yaml, fixtures/rooms.yaml]\nparticipants: [{id: alice}]\nsteps: []\n");
  auto few = t.load("scenarios/few.yaml");
  REQUIRE(few.ok());
  CHECK(few.scenarios[0].ignore.size() == 2);
}

TEST_CASE("the scenario tree is found from the path, or given", "[harness][hardening][include]") {
  Tree t;
  t.write("scenarios/schema/scenario.schema.json", "{}");
  t.write("scenarios/moving/x.yaml", "");
  CHECK(fs::path(ScenarioTree::find_root((t.root / "scenarios" / "moving" / "x.yaml").string())) ==
        fs::canonical(t.root / "scenarios"));
  t.write("loose/y.yaml", "");
  CHECK(fs::path(ScenarioTree::find_root((t.root / "loose" / "y.yaml").string())) == fs::canonical(t.root / "loose"));
}

TEST_CASE("reports stay well-formed whatever the strings hold", "[harness][hardening][report]") {
  SuiteReport report;
  ScenarioResult r;
  r.file = "scenarios/\x1b[31mred.yaml";
  r.name = std::string("name \xFF with \x01 and \xEF\xBF\xBE and \xC2\x9B and \xF0\x9F\x98\x80 <&>\"'");
  r.outcome = Outcome::fail;
  r.message = std::string("message \xC3( \x1b]0;title\x07\n");
  r.rules = {"BR-\xFF"};
  Observation o;
  o.participant = "alice\x02";
  o.type = "join";
  o.data = {{"callId", std::string("\xFE")}};
  r.log.push_back(o);
  report.results.push_back(r);

  std::ostringstream junit, json, console;
  write_junit(junit, report);
  REQUIRE_NOTHROW(write_json(json, report));
  write_console(console, report);
  for (const std::string& out : {junit.str(), json.str()}) {
    CHECK_FALSE(text::invalid_utf8_at(out));
    for (unsigned char c : out) CHECK((c >= 0x20 || c == '\n' || c == '\t'));
  }
  CHECK(junit.str().find("\xEF\xBF\xBE") == std::string::npos);  // U+FFFE is not an XML character
  CHECK(nlohmann::json::parse(json.str())["scenarios"][0]["name"].get<std::string>().find("\xF0\x9F\x98\x80") != std::string::npos);
  std::string shown = text::terminal_safe(console.str());
  CHECK(shown.find('\x1b') == std::string::npos);
  CHECK(shown.find("\xC2\x9B") == std::string::npos);
}

TEST_CASE("a trace with impossible numbers or bytes is refused line by line", "[harness][hardening][trace]") {
  const std::string header = R"({"kind":"trace","version":1,"source":"harness","name":"n","setup":{"participants":[{"id":"alice"}]}})";
  auto problems = [&](const std::string& line) { return trace::parse_trace(header + "\n" + line + "\n", "t.jsonl").errors; };
  CHECK(problems(R"({"t":99999999999999999999,"kind":"end"})").size() == 1);
  CHECK(problems(R"({"t":18446744073709551615,"kind":"end"})").size() == 1);
  CHECK(problems(R"({"t":-1,"kind":"end"})").size() == 1);
  CHECK(problems(R"({"t":1e300,"kind":"end"})").size() == 1);
  CHECK(problems(R"({"t":1,"kind":"failure","step":0,"unexpected":{"t":-9223372036854775808,"participant":"alice","type":"join","data":{}}})")
            .size() == 1);
  auto bad_bytes = problems(std::string("{\"t\":1,\"kind\":\"end\",\"x\":\"\xFF\"}"));
  REQUIRE(bad_bytes.size() == 1);
  CHECK(bad_bytes[0].find("t.jsonl:2:") == 0);
  CHECK(bad_bytes[0].find("UTF-8") != std::string::npos);
  auto version = trace::parse_trace(R"({"kind":"trace","version":99999999999999999999999,"setup":{}})", "v.jsonl").errors;
  REQUIRE(version.size() == 1);
  CHECK(version[0].find("version") != std::string::npos);
}

TEST_CASE("a frame recorded raw is cut at a character boundary", "[harness][hardening][trace]") {
  std::string frame = std::string(4095, 'x') + "\xE2\x82\xAC" + "tail";  // '€' straddles byte 4096
  auto record = trace::frame_record(0, "alice", trace::Direction::up, frame, false);
  REQUIRE(record.contains("raw"));
  CHECK(record["raw"].get<std::string>() == std::string(4095, 'x'));
  CHECK_NOTHROW(trace::to_line(record));
}
