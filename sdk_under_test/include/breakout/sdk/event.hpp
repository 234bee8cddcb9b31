// Listener lists for the SDK's events.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

namespace breakout::sdk {

using ListenerId = std::uint64_t;

/// A list of listeners, with the semantics of Node.js's EventEmitter (BR-EVT-7): the listeners an
/// event reaches are those subscribed when its delivery starts, in the order they subscribed. A
/// listener removed during a delivery still gets the event being delivered (if its turn has not
/// come) and nothing after; one added during a delivery gets the next event on. Single-threaded,
/// like everything in the SDK.
template <class... Args>
class EventSource {
 public:
  using Listener = std::function<void(const Args&...)>;

  ListenerId add(Listener listener) {
    ListenerId id = next_id_++;
    listeners_.emplace_back(id, std::make_shared<Listener>(std::move(listener)));
    return id;
  }

  /// Returns false when no listener has this id.
  bool remove(ListenerId id) {
    auto it = std::find_if(listeners_.begin(), listeners_.end(), [id](const auto& l) { return l.first == id; });
    if (it == listeners_.end()) return false;
    listeners_.erase(it);
    return true;
  }

  void emit(const Args&... args) {
    // The set is fixed now: what listeners add or remove while it is delivered applies from the
    // next event on. The snapshot shares each listener, so one removed meanwhile stays callable.
    auto snapshot = listeners_;
    for (const auto& entry : snapshot) (*entry.second)(args...);
  }

  bool empty() const { return listeners_.empty(); }

 private:
  ListenerId next_id_ = 1;
  std::vector<std::pair<ListenerId, std::shared_ptr<Listener>>> listeners_;
};

}  // namespace breakout::sdk
