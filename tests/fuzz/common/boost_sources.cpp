// Boost.JSON and Boost.URL built from source with the fuzz instrumentation
// (see tests/fuzz/CMakeLists.txt). Their assertions are off, as in the
// distribution's release-built libraries the server links: Boost.URL 1.81
// asserts in detail::path_segments on inputs such as "p:\x1f" that
// parse_absolute_uri then refuses (tests/fuzz/redirect_uri/crashes/).
#define BOOST_DISABLE_ASSERTS
#include <boost/json/src.hpp>
#include <boost/url/src.hpp>
