#include "schema/schema_validator.hpp"

// valijson reports a bad schema by exception (the default is abort()).
#ifndef VALIJSON_USE_EXCEPTIONS
#define VALIJSON_USE_EXCEPTIONS 1
#endif
// valijson's exceptions.hpp includes <stdexcept> inside its namespace: include it first.
#include <stdexcept>

#include <valijson/internal/adapter.hpp>
#include <valijson/internal/basic_adapter.hpp>
#include <valijson/internal/frozen_value.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

#include <boost/regex.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <utility>

namespace ambit::kernel {
namespace {

namespace json = boost::json;
namespace va = valijson::adapters;

// ---------------------------------------------------------------------------
// Numbers, the kernel's way.

constexpr double kTwoPow63 = 9223372036854775808.0;

// A double counts as an integer only when it is whole and fits an int64:
// readers convert integers to int64, and a cast out of range is undefined.
bool is_whole_int64(double d) { return std::isfinite(d) && d >= -kTwoPow63 && d < kTwoPow63 && std::trunc(d) == d; }

double to_double(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  return v.get_double();
}

// Integers compare exactly; as soon as a double is involved, as doubles (1.0 == 1).
bool numbers_equal(const json::value& a, const json::value& b) {
  if (a.is_double() || b.is_double()) return to_double(a) == to_double(b);
  if (a.is_int64() && b.is_int64()) return a.get_int64() == b.get_int64();
  if (a.is_uint64() && b.is_uint64()) return a.get_uint64() == b.get_uint64();
  const json::value& s = a.is_int64() ? a : b;
  const json::value& u = a.is_int64() ? b : a;
  return s.get_int64() >= 0 && static_cast<std::uint64_t>(s.get_int64()) == u.get_uint64();
}

std::string_view text(const json::string& s) { return {s.data(), s.size()}; }

// ---------------------------------------------------------------------------
// A valijson adapter for Boost.JSON. valijson 1.0 ships one, but it counts
// only int64 as an integer (not 3.0, not a uint64) and does not see a uint64
// as a number at all, so `maximum` lets 18446744073709551615 through. This one
// follows the rules above; otherwise it is the stock adapter.

class JsonAdapter;
class JsonArrayIterator;
class JsonObjectIterator;
using JsonMember = std::pair<std::string, JsonAdapter>;

class JsonArray {
 public:
  using const_iterator = JsonArrayIterator;
  using iterator = JsonArrayIterator;
  JsonArray() : array_(&empty()) {}
  explicit JsonArray(const json::array& a) : array_(&a) {}
  JsonArrayIterator begin() const;
  JsonArrayIterator end() const;
  std::size_t size() const { return array_->size(); }

 private:
  static const json::array& empty() {
    static const json::array e;
    return e;
  }
  const json::array* array_;
};

class JsonObject {
 public:
  using const_iterator = JsonObjectIterator;
  using iterator = JsonObjectIterator;
  JsonObject() : object_(&empty()) {}
  explicit JsonObject(const json::object& o) : object_(&o) {}
  JsonObjectIterator begin() const;
  JsonObjectIterator end() const;
  JsonObjectIterator find(const std::string& key) const;
  std::size_t size() const { return object_->size(); }

 private:
  static const json::object& empty() {
    static const json::object e;
    return e;
  }
  const json::object* object_;
};

class JsonFrozenValue : public va::FrozenValue {
 public:
  explicit JsonFrozenValue(json::value v) : value_(std::move(v)) {}
  va::FrozenValue* clone() const override { return new JsonFrozenValue(value_); }
  bool equalTo(const va::Adapter& other, bool strict) const override;

 private:
  json::value value_;
};

class JsonValue {
 public:
  JsonValue() : v_(&empty()) {}
  explicit JsonValue(const json::value& v) : v_(&v) {}

