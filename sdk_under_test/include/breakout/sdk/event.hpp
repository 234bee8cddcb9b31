// Listener lists for the SDK's events.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

namespace breakout::sdk {

using ListenerId = std::uint64_t;

/// A list of listeners. Emitting is safe while listeners add or remove listeners: a listener
/// removed during an emit is not called afterwards, one added during an emit is called from the
/// next emit on. Single-threaded, like everything in the SDK.
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
    auto snapshot = listeners_;
    for (const auto& [id, listener] : snapshot) {
      if (!contains(id)) continue;
      (*listener)(args...);
    }
  }

  bool empty() const { return listeners_.empty(); }

 private:
  bool contains(ListenerId id) const {
    return std::any_of(listeners_.begin(), listeners_.end(), [id](const auto& l) { return l.first == id; });
  }
  ListenerId next_id_ = 1;
  std::vector<std::pair<ListenerId, std::shared_ptr<Listener>>> listeners_;
};

}  // namespace breakout::sdk
