// The Driver for the C++ SDK under test.
#pragma once

#include <breakout/harness/runner.hpp>

namespace breakout::harness {

/// Plays each participant with a CallClient of breakout::sdk over a real WebSocket.
DriverFactory sdk_driver_factory();

}  // namespace breakout::harness