  va::FrozenValue* freeze() const { return new JsonFrozenValue(*v_); }
  opt::optional<JsonArray> getArrayOptional() const {
    if (const auto* a = v_->if_array()) return JsonArray(*a);
    return {};
  }
  bool getArraySize(std::size_t& result) const {
    if (!v_->is_array()) return false;
    result = v_->get_array().size();
    return true;
  }
  bool getBool(bool& result) const {
    if (!v_->is_bool()) return false;
    result = v_->get_bool();
    return true;
  }
  bool getDouble(double& result) const {
    if (!v_->is_number()) return false;
    result = to_double(*v_);
    return true;
  }
  bool getInteger(std::int64_t& result) const {
    if (v_->is_int64()) {
      result = v_->get_int64();
    } else if (v_->is_uint64() && v_->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
      result = static_cast<std::int64_t>(v_->get_uint64());
    } else if (v_->is_double() && is_whole_int64(v_->get_double())) {
      result = static_cast<std::int64_t>(v_->get_double());
    } else {
      return false;
    }
    return true;
  }
  opt::optional<JsonObject> getObjectOptional() const {
    if (const auto* o = v_->if_object()) return JsonObject(*o);
    return {};
  }
  bool getObjectSize(std::size_t& result) const {
    if (!v_->is_object()) return false;
    result = v_->get_object().size();
    return true;
  }
  bool getString(std::string& result) const {
    if (!v_->is_string()) return false;
    result.assign(v_->get_string().data(), v_->get_string().size());
    return true;
  }
  static bool hasStrictTypes() { return true; }
  bool isArray() const { return v_->is_array(); }
  bool isBool() const { return v_->is_bool(); }
  // A uint64 above int64 is read through getDouble (valijson's getInteger is int64).
  bool isDouble() const { return v_->is_double() || (v_->is_uint64() && v_->get_uint64() > INT64_MAX); }
  bool isInteger() const {
    return v_->is_int64() || v_->is_uint64() || (v_->is_double() && is_whole_int64(v_->get_double()));
  }
  bool isNull() const { return v_->is_null(); }
  bool isNumber() const { return v_->is_number(); }
  bool isObject() const { return v_->is_object(); }
  bool isString() const { return v_->is_string(); }

 private:
  static const json::value& empty() {
    static const json::value e{json::object{}};
    return e;
  }
  const json::value* v_;
};

class JsonAdapter : public va::BasicAdapter<JsonAdapter, JsonArray, JsonMember, JsonObject, JsonValue> {
 public:
  JsonAdapter() = default;
  explicit JsonAdapter(const json::value& v) : BasicAdapter(JsonValue(v)), value_(&v) {}

  bool equalTo(const va::Adapter& other, bool strict) const override {
    if (strict && value_ && value_->is_number())
      if (const auto* o = dynamic_cast<const JsonAdapter*>(&other); o && o->value_)
        return o->value_->is_number() && numbers_equal(*value_, *o->value_);
    return BasicAdapter::equalTo(other, strict);
  }
  const json::value* json_value() const { return value_; }

 private:
  const json::value* value_ = nullptr;
};

class JsonArrayIterator {
 public:
  using iterator_category = std::bidirectional_iterator_tag;
  using value_type = JsonAdapter;
  using difference_type = std::ptrdiff_t;
  using pointer = JsonAdapter*;
  using reference = JsonAdapter&;

  explicit JsonArrayIterator(json::array::const_iterator it) : it_(it) {}
  JsonAdapter operator*() const { return JsonAdapter(*it_); }
  va::DerefProxy<JsonAdapter> operator->() const { return va::DerefProxy<JsonAdapter>(**this); }
  bool operator==(const JsonArrayIterator& other) const { return it_ == other.it_; }
  bool operator!=(const JsonArrayIterator& other) const { return it_ != other.it_; }
  const JsonArrayIterator& operator++() {
    ++it_;
    return *this;
  }
  JsonArrayIterator operator++(int) {
    JsonArrayIterator before(it_);
    ++it_;
    return before;
  }
  const JsonArrayIterator& operator--() {
    --it_;
    return *this;
  }
  void advance(std::ptrdiff_t n) { it_ += n; }

 private:
  json::array::const_iterator it_;
};

class JsonObjectIterator {
 public:
  using iterator_category = std::bidirectional_iterator_tag;
  using value_type = JsonMember;
  using difference_type = std::ptrdiff_t;
  using pointer = JsonMember*;
  using reference = JsonMember&;

