// Settle detection from connection and frame counts.
#include "traffic_ledger.hpp"

namespace breakout::harness {

void TrafficLedger::closed(protocol::Side side, std::uint16_t port) {
  Conn& c = change(port, [&](Conn& conn) { end(conn, side).closed = true; });
  // Both ends done (or one end never opened): the connection is history. A port can be reused
  // by a later connection, which then starts a fresh entry.
  bool client_done = c.client.closed || !c.client.open;
  bool server_done = c.server.closed || !c.server.open;
  if (client_done && server_done) {
    if (unsettled(c)) --unsettled_;
    conns_.erase(port);
  }
}

std::string TrafficLedger::describe() const {
  std::string out = std::to_string(connecting_) + " connection attempt(s) under way";
  for (const auto& [port, c] : conns_) {
    if (c.client.sent != c.server.received || c.server.sent != c.client.received || c.client.closed != c.server.closed ||
        !c.client.open || !c.server.open) {
      out += "; connection :" + std::to_string(port) + " client sent " + std::to_string(c.client.sent) + "/server read " +
             std::to_string(c.server.received) + ", server sent " + std::to_string(c.server.sent) + "/client read " +
             std::to_string(c.client.received) + (c.client.closed ? ", client closed" : "") +
             (c.server.closed ? ", server closed" : "");
    }
  }
  return out;
}

}  // namespace breakout::harness
