// What the model's events look like: shared by the simulation's two halves (model.cpp, player.cpp).
#pragma once

#include <breakout/model/model.hpp>

#include <string>
#include <vector>

namespace breakout::model::detail {

inline const std::vector<std::string> kListenerEvents = {"assignedBreakoutRooms", "breakoutRooms", "breakoutRoomsSettings", "join"};

inline Json call_change(const char* call, const char* from, const char* to) {
  return {{"call", call}, {"oldState", from}, {"state", to}};
}

inline Json result_ok(const char* action) { return {{"action", action}, {"ok", true}}; }

inline Json result_error(const char* action, int code, int sub_code, const char* category) {
  return {{"action", action}, {"ok", false}, {"code", code}, {"subCode", sub_code}, {"category", category}};
}

}  // namespace breakout::model::detail