  explicit JsonObjectIterator(json::object::const_iterator it) : it_(it) {}
  JsonMember operator*() const { return JsonMember(std::string(it_->key()), JsonAdapter(it_->value())); }
  va::DerefProxy<JsonMember> operator->() const { return va::DerefProxy<JsonMember>(**this); }
  bool operator==(const JsonObjectIterator& other) const { return it_ == other.it_; }
  bool operator!=(const JsonObjectIterator& other) const { return it_ != other.it_; }
  const JsonObjectIterator& operator++() {
    ++it_;
    return *this;
  }
  JsonObjectIterator operator++(int) {
    JsonObjectIterator before(it_);
    ++it_;
    return before;
  }
  const JsonObjectIterator& operator--() {
    --it_;
    return *this;
  }

 private:
  json::object::const_iterator it_;
};

inline JsonArrayIterator JsonArray::begin() const { return JsonArrayIterator(array_->begin()); }
inline JsonArrayIterator JsonArray::end() const { return JsonArrayIterator(array_->end()); }
inline JsonObjectIterator JsonObject::begin() const { return JsonObjectIterator(object_->begin()); }
inline JsonObjectIterator JsonObject::end() const { return JsonObjectIterator(object_->end()); }
inline JsonObjectIterator JsonObject::find(const std::string& key) const { return JsonObjectIterator(object_->find(key)); }
inline bool JsonFrozenValue::equalTo(const va::Adapter& other, bool strict) const {
  return JsonAdapter(value_).equalTo(other, strict);
}

}  // namespace
}  // namespace ambit::kernel

template <>
struct valijson::adapters::AdapterTraits<ambit::kernel::JsonAdapter> {
  using DocumentType = boost::json::value;
  static std::string adapterName() { return "AmbitJsonAdapter"; }
};

namespace ambit::kernel {
namespace {

// ---------------------------------------------------------------------------
// Checking a schema before valijson sees it: valijson is lenient (a string
// "3" passes as maxLength, unknown keywords are ignored), and its messages
// name no path.

const std::set<std::string, std::less<>> kTypeNames = {"object", "array", "string", "integer",
                                                       "number", "boolean", "null"};

// `pattern` is matched by Boost.Regex, not by valijson's std::regex: libstdc++'s
// std::regex recurses once per character, so "^[a-z]+$" against a 100 kB string
// overflows the stack (a crash any client could cause), where Boost.Regex has a
// bounded, non-recursive matcher and throws instead. The flags give ECMA-262
// meaning: ^ and $ anchor the whole string, . does not match a newline.
using Pattern = std::shared_ptr<const boost::regex>;

Pattern compile_pattern(std::string_view pattern) {
  return std::make_shared<const boost::regex>(pattern.begin(), pattern.end(),
                                              boost::regex::ECMAScript | boost::regex::no_mod_m | boost::regex::no_mod_s);
}

bool pattern_matches(const boost::regex& re, std::string_view s) {
  try {
    return boost::regex_search(s.begin(), s.end(), re);
  } catch (const std::runtime_error&) {  // too complex or too deep to decide: fail closed
    return false;
  }
}

/// The pattern keyword as a valijson custom constraint, compiled once.
class PatternConstraint : public valijson::constraints::PolyConstraint {
 public:
  explicit PatternConstraint(Pattern re) : re_(std::move(re)) {}
  bool validate(const va::Adapter& target, const std::vector<std::string>& context,
                valijson::ValidationResults* results) const override {
    if (!target.isString()) return true;
    bool ok = false;
    if (const auto* a = dynamic_cast<const JsonAdapter*>(&target); a && a->json_value())
      ok = pattern_matches(*re_, text(a->json_value()->get_string()));
    else
      ok = pattern_matches(*re_, target.getString());
    if (!ok && results) results->pushError(context, "Failed to match regex specified by 'pattern' constraint.");
    return ok;
  }

 private:
  Constraint* cloneInto(void* where) const override { return new (where) PatternConstraint(*this); }
  std::size_t sizeOf() const override { return sizeof(PatternConstraint); }
  Pattern re_;
};

/// The key under which a prepared schema carries `pattern` for PatternConstraint.
constexpr std::string_view kPatternKey = "ambit:pattern";

class PatternBuilder : public valijson::ConstraintBuilder {
 public:
  explicit PatternBuilder(std::map<std::string, Pattern, std::less<>>& compiled) : compiled_(compiled) {}
  valijson::constraints::Constraint* make(const va::Adapter& node) const override {
    std::string pattern = node.getString();
    auto it = compiled_.find(pattern);
    if (it == compiled_.end()) it = compiled_.emplace(pattern, compile_pattern(pattern)).first;
    return new PatternConstraint(it->second);
  }

