// The HTML report's page: markup, style and script, with no network use; the data goes between
// the two halves as JSON (html_report.cpp).
#pragma once

#include <string>
#include <string_view>

namespace breakout::harness {

/// Everything up to the data, with the page's title (already escaped for HTML).
std::string html_page_before_data(const std::string& escaped_title);
/// Everything after the data: the script that draws the page from it.
std::string_view html_page_after_data();

}  // namespace breakout::harness
