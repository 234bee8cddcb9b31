// The harness against hostile strings: reports well-formed whatever they hold, traces with
// impossible values (issue 14).
#include <breakout/harness/report.hpp>
#include <breakout/protocol/text.hpp>
#include <breakout/protocol/trace.hpp>

#include <catch2/catch.hpp>

#include <sstream>

using namespace breakout;
using namespace breakout::harness;

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