 private:
  std::map<std::string, Pattern, std::less<>>& compiled_;
};

std::string schema_path(const std::string& base, std::string_view key) {
  return base.empty() ? std::string(key) : base + "." + std::string(key);
}

std::string shown_path(const std::string& path) { return path.empty() ? "(root)" : path; }

bool is_non_negative_integer(const json::value& v) {
  if (v.is_int64()) return v.get_int64() >= 0;
  if (v.is_uint64()) return true;
  return v.is_double() && v.get_double() >= 0 && std::isfinite(v.get_double()) &&
         std::trunc(v.get_double()) == v.get_double();
}

// A size limit as valijson reads it (int64); beyond int64 nothing is that large anyway.
std::int64_t size_limit(const json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64()) return static_cast<std::int64_t>(std::min<std::uint64_t>(v.get_uint64(), INT64_MAX));
  return v.get_double() >= kTwoPow63 ? INT64_MAX : static_cast<std::int64_t>(v.get_double());
}

class SchemaLint {
 public:
  std::vector<std::string> problems;

  void schema(const json::value& s, const std::string& path) {
    if (s.is_bool()) return;
    const auto* o = s.if_object();
    if (!o) return problem(path, "a schema must be an object, true or false");
    for (const auto& [key, value] : *o) keyword(key, value, schema_path(path, key));
  }

 private:
  void problem(const std::string& path, const std::string& message) {
    problems.push_back(shown_path(path) + ": " + message);
  }

  void schema_list(const json::value& v, const std::string& path) {
    const auto* a = v.if_array();
    if (!a || a->empty()) return problem(path, "must be a non-empty list of schemas");
    for (std::size_t i = 0; i < a->size(); ++i) schema((*a)[i], path + "[" + std::to_string(i) + "]");
  }

