#pragma once
// Cursor pagination: the one declaration of the paging rules every list
// route follows. Header-only. (SDK 1.3)
//
// The contract a REST client sees:
//
//   GET /v1/things?limit=50&cursor=<the next_cursor of the previous page>
//   200 {"data": [...], "next_cursor": "WzE3MTM..."}      ("next_cursor": null on the last page)
//
//   * `limit`: rows per page, decimal digits only, 1 to PageLimits::max_limit
//     (default PageLimits::default_limit). Anything else: 400 INVALID_INPUT,
//     details {"field": "limit", "max": <max_limit>}.
//   * `cursor`: opaque to clients; they pass back what the previous page
//     returned, unchanged. Inside, it is the sort key of that page's last
//     row as a JSON array, base64url-encoded without padding. One that does
//     not decode to the key the route sorts by: 400 INVALID_INPUT,
//     details.field "cursor". A cursor only moves the starting point: the
//     route's own filters (the caller's tenant above all) still apply.
//
// How a route implements it (keyset pagination, never OFFSET and never
// "load everything, then slice"):
//
//   auto page = sdk::PageRequest<sdk::TimeIdKey>::from(req);        // the 400s above
//   // SQL: ORDER BY created_at, id                                  (a unique, stable key)
//   //      WHERE <filters> AND (:first = 1 OR created_at > :at OR (created_at = :at AND id > :id))
//   //      LIMIT :fetch                                             (page.fetch() = limit + 1)
//   //      (sdk::TimeIdAfter below writes this condition and holds its binds)
//   auto rows = store.list(tenant, page.after, page.fetch());
//   auto out = sdk::finish_page(page, std::move(rows),
//                               [](const Row& r) { return sdk::TimeIdKey{r.created_at, r.id}; });
//   boost::json::array data;
//   for (auto& r : out.items) data.push_back(view(r));
//   return sdk::paged_data(std::move(data), out.next_cursor);
//
// The extra row (limit + 1) only tells that another page exists; it is
// dropped, and the key of the last row kept becomes next_cursor. Rows
// inserted behind the cursor after the first page was read do not show
// up in later pages; no row is returned twice or skipped otherwise.
//
// A sort key is any type K with `boost::json::array to_json() const` and
// `static std::optional<K> from_json(const boost::json::array&)` (nullopt
// when the array is not a key of that type): IdKey and TimeIdKey cover the
// usual orders; declare your own for another one.

#include <boost/json.hpp>

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "ambit/sdk/error.hpp"
#include "ambit/sdk/http.hpp"

namespace ambit::sdk {
inline namespace v1 {

/// A list route's page sizes.
struct PageLimits {
  int default_limit = 100;  ///< when the request has no `limit`
  int max_limit = 500;      ///< the largest `limit` accepted
};

/// A route's sort key, as a cursor carries it (see the top of this file).
template <class K>
concept PageKey = requires(const K& key, const boost::json::array& a) {
  { key.to_json() } -> std::convertible_to<boost::json::array>;
  { K::from_json(a) } -> std::same_as<std::optional<K>>;
};

/// The key of lists ordered by one unique string, e.g. ORDER BY id.
struct IdKey {
  std::string id;

  boost::json::array to_json() const { return {boost::json::string(id)}; }
  static std::optional<IdKey> from_json(const boost::json::array& a) {
    if (a.size() != 1 || !a[0].is_string() || a[0].as_string().empty()) return std::nullopt;
    return IdKey{std::string(a[0].as_string())};
  }
};

/// The key of lists ordered by a time, then by a unique string that breaks
/// ties (an id, or any other unique column such as a user's email), e.g.
/// ORDER BY created_at, id.
struct TimeIdKey {
  std::int64_t at = 0;
  std::string id;

  boost::json::array to_json() const { return {at, boost::json::string(id)}; }
  static std::optional<TimeIdKey> from_json(const boost::json::array& a) {
    if (a.size() != 2 || !a[0].is_int64() || !a[1].is_string() || a[1].as_string().empty()) return std::nullopt;
    return TimeIdKey{a[0].as_int64(), std::string(a[1].as_string())};
  }
};

namespace paging_detail {

inline constexpr std::string_view kBase64url =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/// Longer cursors are refused before decoding: no key this SDK builds comes near.
inline constexpr std::size_t kMaxCursorChars = 1024;

inline std::string base64url_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kBase64url[(buffer >> bits) & 63];
    }
  }
  if (bits > 0) out += kBase64url[(buffer << (6 - bits)) & 63];
  return out;
}

