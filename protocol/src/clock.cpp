// The virtual clock, the steady clock, and duration parsing.
#include <breakout/protocol/clock.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cmath>
#include <cstdio>
#include <ctime>

namespace breakout::clock {

std::string Clock::utc_string(TimePoint t) const {
  std::int64_t ms = epoch_unix_ms() + t.count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

VirtualClock::VirtualClock(std::int64_t epoch_unix_ms) : epoch_(epoch_unix_ms) {}

TimerId VirtualClock::schedule(Duration delay, std::function<void()> fn) {
  TimerId id = next_id_++;
  TimePoint deadline = now_ + std::max(delay, Duration::zero());
  timers_.emplace(Key{deadline, id}, std::move(fn));
  deadlines_.emplace(id, deadline);
  return id;
}

void VirtualClock::cancel(TimerId id) {
  auto it = deadlines_.find(id);
  if (it == deadlines_.end()) return;
  timers_.erase(Key{it->second, id});
  deadlines_.erase(it);
}

std::optional<TimePoint> VirtualClock::next_deadline() const {
  if (timers_.empty()) return std::nullopt;
  return timers_.begin()->first.deadline;
}

bool VirtualClock::fire_next(TimePoint limit) {
  if (timers_.empty() || timers_.begin()->first.deadline > limit) {
    if (limit > now_) now_ = limit;
    return false;
  }
  auto node = timers_.extract(timers_.begin());
  deadlines_.erase(node.key().id);
  if (node.key().deadline > now_) now_ = node.key().deadline;
  node.mapped()();
  return true;
}

void VirtualClock::set_now(TimePoint t) {
  if (auto next = next_deadline(); next && t > *next) t = *next;
  if (t > now_) now_ = t;
}

namespace {

class SteadyClock final : public Clock {
 public:
  explicit SteadyClock(boost::asio::io_context& io)
      : io_(io), start_(std::chrono::steady_clock::now()),
        epoch_(std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch()).count()) {}

  TimePoint now() const override {
    return std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now() - start_);
  }
  std::int64_t epoch_unix_ms() const override { return epoch_; }

  TimerId schedule(Duration delay, std::function<void()> fn) override {
    TimerId id = next_id_++;
    auto timer = std::make_shared<boost::asio::steady_timer>(io_, delay);
    timers_[id] = timer;
    timer->async_wait([this, id, fn = std::move(fn)](const boost::system::error_code& ec) {
      if (ec) return;  // cancelled
      timers_.erase(id);
      fn();
    });
    return id;
  }

  void cancel(TimerId id) override {
    auto it = timers_.find(id);
    if (it == timers_.end()) return;
    it->second->cancel();
    timers_.erase(it);
  }

 private:
  boost::asio::io_context& io_;
  std::chrono::steady_clock::time_point start_;
  std::int64_t epoch_;
  TimerId next_id_ = 1;
  std::map<TimerId, std::shared_ptr<boost::asio::steady_timer>> timers_;
};

}  // namespace

std::unique_ptr<Clock> make_steady_clock(boost::asio::io_context& io) { return std::make_unique<SteadyClock>(io); }

std::optional<Duration> parse_duration(const std::string& text) {
  // Total: digits are counted before they are read, so no spelling of a number can overflow.
  constexpr std::size_t kMaxWholeDigits = 13, kMaxFractionDigits = 9;
  if (text.empty() || text.size() > 64) return std::nullopt;
  auto digits = [&](std::size_t& i) {
    std::size_t start = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    return text.substr(start, i - start);
  };
  std::size_t i = 0;
  double total_ms = 0;
  bool any = false;
  while (i < text.size()) {
    std::string whole = digits(i);
    std::string fraction;
    bool dot = i < text.size() && text[i] == '.';
    if (dot) fraction = digits(++i);
    if ((whole.empty() && fraction.empty()) || whole.size() > kMaxWholeDigits || fraction.size() > kMaxFractionDigits)
      return std::nullopt;
    double value = 0;
    for (char c : whole) value = value * 10 + (c - '0');
    double place = 0.1;
    for (char c : fraction) {
      value += (c - '0') * place;
      place /= 10;
    }
    std::size_t unit_start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    std::string unit = text.substr(unit_start, i - unit_start);
    double scale;
    if (unit == "ms" || (unit.empty() && !any && i == text.size())) scale = 1;
    else if (unit == "s") scale = 1000;
    else if (unit == "m" || unit == "min") scale = 60000;
    else if (unit == "h") scale = 3600000;
    else return std::nullopt;
    total_ms += value * scale;
    any = true;
  }
  if (total_ms > 1e12) return std::nullopt;
  return Duration(static_cast<std::int64_t>(std::llround(total_ms)));
}

std::string format_duration(Duration d) {
  if (d.count() == 0) return "0ms";
  std::string out;
  if (d.count() < 0) out = "-";
  // In unsigned arithmetic, so that even the most negative duration has a magnitude.
  std::uint64_t ms = d.count() < 0 ? 0 - static_cast<std::uint64_t>(d.count()) : static_cast<std::uint64_t>(d.count());
  auto part = [&](std::uint64_t unit, const char* suffix) {
    if (ms >= unit) { out += std::to_string(ms / unit) + suffix; ms %= unit; }
  };
  part(3600000, "h");
  part(60000, "m");
  part(1000, "s");
  if (ms) out += std::to_string(ms) + "ms";
  return out;
}

}  // namespace breakout::clock