  void keyword(std::string_view key, const json::value& v, const std::string& path) {
    const auto& supported = supported_schema_keywords();
    if (std::find(supported.begin(), supported.end(), key) == supported.end())
      return problem(path, "unsupported schema keyword");
    if (key == "type") {
      auto known = [](const json::value& t) { return t.is_string() && kTypeNames.count(text(t.get_string())); };
      bool ok = known(v);
      if (const auto* a = v.if_array()) {
        ok = !a->empty() && std::all_of(a->begin(), a->end(), known);
        for (std::size_t i = 0; ok && i < a->size(); ++i)
          if (std::find(a->begin(), a->begin() + static_cast<std::ptrdiff_t>(i), (*a)[i]) != a->begin() + static_cast<std::ptrdiff_t>(i))
            return problem(path, "lists " + json::serialize((*a)[i]) + " twice");
      }
      if (!ok) problem(path, "must be a type (object, array, string, integer, number, boolean, null) or a list of them");
    } else if (key == "properties") {
      const auto* o = v.if_object();
      if (!o) return problem(path, "must be an object of schemas");
      for (const auto& [name, sub] : *o) schema(sub, schema_path(path, name));
    } else if (key == "additionalProperties" || key == "not") {
      schema(v, path);
    } else if (key == "items") {
      if (v.is_array()) return problem(path, "must be one schema for every item (the list form is not supported)");
      schema(v, path);
    } else if (key == "required") {
      const auto* a = v.if_array();
      if (!a || !std::all_of(a->begin(), a->end(), [](auto& e) { return e.is_string(); }))
        return problem(path, "must be a list of property names");
      std::set<std::string_view> seen;  // views into the schema, alive meanwhile
      for (const auto& e : *a)
        if (!seen.insert(text(e.get_string())).second) problem(path, "lists " + json::serialize(e) + " twice");
    } else if (key == "enum") {
      if (!v.is_array() || v.get_array().empty()) problem(path, "must be a non-empty list of values");
    } else if (key == "pattern") {
      if (!v.is_string()) return problem(path, "must be a string (a regular expression)");
      try {
        compile_pattern(text(v.get_string()));
      } catch (const boost::regex_error& e) {
        std::string why = e.what();
        problem(path, "is not a valid regular expression: " + why.substr(0, why.find(".  ")));
      }
    } else if (key == "minLength" || key == "maxLength" || key == "minItems" || key == "maxItems" ||
               key == "minProperties" || key == "maxProperties") {
      if (!is_non_negative_integer(v)) problem(path, "must be a non-negative integer");
    } else if (key == "minimum" || key == "maximum" || key == "exclusiveMinimum" || key == "exclusiveMaximum") {
      if (!v.is_number() || !std::isfinite(to_double(v))) problem(path, "must be a number");
    } else if (key == "anyOf" || key == "oneOf" || key == "allOf") {
      schema_list(v, path);
    } else if (key == "uniqueItems" || key == "deprecated" || key == "readOnly" || key == "writeOnly") {
      if (!v.is_bool()) problem(path, "must be true or false");
    } else if (key == "format" || key == "title" || key == "description") {
      if (!v.is_string()) problem(path, "must be a string");
    } else if (key == "examples") {
      if (!v.is_array()) problem(path, "must be a list of values");
    }
    // const, default: any value.
  }
};

// ---------------------------------------------------------------------------
// The compiled form. valijson checks the whole document in one pass; when it
// fails, the tree of nodes below explains why: the structure (properties,
// items, required, unknown fields) is walked here, and each assertion keyword
// is asked of valijson on its own, so the verdicts stay valijson's.

enum class Kw {
  kConst, kEnum, kMinLength, kMaxLength, kPattern, kMinimum, kExclusiveMinimum, kMaximum, kExclusiveMaximum,
  kMinItems, kMaxItems, kUniqueItems, kMinProperties, kMaxProperties
};

// Reporting order within one value.
constexpr std::pair<std::string_view, Kw> kAssertions[] = {
    {"const", Kw::kConst},           {"enum", Kw::kEnum},
    {"minLength", Kw::kMinLength},   {"maxLength", Kw::kMaxLength},
    {"pattern", Kw::kPattern},       {"minimum", Kw::kMinimum},
    {"exclusiveMinimum", Kw::kExclusiveMinimum}, {"maximum", Kw::kMaximum},
    {"exclusiveMaximum", Kw::kExclusiveMaximum}, {"minItems", Kw::kMinItems},
    {"maxItems", Kw::kMaxItems},     {"uniqueItems", Kw::kUniqueItems},
    {"minProperties", Kw::kMinProperties}, {"maxProperties", Kw::kMaxProperties},
};

using ValijsonSchema = std::unique_ptr<valijson::Schema>;

struct Assertion {
  Kw kind;
  json::value arg;       ///< the keyword's value, for the message
  ValijsonSchema check;  ///< {keyword: arg} alone
};

struct Node {
  std::optional<bool> constant;  ///< a boolean schema
  std::vector<std::string> types;
  ValijsonSchema type_check;
  std::map<std::string, std::unique_ptr<Node>, std::less<>> properties;
  std::unique_ptr<Node> additional;  ///< additionalProperties, when given
  std::vector<std::string> required;
  std::unique_ptr<Node> items;
  std::vector<Assertion> assertions;
  std::vector<std::unique_ptr<Node>> all_of, any_of, one_of;
  std::unique_ptr<Node> negated;
  ValijsonSchema whole;           ///< this node as one schema: the root, branches of anyOf, oneOf and not
  std::size_t keyword_count = 0;  ///< assertion keywords in the node (annotations excluded)
};

/// Builds the node tree of a linted schema, and the valijson schemas in it.
class Builder {
 public:
  /// Returns what valijson is given for the node: its assertion keywords only
  /// (`format`, which valijson would check, is an annotation here).
  json::value build(const json::value& s, Node& node, bool whole) {
    if (s.is_bool()) {
      node.constant = s.get_bool();
      if (whole) node.whole = parse(s);
      return s;
    }
    const json::object& o = s.get_object();
    json::object prepared;
    if (const auto* t = o.if_contains("type")) {
      if (t->is_string()) node.types.emplace_back(text(t->get_string()));
      else
        for (const auto& e : t->get_array()) node.types.emplace_back(text(e.get_string()));
      prepared["type"] = *t;
      node.type_check = parse(json::object{{"type", *t}});
      ++node.keyword_count;
    }
    if (const auto* p = o.if_contains("properties")) {
      json::object props;
      for (const auto& [name, sub] : p->get_object()) {
        auto child = std::make_unique<Node>();
        props[name] = build(sub, *child, false);
        node.properties.emplace(std::string(name), std::move(child));
      }
      prepared["properties"] = std::move(props);
      ++node.keyword_count;
    }
    if (const auto* a = o.if_contains("additionalProperties")) {
      node.additional = std::make_unique<Node>();
      prepared["additionalProperties"] = build(*a, *node.additional, false);
      ++node.keyword_count;
    }
    if (const auto* r = o.if_contains("required")) {
      for (const auto& e : r->get_array()) node.required.emplace_back(text(e.get_string()));
      prepared["required"] = *r;
      ++node.keyword_count;
    }
    if (const auto* i = o.if_contains("items")) {
      node.items = std::make_unique<Node>();
      prepared["items"] = build(*i, *node.items, false);
      ++node.keyword_count;
    }
    for (const auto& [keyword, kind] : kAssertions) {
      const auto* v = o.if_contains(keyword);
      if (!v || (kind == Kw::kUniqueItems && !v->get_bool())) continue;
      json::value arg = *v;
      if (kind == Kw::kMinLength || kind == Kw::kMaxLength || kind == Kw::kMinItems || kind == Kw::kMaxItems ||
          kind == Kw::kMinProperties || kind == Kw::kMaxProperties)
        arg = size_limit(*v);
      std::string_view key = kind == Kw::kPattern ? kPatternKey : keyword;
      prepared[key] = arg;
      node.assertions.push_back({kind, arg, parse(json::object{{key, arg}})});
      ++node.keyword_count;
    }
    auto branches = [&](std::string_view key, std::vector<std::unique_ptr<Node>>& into, bool branch_whole) {
      const auto* list = o.if_contains(key);
      if (!list) return;
      json::array out;
      for (const auto& sub : list->get_array()) {
        into.push_back(std::make_unique<Node>());
        out.push_back(build(sub, *into.back(), branch_whole));
      }
      prepared[key] = std::move(out);
      ++node.keyword_count;
    };
    branches("allOf", node.all_of, false);
    branches("anyOf", node.any_of, true);
    branches("oneOf", node.one_of, true);
    if (const auto* n = o.if_contains("not")) {
      node.negated = std::make_unique<Node>();
      prepared["not"] = build(*n, *node.negated, true);
      ++node.keyword_count;
    }
    json::value result(std::move(prepared));
    if (whole) node.whole = parse(result);
    return result;
  }