/// Decodes unpadded base64url; nullopt on any other character or length.
inline std::optional<std::string> base64url_decode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    auto v = kBase64url.find(c);
    if (v == std::string_view::npos) return std::nullopt;
    buffer = (buffer << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  // Leftover bits must be zero, so every cursor has exactly one spelling.
  if ((buffer & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

[[noreturn]] inline void bad_cursor() {
  throw ApiError::invalid_input("cursor is not one this API returned; pass next_cursor back unchanged", "cursor");
}

/// RFC 3986 percent-encoding: unreserved characters (and `keep`) stay as they are.
inline std::string percent_escape(std::string_view s, char keep = '\0') {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '.' || c == '_' || c == '~' || (keep != '\0' && c == static_cast<unsigned char>(keep));
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace paging_detail

/// The `limit` query parameter's value: `text` absent gives the default;
/// throws ApiError 400 (details.field "limit") unless it is 1..max_limit.
inline int parse_page_limit(const std::optional<std::string>& text, PageLimits limits = {}) {
  if (!text) return limits.default_limit;
  long long n = 0;
  bool digits = !text->empty() && text->size() <= 9;  // 9 digits cannot overflow
  for (char c : *text) {
    if (c < '0' || c > '9') digits = false;
    if (digits) n = n * 10 + (c - '0');
  }
  if (!digits || n < 1 || n > limits.max_limit)
    throw ApiError(400, "INVALID_INPUT", "limit must be an integer from 1 to " + std::to_string(limits.max_limit),
                   {{"field", "limit"}, {"max", limits.max_limit}});
  return static_cast<int>(n);
}

/// The opaque cursor that starts the page after the row whose key is `key`.
template <PageKey K>
std::string encode_cursor(const K& key) {
  return paging_detail::base64url_encode(boost::json::serialize(boost::json::value(key.to_json())));
}

/// The key a cursor carries; throws ApiError 400 (details.field "cursor")
/// when `cursor` is not one encode_cursor<K> made.
template <PageKey K>
K decode_cursor(std::string_view cursor) {
  if (cursor.empty() || cursor.size() > paging_detail::kMaxCursorChars) paging_detail::bad_cursor();
  auto text = paging_detail::base64url_decode(cursor);
  if (!text) paging_detail::bad_cursor();
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(*text, ec);
  if (ec || !v.is_array()) paging_detail::bad_cursor();
  auto key = K::from_json(v.as_array());
  if (!key) paging_detail::bad_cursor();
  return std::move(*key);
}

/// One page asked for: how many rows, after which key.
template <PageKey K>
struct PageRequest {
  int limit = PageLimits{}.default_limit;
  std::optional<K> after;  ///< nullopt: the first page

  /// Rows to ask the database for: one more than the page, to learn whether
  /// another page follows.
  int fetch() const { return limit + 1; }
  /// 1 on the first page: bind it as `:first` in `(:first = 1 OR <key> > :after)`,
  /// so one statement text serves every page.
  int first() const { return after ? 0 : 1; }

  /// `limit` and `cursor` of `req`; throws the 400s described above.
  static PageRequest from(const Request& req, PageLimits limits = {}) {
    PageRequest page;
    page.limit = parse_page_limit(req.query("limit"), limits);
    if (auto cursor = req.query("cursor")) page.after = decode_cursor<K>(*cursor);
    return page;
  }
};

/// The SQL condition "rows after this TimeIdKey" and its binds, for a list
/// ordered by a time column, then a unique column, on SQLite and PostgreSQL.
/// One statement text serves every page:
///
///   sdk::TimeIdAfter k(page.after);                          // or (page.after, sdk::Order::newest_first)
///   s.prepare << "SELECT ... WHERE tenant_id = :t AND " << k.sql()
///             << " ORDER BY " << k.order_by() << " LIMIT :n",
///       soci::use(tenant), soci::use(k.first), soci::use(k.at), soci::use(k.at), soci::use(k.id),
///       soci::use(page.fetch());
enum class Order { oldest_first, newest_first };

struct TimeIdAfter {
  explicit TimeIdAfter(const std::optional<TimeIdKey>& after, Order order = Order::oldest_first)
      : first(after ? 0 : 1), at(after ? after->at : 0), id(after ? after->id : std::string()), order(order) {}

  /// "(:first = 1 OR t > :at OR (t = :at2 AND id > :id))", `<` when newest first.
  std::string sql(std::string_view time_column = "created_at", std::string_view id_column = "id") const {
    const char* cmp = order == Order::newest_first ? " < " : " > ";
    std::string t(time_column), i(id_column);
    return "(:first = 1 OR " + t + cmp + ":at OR (" + t + " = :at2 AND " + i + cmp + ":id))";
  }
  /// "t, id" or "t DESC, id DESC".
  std::string order_by(std::string_view time_column = "created_at", std::string_view id_column = "id") const {
    const char* dir = order == Order::newest_first ? " DESC" : "";
    return std::string(time_column) + dir + ", " + std::string(id_column) + dir;
  }

  int first;     ///< bind as :first
  long long at;  ///< bind as :at and :at2
  std::string id;
  Order order;
};

/// The rows of one page, and the cursor of the next (nullopt: last page).
template <class Row>
struct Page {
  std::vector<Row> items;
  std::optional<std::string> next_cursor;
};

/// Turns the (up to) `page.fetch()` rows a store returned, in key order,
/// into the page: at most `page.limit` rows, and a next_cursor made from
/// `key_of(last row kept)` when the store returned more than that.
template <PageKey K, class Row, class KeyOf>
  requires std::convertible_to<std::invoke_result_t<KeyOf&, const Row&>, K>
Page<Row> finish_page(const PageRequest<K>& page, std::vector<Row> rows, KeyOf key_of) {
  Page<Row> out;
  if (rows.size() > static_cast<std::size_t>(page.limit)) {
    rows.resize(static_cast<std::size_t>(page.limit));
    out.next_cursor = encode_cursor<K>(key_of(rows.back()));
  }
  out.items = std::move(rows);
  return out;
}

/// The REST list envelope: {"data": data, "next_cursor": cursor or null}.
inline Response paged_data(boost::json::array data, const std::optional<std::string>& next_cursor, int status = 200) {
  boost::json::object o;
  o.emplace("data", std::move(data));
  o.emplace("next_cursor", next_cursor ? boost::json::value(*next_cursor) : boost::json::value(nullptr));
  return Response::json(o, status);
}

/// For routes whose body is a bare JSON array (no envelope to carry
/// next_cursor): when another page follows, an RFC 8288 header
///   Link: <{base_url}{req.path}?{req's query, cursor replaced}>; rel="next"
/// Every other query parameter of `req` (filters, limit) is kept, so the
/// link is the next page of the same list. `base_url` is the server's
/// public URL (Context::public_url()).
inline Response& with_next_link(Response& response, const Request& req, const std::string& base_url,
                                const std::optional<std::string>& next_cursor) {
  if (!next_cursor) return response;
  std::string query;
  for (const auto& [name, value] : req.query_params) {
    if (name == "cursor") continue;
    query += paging_detail::percent_escape(name) + "=" + paging_detail::percent_escape(value) + "&";
  }
  query += "cursor=" + paging_detail::percent_escape(*next_cursor);
  std::string path = paging_detail::percent_escape(req.path, '/');
  return response.with_header("Link", "<" + base_url + path + "?" + query + ">; rel=\"next\"");
}

}  // namespace v1
}  // namespace ambit::sdk
