// What the values in expectations may be: the fields of each event, of a participant's state and of
// an error, and the words each enumerated field takes. The loader checks `data:`, `expectState:`
// and `expectError:` against them, so that a typo is a diagnostic, not a failing SDK.
#pragma once

#include <string>
#include <vector>

namespace breakout::scenario {

/// The shape of one value. Objects list their fields; lists their items; enumerations their words.
struct ValueSpec {
  enum class Kind { any, string, boolean, integer, enumeration, object, list };
  struct Field;
  Kind kind = Kind::any;
  bool nullable = false;
  std::vector<std::string> words;  // enumeration
  std::vector<Field> fields;       // object
  std::vector<ValueSpec> item;     // list: one element, the items' spec
  /// What the value is, for messages ("a call state", "a room").
  std::string name;
};

struct ValueSpec::Field {
  std::string name;
  ValueSpec spec;
};

/// The data of each event type (docs/scenarios.md, "Events"); null for an unknown type.
const ValueSpec* event_data_spec(const std::string& type);
/// What `expectState:` may check.
const ValueSpec& state_spec();
/// What `expectError:` may check.
const ValueSpec& error_spec();

}  // namespace breakout::scenario
