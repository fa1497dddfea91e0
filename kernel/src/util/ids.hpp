#pragma once
#include <cstdint>
#include <string>

namespace ambit::kernel {
/// A random UUID (version 4) in its canonical text form.
std::string new_uuid();
/// 32 random hex characters, for request ids (not secrets).
std::string new_request_id();
/// An id that sorts by time: 12 hex of `ms`, then this process's random tag
/// and a counter. Appends at the end of an index instead of a random page.
std::string new_time_ordered_id(std::int64_t ms);
/// The smallest id of a time (its 12 hex digits: a prefix sorts first), so
/// a time range is an id range.
std::string time_ordered_id_floor(std::int64_t ms);
}  // namespace ambit::kernel
