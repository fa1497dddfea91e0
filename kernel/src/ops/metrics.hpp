#pragma once
// Prometheus metrics kept in lock-free counters; rendered on GET /metrics.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ambit::kernel {

inline constexpr std::array<double, 12> kLatencyBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                           0.05,   0.1,   0.25,   0.5,   1.0,  5.0};

struct RouteMetrics {
  std::array<std::atomic<std::uint64_t>, 600> by_status{};  ///< index = HTTP status
  std::array<std::atomic<std::uint64_t>, kLatencyBuckets.size() + 1> buckets{};  ///< last = +Inf
  std::atomic<std::uint64_t> count{0};
  std::atomic<std::uint64_t> sum_ns{0};

  void observe(int status, std::chrono::nanoseconds elapsed) {
    if (status >= 0 && status < 600) by_status[static_cast<std::size_t>(status)].fetch_add(1, std::memory_order_relaxed);
    double seconds = static_cast<double>(elapsed.count()) / 1e9;
    std::size_t b = 0;
    while (b < kLatencyBuckets.size() && seconds > kLatencyBuckets[b]) ++b;
    buckets[b].fetch_add(1, std::memory_order_relaxed);
    count.fetch_add(1, std::memory_order_relaxed);
    sum_ns.fetch_add(static_cast<std::uint64_t>(elapsed.count()), std::memory_order_relaxed);
  }
};

/// Writes one route's series in Prometheus text format.
void render_route_metrics(std::string& out, const std::string& method, const std::string& route,
                          const RouteMetrics& m);

/// Escape a label value.
std::string prometheus_label(const std::string& value);

}  // namespace ambit::kernel