 private:
  ValijsonSchema parse(const json::value& prepared) {
    auto schema = std::make_unique<valijson::Schema>();
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    parser.addConstraintBuilder(std::string(kPatternKey), new PatternBuilder(patterns_));
    parser.populateSchema(JsonAdapter(prepared), *schema);
    return schema;
  }

  std::map<std::string, Pattern, std::less<>> patterns_;  ///< each pattern compiled once
};

// ---------------------------------------------------------------------------
// Messages.

std::string number_text(const json::value& v) {
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  double d = v.get_double();
  if (std::trunc(d) == d && std::fabs(d) < 9007199254740992.0) return std::to_string(static_cast<std::int64_t>(d));
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  return ec == std::errc() ? std::string(buf, end) : json::serialize(v);
}

/// A value as JSON text, numbers written plainly (Boost.JSON writes 0.5 as 5E-1).
std::string value_text(const json::value& v) {
  if (v.is_number()) return number_text(v);
  if (const auto* a = v.if_array()) {
    std::string out = "[";
    for (std::size_t i = 0; i < a->size(); ++i) out += (i ? ", " : "") + value_text((*a)[i]);
    return out + "]";
  }
  if (const auto* o = v.if_object()) {
    std::string out = "{";
    bool first = true;
    for (const auto& [k, x] : *o) {
      out += (first ? "" : ", ") + json::serialize(json::string(k)) + ": " + value_text(x);
      first = false;
    }
    return out + "}";
  }
  return json::serialize(v);
}

std::string type_phrase(const std::vector<std::string>& types) {
  auto one = [](const std::string& t) -> std::string {
    if (t == "null") return t;
    return (t == "object" || t == "array" || t == "integer" ? "an " : "a ") + t;
  };
  std::string out;
  for (std::size_t i = 0; i < types.size(); ++i) {
    if (i) out += i + 1 == types.size() ? " or " : ", ";
    out += one(types[i]);
  }
  return out;
}

std::string count_of(std::int64_t n, const char* unit) {
  return std::to_string(n) + " " + unit + (n == 1 ? "" : "s");
}

std::string enum_text(const json::array& options) {
  std::string out;
  for (const auto& o : options) out += (out.empty() ? "" : ", ") + (o.is_string() ? std::string(o.get_string()) : value_text(o));
  return out;
}

std::string assertion_message(const Assertion& a, const json::value& v) {
  const auto n = a.arg.is_int64() ? a.arg.get_int64() : 0;
  switch (a.kind) {
    case Kw::kConst: return "must equal " + value_text(a.arg);
    case Kw::kEnum: return "must be one of: " + enum_text(a.arg.get_array());
    case Kw::kMinLength: return n == 1 ? "must not be empty" : "must be at least " + count_of(n, "character");
    case Kw::kMaxLength: return n == 0 ? "must be empty" : "must be at most " + count_of(n, "character");
    case Kw::kPattern: return "must match the pattern " + std::string(a.arg.get_string());
    case Kw::kMinimum: return "must be at least " + number_text(a.arg);
    case Kw::kExclusiveMinimum: return "must be greater than " + number_text(a.arg);
    case Kw::kMaximum: return "must be at most " + number_text(a.arg);
    case Kw::kExclusiveMaximum: return "must be less than " + number_text(a.arg);
    case Kw::kMinItems: return n == 1 ? "must not be empty" : "must contain at least " + count_of(n, "item");
    case Kw::kMaxItems: return n == 0 ? "must be empty" : "must contain at most " + count_of(n, "item");
    case Kw::kMinProperties: return n == 1 ? "must not be empty" : "must have at least " + count_of(n, "field");
    case Kw::kMaxProperties: return n == 0 ? "must be empty" : "must have at most " + count_of(n, "field");
    case Kw::kUniqueItems: {
      const auto& items = v.get_array();
      for (std::size_t i = 0; i < items.size(); ++i)
        for (std::size_t j = i + 1; j < items.size(); ++j)
          if (JsonAdapter(items[i]).equalTo(JsonAdapter(items[j]), true))
            return "must not contain duplicates (items " + std::to_string(i) + " and " + std::to_string(j) +
                   " are equal)";
      return "must not contain duplicates";
    }
  }
  return "is invalid";
}

std::string not_message(const Node& n) {
  if (n.keyword_count == 1 && !n.types.empty()) return "must not be " + type_phrase(n.types);
  if (n.keyword_count == 1 && n.assertions.size() == 1) {
    const auto& a = n.assertions.front();
    if (a.kind == Kw::kEnum) return "must not be one of: " + enum_text(a.arg.get_array());
    if (a.kind == Kw::kConst) return "must not equal " + value_text(a.arg);
  }
  return "has a value that is not allowed";
}

std::string field_of(const std::string& base, std::string_view key) {
  return base.empty() ? std::string(key) : base + "." + std::string(key);
}

class Explainer {
 public:
  Explainer(valijson::Validator& validator, std::size_t limit, std::vector<SchemaViolation>& out)
      : validator_(validator), limit_(limit), out_(out) {}

