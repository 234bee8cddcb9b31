// The scenario tree against hostile files: includes that would leave it or never end, fixtures
// read once and budgeted, the tree found from a path (issue 14).
#include <breakout/scenario/scenario.hpp>
#include <breakout/scenario/tree.hpp>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <sys/stat.h>
#include <unistd.h>

using namespace breakout::scenario;
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
    LoadOptions options;
    options.root = (root / "scenarios").string();
    return load_scenario_file((root / rel).string(), options);
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

TEST_CASE("an include may not reach outside the scenario tree, even through a symbolic link", "[scenario][hardening][include]") {
  Tree t;
  t.write("secret.yaml", "participants: [{id: mallory}]\n");
  fs::create_symlink(t.root / "secret.yaml", t.root / "scenarios" / "fixtures" / "link.yaml");
  t.write("scenarios/s.yaml", scenario_including("fixtures/link.yaml"));
  auto r = t.load("scenarios/s.yaml");
  REQUIRE_FALSE(r.ok());
  CHECK(all_messages(r).find("outside the scenario tree") != std::string::npos);
  CHECK(r.sources.size() == 1);  // nothing of the secret file is kept for showing
}

TEST_CASE("an include of a FIFO or an oversized file is refused without reading it", "[scenario][hardening][include]") {
  Tree t;
  REQUIRE(::mkfifo((t.root / "scenarios" / "fixtures" / "fifo.yaml").c_str(), 0600) == 0);
  t.write("scenarios/fixtures/huge.yaml", std::string(LoadLimits::file_bytes + 1, '#'));
  t.write("scenarios/s.yaml", "name: s\ninclude: [fixtures/fifo.yaml, fixtures/huge.yaml]\nparticipants: [{id: alice}]\nsteps: []\n");
  auto r = t.load("scenarios/s.yaml");
  auto m = all_messages(r);
  CHECK(m.find("not a regular file") != std::string::npos);
  CHECK(m.find("at most 1048576") != std::string::npos);
}

TEST_CASE("a fixture included many times is read once, and includes have a budget", "[scenario][hardening][include]") {
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

TEST_CASE("the scenario tree is found from the path, or given", "[scenario][hardening][include]") {
  Tree t;
  t.write("scenarios/schema/scenario.schema.json", "{}");
  t.write("scenarios/moving/x.yaml", "");
  CHECK(fs::path(ScenarioTree::find_root((t.root / "scenarios" / "moving" / "x.yaml").string())) ==
        fs::canonical(t.root / "scenarios"));
  t.write("loose/y.yaml", "");
  CHECK(fs::path(ScenarioTree::find_root((t.root / "loose" / "y.yaml").string())) == fs::canonical(t.root / "loose"));
}

