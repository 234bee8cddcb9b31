// Counts connections and frames at both ends, so the runner knows when nothing is in flight.
#pragma once

#include <breakout/protocol/traffic.hpp>

#include <cstdint>
#include <map>
#include <string>

namespace breakout::harness {

/// Settled means: no connection attempt under way, every open connection has had every frame
/// read by its peer, and no connection is closed at one end only.
class TrafficLedger final : public protocol::TrafficMonitor {
 public:
  void connect_started() override { ++connecting_; }
  void connect_finished() override { --connecting_; }
  void opened(protocol::Side side, std::uint16_t port) override { at(side, port).open = true; }
  void frame_sent(protocol::Side side, std::uint16_t port) override { ++at(side, port).sent; ++frames_; }
  void frame_received(protocol::Side side, std::uint16_t port) override { ++at(side, port).received; }
  void closed(protocol::Side side, std::uint16_t port) override;

  bool settled() const;
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
  End& at(protocol::Side side, std::uint16_t port) {
    auto& c = conns_[port];
    return side == protocol::Side::client ? c.client : c.server;
  }
  int connecting_ = 0;
  std::uint64_t frames_ = 0;
  std::map<std::uint16_t, Conn> conns_;
};

}  // namespace breakout::harness
