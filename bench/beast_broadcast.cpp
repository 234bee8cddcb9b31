// The practical limit for fan-out: a bare Boost.Beast WebSocket server with no application logic.
// Every text frame any client sends is sent to every client (the sender too). No authentication,
// no parsing; one write queue per client. Usage: beast_broadcast PORT (0 picks one; it is printed).
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <deque>
#include <iostream>
#include <memory>
#include <set>
#include <string>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

class Session;
std::set<Session*> sessions;

class Session : public std::enable_shared_from_this<Session> {
 public:
  explicit Session(tcp::socket s) : ws_(std::move(s)) {}
  void run() {
    ws_.next_layer().set_option(tcp::no_delay(true));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      sessions.insert(self.get());
      self->read();
    });
  }
  void send(const std::shared_ptr<const std::string>& text) {
    queue_.push_back(text);
    if (queue_.size() == 1) write();
  }

 private:
  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        sessions.erase(self.get());
        return;
      }
      auto text = std::make_shared<const std::string>(beast::buffers_to_string(self->buffer_.data()));
      self->buffer_.consume(self->buffer_.size());
      for (auto* s : sessions) s->send(text);
      self->read();
    });
  }
  void write() {
    ws_.text(true);
    ws_.async_write(net::buffer(*queue_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->queue_.pop_front();
      if (!self->queue_.empty()) self->write();
    });
  }
  websocket::stream<tcp::socket> ws_;
  beast::flat_buffer buffer_;
  std::deque<std::shared_ptr<const std::string>> queue_;
};

void accept(tcp::acceptor& acceptor) {
  acceptor.async_accept([&acceptor](beast::error_code ec, tcp::socket socket) {
    if (!ec) std::make_shared<Session>(std::move(socket))->run();
    accept(acceptor);
  });
}

int main(int argc, char** argv) {
  net::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), argc > 1 ? static_cast<unsigned short>(std::stoi(argv[1])) : 0));
  std::cout << "port " << acceptor.local_endpoint().port() << std::endl;
  accept(acceptor);
  net::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](beast::error_code, int) { io.stop(); });
  io.run();
}
