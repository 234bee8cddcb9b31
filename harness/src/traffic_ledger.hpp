// Counts connections and frames at both ends, so the runner knows when nothing is in flight.
#pragma once

#include <breakout/protocol/traffic.hpp>

#include <cstdint>
#include <unordered_map>
#include <string>

namespace breakout::harness {

/// Settled means: no connection attempt under way, every open connection has had every frame
/// read by its peer, and no connection is closed at one end only.
class TrafficLedger final : public protocol::TrafficMonitor {
 public:
  void connect_started() override { ++connecting_; }
  void connect_finished() override { --connecting_; }
  void opened(protocol::Side side, std::uint16_t port) override {
    change(port, [&](Conn& c) { end(c, side).open = true; });
  }
  void frame_sent(protocol::Side side, std::uint16_t port) override {
    change(port, [&](Conn& c) { ++end(c, side).sent; });
    ++frames_;
  }
  void frame_received(protocol::Side side, std::uint16_t port) override {
    change(port, [&](Conn& c) { ++end(c, side).received; });
  }
  void closed(protocol::Side side, std::uint16_t port) override;

  /// Constant time: the runner asks after every handler, and a meeting may have thousands of connections.
  bool settled() const { return connecting_ == 0 && unsettled_ == 0; }
  /// What is still in flight, for a TIMEOUT message.
  std::string describe() const;
  std::uint64_t frames() const { return frames_; }

 private:
  struct End {
    bool open = false;
    bool closed = false;
    std::uint64_t sent = 0;
    std::uint64_t received = 0;
  };
  struct Conn {
    End client;
    End server;
  };
  static End& end(Conn& c, protocol::Side side) { return side == protocol::Side::client ? c.client : c.server; }
  static bool unsettled(const Conn& c) {
    return c.client.closed != c.server.closed || !c.client.open || !c.server.open || c.client.sent != c.server.received ||
           c.server.sent != c.client.received;
  }
  /// Applies a change to a connection, keeping the count of unsettled ones.
  template <class F>
  Conn& change(std::uint16_t port, F&& apply) {
    auto [it, fresh] = conns_.try_emplace(port);
    bool was = !fresh && unsettled(it->second);
    apply(it->second);
    bool is = unsettled(it->second);
    unsettled_ += static_cast<long>(is) - static_cast<long>(was);
    return it->second;
  }
  int connecting_ = 0;
  long unsettled_ = 0;
  std::uint64_t frames_ = 0;
  std::unordered_map<std::uint16_t, Conn> conns_;
};

}  // namespace breakout::harness
