// The agent's link to the service: requests with correlation ids, admission, and reconnects.
#pragma once

#include <breakout/protocol/clock.hpp>
#include <breakout/protocol/messages.hpp>
#include <breakout/sdk/calling.hpp>
#include <breakout/sdk/transport.hpp>

#include <map>
#include <memory>

namespace breakout::sdk {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  using Reply = std::function<void(Expected<protocol::Json, protocol::ErrorBody>)>;

  struct Handlers {
    /// The service admitted the client (first connect or reconnect).
    std::function<void(const protocol::Welcome&)> on_admitted;
    /// A notification (anything but welcome and responses).
    std::function<void(const protocol::ServerMessage&)> on_message;
    /// The connection is gone for good.
    std::function<void(ConnectionStateReason)> on_lost;
  };

  Connection(boost::asio::io_context& io, clock::Clock& clock, TransportFactory factory, std::string token,
             ReconnectPolicy policy, clock::Duration request_timeout);
  ~Connection();

  void start(Handlers handlers);
  /// Sends a request; the reply comes later, never from inside this call. Without an answer within
  /// the request timeout, the reply is 408.
  void request(protocol::RequestParams params, Reply reply);
  /// Closes for good without reporting a loss.
  void close();
  bool admitted() const { return admitted_; }
  boost::asio::io_context& io() const { return io_; }

 private:
  void connect_attempt();
  void on_text(const std::string& text);
  void on_closed(const TransportClosed& info);
  void fail_pending(const protocol::ErrorBody& error);
  void defer(std::function<void()> fn);

  boost::asio::io_context& io_;
  clock::Clock& clock_;
  TransportFactory factory_;
  std::string token_;
  ReconnectPolicy policy_;
  Handlers handlers_;
  std::unique_ptr<Transport> transport_;
  bool admitted_ = false;
  bool finished_ = false;
  int failed_attempts_ = 0;
  std::uint64_t next_request_id_ = 1;
  struct Pending {
    Reply reply;
    clock::TimerId timeout;
  };
  /// Takes the request's reply out of the pending ones, its timeout cancelled; null if none.
  Reply take_pending(std::uint64_t id);
  clock::Duration request_timeout_;
  std::map<std::uint64_t, Pending> pending_;
  std::optional<clock::TimerId> retry_timer_;
};

}  // namespace breakout::sdk