  void explain(const Node& n, const json::value& v, const std::string& field) {
    if (full()) return;
    if (n.constant) {
      if (!*n.constant) add(field, "is not allowed");
      return;
    }
    if (n.type_check && !passes(*n.type_check, v)) return add(field, "must be " + type_phrase(n.types));
    if (const auto* o = v.if_object()) {
      for (const auto& [key, member] : *o) {
        if (full()) return;
        auto p = n.properties.find(std::string_view(key));
        if (p != n.properties.end()) explain(*p->second, member, field_of(field, key));
        else if (n.additional) explain(*n.additional, member, field_of(field, key));
      }
      for (const auto& r : n.required)
        if (!o->contains(r)) add(field_of(field, r), "is required");
    }
    if (const auto* a = v.if_array(); a && n.items)
      for (std::size_t i = 0; i < a->size() && !full(); ++i)
        explain(*n.items, (*a)[i], field + "[" + std::to_string(i) + "]");
    for (const auto& a : n.assertions)
      if (!passes(*a.check, v)) add(field, assertion_message(a, v));
    for (const auto& b : n.all_of) explain(*b, v, field);
    if (!n.any_of.empty() &&
        std::none_of(n.any_of.begin(), n.any_of.end(), [&](auto& b) { return passes(*b->whole, v); }))
      alternatives(n.any_of, v, field);
    if (!n.one_of.empty()) {
      auto matched = std::count_if(n.one_of.begin(), n.one_of.end(), [&](auto& b) { return passes(*b->whole, v); });
      if (matched == 0) alternatives(n.one_of, v, field);
      if (matched > 1)
        add(field, "must match exactly one of the allowed forms (it matches " + std::to_string(matched) + ")");
    }
    if (n.negated && passes(*n.negated->whole, v)) add(field, not_message(*n.negated));
  }

