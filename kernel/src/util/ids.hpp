#pragma once
#include <string>

namespace ambit::kernel {
/// A random UUID (version 4) in its canonical text form.
std::string new_uuid();
/// 32 random hex characters, for request ids (not secrets).
std::string new_request_id();
}  // namespace ambit::kernel
