// The injected clock: every wait in the SDK and the mock server goes through it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace boost::asio {
class io_context;
}

namespace breakout::clock {

using Duration = std::chrono::milliseconds;
/// Time since the clock started; virtual under the harness, real when standalone.
using TimePoint = std::chrono::milliseconds;
using TimerId = std::uint64_t;

/// A source of time and timers. Callbacks run on the io_context the clock belongs to.
/// Not thread-safe: use it from that io_context's thread only.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
  /// Calls `fn` once, `delay` from now. The id can be passed to cancel().
  virtual TimerId schedule(Duration delay, std::function<void()> fn) = 0;
  /// Cancels a timer that has not fired yet; cancelling a fired or unknown timer does nothing.
  virtual void cancel(TimerId id) = 0;
  /// UTC wall-clock time of now(), as an ISO 8601 string with milliseconds ("2026-01-05T09:00:00.000Z").
  std::string utc_string(TimePoint t) const;
  /// UTC wall-clock time of the clock's start, in milliseconds since the Unix epoch.
  virtual std::int64_t epoch_unix_ms() const = 0;
};

/// Virtual time: nothing fires until the owner advances it. Timers due at the same instant fire
/// in the order they were scheduled, so runs are reproducible.
class VirtualClock final : public Clock {
 public:
  /// Virtual time 0 corresponds to this UTC instant (2026-01-05T09:00:00Z unless given).
  explicit VirtualClock(std::int64_t epoch_unix_ms = 1767603600000);

  TimePoint now() const override { return now_; }
  TimerId schedule(Duration delay, std::function<void()> fn) override;
  void cancel(TimerId id) override;
  std::int64_t epoch_unix_ms() const override { return epoch_; }

  /// Deadline of the earliest pending timer, if any.
  std::optional<TimePoint> next_deadline() const;
  /// Moves time to the earliest deadline (if it is not later than `limit`) and fires that one
  /// timer. Returns false, and only moves time to `limit`, when no timer is due by then.
  bool fire_next(TimePoint limit);
  /// Moves time forward without firing anything; `t` must not pass a pending deadline.
  void set_now(TimePoint t);
  std::size_t pending() const { return timers_.size(); }

 private:
  struct Key {
    TimePoint deadline;
    TimerId id;
    bool operator<(const Key& o) const {
      return deadline != o.deadline ? deadline < o.deadline : id < o.id;
    }
  };
  std::int64_t epoch_;
  TimePoint now_{0};
  TimerId next_id_ = 1;
  std::map<Key, std::function<void()>> timers_;
  std::map<TimerId, TimePoint> deadlines_;
};

/// Real time on an io_context (steady_clock timers), for standalone use.
std::unique_ptr<Clock> make_steady_clock(boost::asio::io_context& io);

/// Parses durations as written in scenarios and control requests: "250ms", "3s", "1.5s", "2m",
/// "1h", or a bare integer of milliseconds. Returns nullopt when the text is not a duration.
std::optional<Duration> parse_duration(const std::string& text);
/// Formats a duration the way parse_duration reads it back ("3s", "250ms", "1m30s").
std::string format_duration(Duration d);

}  // namespace breakout::clock
