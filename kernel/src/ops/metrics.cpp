#include "ops/metrics.hpp"

#include <cstdio>

namespace ambit::kernel {

std::string prometheus_label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') { out += "\\n"; continue; }
    out += c;
  }
  return out;
}

void render_route_metrics(std::string& out, const std::string& method, const std::string& route,
                          const RouteMetrics& m) {
  std::string labels = "method=\"" + method + "\",route=\"" + prometheus_label(route) + "\"";
  for (std::size_t s = 0; s < m.by_status.size(); ++s) {
    auto n = m.by_status[s].load(std::memory_order_relaxed);
    if (n) out += "ambit_http_requests_total{" + labels + ",status=\"" + std::to_string(s) + "\"} " + std::to_string(n) + "\n";
  }
  auto count = m.count.load(std::memory_order_relaxed);
  if (!count) return;
  std::uint64_t cumulative = 0;
  char le[32];
  for (std::size_t b = 0; b < kLatencyBuckets.size(); ++b) {
    cumulative += m.buckets[b].load(std::memory_order_relaxed);
    std::snprintf(le, sizeof le, "%g", kLatencyBuckets[b]);
    out += "ambit_http_request_duration_seconds_bucket{" + labels + ",le=\"" + le + "\"} " + std::to_string(cumulative) + "\n";
  }
  cumulative += m.buckets.back().load(std::memory_order_relaxed);
  out += "ambit_http_request_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} " + std::to_string(cumulative) + "\n";
  char sum[64];
  std::snprintf(sum, sizeof sum, "%.6f", static_cast<double>(m.sum_ns.load(std::memory_order_relaxed)) / 1e9);
  out += "ambit_http_request_duration_seconds_sum{" + labels + "} " + sum + "\n";
  out += "ambit_http_request_duration_seconds_count{" + labels + "} " + std::to_string(count) + "\n";
}

}  // namespace ambit::kernel