 private:
  bool full() const { return out_.size() >= limit_; }
  void add(const std::string& field, std::string message) {
    if (!full()) out_.push_back({field, std::move(message)});
  }
  bool passes(const valijson::Schema& s, const json::value& v) { return validator_.validate(s, JsonAdapter(v), nullptr); }

  // No branch of an anyOf/oneOf matched. When no branch takes a value of this
  // type, say which types are allowed; otherwise explain the branch of the
  // right type that comes closest (fewest violations, the first on a tie).
  void alternatives(const std::vector<std::unique_ptr<Node>>& branches, const json::value& v, const std::string& field) {
    std::vector<std::string> types;
    std::vector<const Node*> candidates;
    for (const auto& b : branches) {
      if (b->constant) continue;  // false: never matches (true would have)
      if (b->type_check && !passes(*b->type_check, v)) {
        for (const auto& t : b->types)
          if (std::find(types.begin(), types.end(), t) == types.end()) types.push_back(t);
        continue;
      }
      candidates.push_back(b.get());
    }
    if (candidates.empty()) return add(field, types.empty() ? "is not allowed" : "must be " + type_phrase(types));
    std::vector<SchemaViolation> best;
    for (const Node* c : candidates) {
      std::vector<SchemaViolation> found;
      Explainer(validator_, limit_ - out_.size(), found).explain(*c, v, field);
      if (!found.empty() && (best.empty() || found.size() < best.size())) best = std::move(found);
    }
    if (best.empty()) return add(field, "does not match any of the allowed forms");
    for (auto& b : best) add(b.field, std::move(b.message));
  }

  valijson::Validator& validator_;
  std::size_t limit_;
  std::vector<SchemaViolation>& out_;
};

}  // namespace

const std::vector<std::string>& supported_schema_keywords() {
  static const std::vector<std::string> keywords = {
      "type", "properties", "required", "additionalProperties", "items", "enum", "const", "pattern",
      "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minItems",
      "maxItems", "uniqueItems", "minProperties", "maxProperties", "anyOf", "oneOf", "allOf", "not", "format",
      "title", "description", "default", "examples", "deprecated", "readOnly", "writeOnly"};
  return keywords;
}

struct CompiledSchema::Impl {
  Node root;
};

CompiledSchema::CompiledSchema(const boost::json::value& schema) : impl_(std::make_unique<Impl>()) {
  SchemaLint lint;
  lint.schema(schema, "");
  if (!lint.problems.empty()) {
    std::string message;
    for (const auto& p : lint.problems) message += (message.empty() ? "" : "; ") + p;
    throw std::invalid_argument(message);
  }
  try {
    Builder().build(schema, impl_->root, true);
  } catch (const std::exception& e) {  // valijson refused what the lint let through
    throw std::invalid_argument(std::string("(root): ") + e.what());
  }
}

CompiledSchema::~CompiledSchema() = default;
CompiledSchema::CompiledSchema(CompiledSchema&&) noexcept = default;
CompiledSchema& CompiledSchema::operator=(CompiledSchema&&) noexcept = default;

std::vector<SchemaViolation> CompiledSchema::check(const boost::json::value& doc, std::size_t limit) const {
  if (!impl_) throw std::logic_error("CompiledSchema::check on a moved-from schema");
  std::vector<SchemaViolation> out;
  // A Validator per call: it holds only a cache for valijson's own std::regex
  // patterns, unused here, and costs no allocation.
  valijson::Validator validator(valijson::Validator::kStrongTypes);
  if (limit == 0 || validator.validate(*impl_->root.whole, JsonAdapter(doc), nullptr)) return out;
  Explainer(validator, limit, out).explain(impl_->root, doc, "");
  if (out.empty()) out.push_back({"", "does not match the schema"});
  return out;
}

}  // namespace ambit::kernel
