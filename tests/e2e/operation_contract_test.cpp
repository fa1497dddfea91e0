// Contract tests generated from the operations' own schemas: for every
// declared operation the kernel validates, each input is broken in the ways
// a client gets wrong (a required field missing, a wrong type, a value
// outside an enum, a string over maxLength), one at a time, at every depth.
// Each request must answer 400 INVALID_INPUT naming that input as a path
// (details.field: "name", "conditions[1].percentage"), never a 5xx, and
// leave every table but the audit log as it was. Both databases, every
// first-party plugin.
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "e2e_util.hpp"

using namespace ambit::test;
namespace json = boost::json;

namespace {

const char* const kFirstParty[] = {"auth-apikey", "auth-oauth", "projects", "remote-config", "secrets",
                                   "attestation-clients"};

const json::object* props_of(const json::value& schema) {
  auto* o = schema.if_object();
  auto* p = o ? o->if_contains("properties") : nullptr;
  return p ? p->if_object() : nullptr;
}

std::set<std::string> required_of(const json::value& schema) {
  std::set<std::string> out;
  if (auto* o = schema.if_object())
    if (auto* r = o->if_contains("required"); r && r->is_array())
      for (auto& n : r->as_array()) out.insert(str(n));
  return out;
}

std::vector<std::string> types_of(const json::value& schema) {
  std::vector<std::string> out;
  auto* o = schema.if_object();
  auto* t = o ? o->if_contains("type") : nullptr;
  if (t && t->is_string()) out.push_back(str(*t));
  if (t && t->is_array())
    for (auto& x : t->as_array()) out.push_back(str(x));
  return out;
}

bool allows(const std::vector<std::string>& types, const std::string& t) {
  for (auto& x : types)
    if (x == t || (x == "number" && t == "integer")) return true;
  return false;
}

/// A value the schema accepts, built from its examples, enum, const, bounds
/// and type; nullopt when this generator cannot find one (the caller skips).
std::optional<json::value> valid_value(const json::value& schema, int depth = 0) {
  auto* o = schema.if_object();
  if (!o || depth > 6) return std::nullopt;
  if (auto* c = o->if_contains("const")) return *c;
  if (auto* e = o->if_contains("enum"); e && e->is_array() && !e->as_array().empty()) return e->as_array().front();
  if (auto* ex = o->if_contains("examples"); ex && ex->is_array() && !ex->as_array().empty()) return ex->as_array().front();
  if (auto* d = o->if_contains("default")) return *d;
  auto types = types_of(schema);
  if (types.empty()) {
    for (const char* k : {"anyOf", "oneOf"})
      if (auto* alts = o->if_contains(k); alts && alts->is_array() && !alts->as_array().empty())
        return valid_value(alts->as_array().front(), depth + 1);
    return json::value("x");  // no type: any JSON value
  }
  const std::string& t = types.front() == "null" && types.size() > 1 ? types[1] : types.front();
  if (t == "string") {
    std::size_t min = o->contains("minLength") ? static_cast<std::size_t>(o->at("minLength").to_number<double>()) : 1;
    std::string candidates[] = {std::string(std::max<std::size_t>(min, 1), 'x'), std::string(std::max<std::size_t>(min, 1), 'X'),
                                "x1", "a-b", "A1", "https://example.com/cb"};
    auto* pattern = o->if_contains("pattern");
    for (auto& c : candidates) {
      if (o->contains("maxLength") && c.size() > static_cast<std::size_t>(o->at("maxLength").to_number<double>())) continue;
      if (!pattern || std::regex_search(c, std::regex(str(*pattern), std::regex::ECMAScript))) return json::string(c);
    }
    return std::nullopt;
  }
  if (t == "integer" || t == "number") {
    double v = o->contains("minimum") ? o->at("minimum").to_number<double>() : 1;
    if (o->contains("exclusiveMinimum")) v = o->at("exclusiveMinimum").to_number<double>() + 1;
    return json::value(static_cast<std::int64_t>(v));
  }
  if (t == "boolean") return true;
  if (t == "null") return nullptr;
  if (t == "array") {
    json::array a;
    std::size_t min = o->contains("minItems") ? static_cast<std::size_t>(o->at("minItems").to_number<double>()) : 0;
    if (auto* items = o->if_contains("items"); items && min > 0) {
      auto v = valid_value(*items, depth + 1);
      if (!v) return std::nullopt;
      for (std::size_t i = 0; i < min; ++i) a.push_back(*v);
    }
    return a;
  }
  if (t == "object") {
    json::object out;
    auto* props = props_of(schema);
    for (auto& name : required_of(schema)) {
      auto* p = props ? props->if_contains(name) : nullptr;
      auto v = p ? valid_value(*p, depth + 1) : std::nullopt;
      if (!v) return std::nullopt;
      out[name] = *v;
    }
    return out;
  }
  return std::nullopt;
}

/// A value of a JSON type the schema does not allow, or nullopt.
std::optional<json::value> wrong_type(const json::value& schema) {
  auto types = types_of(schema);
  if (types.empty()) return std::nullopt;
  for (json::value v : {json::value(true), json::value("x"), json::value(12345), json::value(json::array{}),
                        json::value(json::object{}), json::value(nullptr)}) {
    std::string t = v.is_bool() ? "boolean" : v.is_string() ? "string" : v.is_int64() ? "integer"
                    : v.is_array() ? "array" : v.is_object() ? "object" : "null";
    if (!allows(types, t)) return v;
  }
  return std::nullopt;
}

struct Case {
  std::string what;   ///< "missing", "type", "enum", "maxLength"
  std::string field;  ///< the input the case breaks, as details.field names it
  json::object args;  ///< path/query/body inputs, the broken one included
};

/// Cases that break `schema` (at `path`) inside the valid `doc`, by mutating it through `set`.
void break_value(const json::value& schema, const std::string& path, const std::function<void(json::object&, std::optional<json::value>)>& set,
                 const json::object& base, std::vector<Case>& out, int depth = 0) {
  auto add = [&](std::string what, std::optional<json::value> v) {
    json::object args = base;
    set(args, std::move(v));
    out.push_back({std::move(what), path, std::move(args)});
  };
  if (auto v = wrong_type(schema)) add("type", *v);
  auto* o = schema.if_object();
  if (!o) return;
  if (o->contains("enum") && allows(types_of(schema), "string"))
    add("enum", json::value("not-a-member"));
  if (auto* m = o->if_contains("maxLength"); m && allows(types_of(schema), "string"))
    add("maxLength", json::value(std::string(static_cast<std::size_t>(m->to_number<double>()) + 1, 'x')));
  if (depth >= 3) return;
  // Inside: an object's properties, and the first item of an array.
  if (auto* props = props_of(schema)) {
    auto valid = valid_value(schema);
    if (!valid || !valid->is_object()) return;
    auto required = required_of(schema);
    for (auto& [name, sub] : *props) {
      std::string key(name);
      auto inner_valid = valid->as_object();
      if (!inner_valid.contains(key)) {
        auto v = valid_value(sub);
        if (!v) continue;
        inner_valid[key] = *v;
      }
      auto set_inner = [&, key, inner_valid](json::object& args, std::optional<json::value> v) {
        json::object obj = inner_valid;
        if (v) obj[key] = *v; else obj.erase(key);
        set(args, json::value(std::move(obj)));
      };
      std::string sub_path = path.empty() ? key : path + "." + key;
      if (required.count(key)) {
        json::object args = base;
        set_inner(args, std::nullopt);
        out.push_back({"missing", sub_path, std::move(args)});
      }
      break_value(sub, sub_path, set_inner, base, out, depth + 1);
    }
  } else if (auto* items = o->if_contains("items"); items && allows(types_of(schema), "array")) {
    auto item = valid_value(*items);
    if (!item) return;
    auto set_item = [&, item](json::object& args, std::optional<json::value> v) {
      json::array a{v ? *v : *item};
      set(args, json::value(std::move(a)));
    };
    break_value(*items, path + "[0]", set_item, base, out, depth + 1);
  }
}

class OperationContract : public ::testing::TestWithParam<Backend> {};

}  // namespace

TEST_P(OperationContract, EveryDeclaredInputIsCheckedBeforeTheHandler) {
  AMBIT_REQUIRE_BACKEND(GetParam());
  TempDir dir;
  TestDatabase db(GetParam(), dir);
  json::array plugins;
  for (const char* p : kFirstParty) plugins.push_back(json::object{{"name", p}});
  auto config_file = write_config(dir, e2e_config(dir, db.url(), plugins));
  auto owner = bootstrap_owner(config_file);
  ServerProcess server(config_file);

  auto tools = http(server.port(), "GET", "/v1/tools", bearer(owner.key));
  ASSERT_EQ(tools.status, 200) << tools.body;
  auto before = db.row_counts();
  int operations = 0, cases = 0;
  std::vector<std::string> skipped;
  const auto listed = tools.json();
  for (auto& t : listed.at("data").as_array()) {
    const auto& tool = t.as_object();
    std::string id = str(tool.at("id"));
    const auto& input = tool.at("input_schema");
    auto valid = valid_value(input);
    if (!valid) {
      skipped.push_back(id);
      continue;
    }
    std::vector<Case> generated;
    for (auto& [name, sub] : *props_of(input)) {
      std::string key(name);
      auto set_top = [key](json::object& args, std::optional<json::value> v) {
        if (v) args[key] = *v; else args.erase(key);
      };
      json::object base = valid->as_object();
      if (!base.contains(key))
        if (auto v = valid_value(sub)) base[key] = *v;
      if (required_of(input).count(key)) {
        json::object args = base;
        args.erase(key);
        generated.push_back({"missing", key, std::move(args)});
      }
      break_value(sub, key, set_top, base, generated);
    }
    ++operations;
    const std::string method = str(tool.at("method"));
    const std::string tpl = str(tool.at("path"));
    std::set<std::string> query_names;
    for (auto& q : tool.at("query").as_array()) query_names.insert(str(q));
    for (auto& c : generated) {
      // The request an HTTP client sends: path parameters in the path, query
      // parameters in the query, the rest as the JSON body.
      const std::string top = c.field.substr(0, c.field.find_first_of(".["));
      std::string path;
      bool in_path = false;
      for (std::size_t i = 0; i < tpl.size();) {
        if (tpl[i] == ':') {
          auto end = tpl.find('/', i);
          if (end == std::string::npos) end = tpl.size();
          std::string name = tpl.substr(i + 1, end - i - 1);
          in_path = in_path || name == top;
          auto* v = c.args.if_contains(name);
          path += v && v->is_string() ? std::string(v->as_string()) : v ? json::serialize(*v) : "";
          i = end;
        } else {
          path += tpl[i++];
        }
      }
      // Over HTTP, path and query values are text: a missing path segment
      // never reaches the route, and a "wrong type" for a text input is text.
      if (in_path && (c.what == "missing" || c.what == "type")) continue;
      if (query_names.count(top) && c.what == "type" && allows(types_of(props_of(input)->at(top)), "string")) continue;
      std::string query;
      json::object body;
      for (auto& [k, v] : c.args) {
        std::string key(k);
        if (tpl.find(":" + key) != std::string::npos) continue;
        if (query_names.count(key))
          query += (query.empty() ? "?" : "&") + key + "=" + (v.is_string() ? std::string(v.as_string()) : json::serialize(v));
        else
          body[k] = v;
      }
      bool has_body = method != "GET" && method != "DELETE";
      auto r = http(server.port(), method, path + query, bearer(owner.key), has_body ? json::serialize(body) : "");
      ++cases;
      std::string what = id + " " + c.what + " " + c.field + " " + method + " " + path + query + " " + json::serialize(body);
      ASSERT_LT(r.status, 500) << what << ": " << r.body;
      ASSERT_EQ(r.status, 400) << what << ": " << r.body;
      EXPECT_EQ(error_code(r), "INVALID_INPUT") << what << ": " << r.body;
      EXPECT_EQ(str(r.json().at("error").at("details").at("field")), c.field) << what << ": " << r.body;
    }
  }
  auto after = db.row_counts();
  for (auto& [table, n] : after) {
    if (table.find("audit") != std::string::npos) continue;  // every authenticated request is audited
    EXPECT_EQ(n, before[table]) << "table " << table << " changed";
  }
  EXPECT_GE(operations, 30) << "too few operations were exercised";
  EXPECT_GE(cases, 100);
  EXPECT_TRUE(skipped.empty()) << "no valid input could be generated for: " << ::testing::PrintToString(skipped)
                               << " (give the pattern-constrained property an \"examples\" entry)";
  std::printf("operation contract: %d operations, %d broken inputs\n", operations, cases);
}

INSTANTIATE_TEST_SUITE_P(Db, OperationContract, ::testing::ValuesIn(test_backends()), backend_param_name);

// The document clients generate code from: every route of the kernel and of
// the first-party plugins declares its operation, with schemas.
TEST(OperationContract, EveryFirstPartyRouteDeclaresItsOperation) {
  TempDir dir;
  json::array plugins;
  for (const char* p : kFirstParty) plugins.push_back(json::object{{"name", p}});
  auto config_file = write_config(dir, e2e_config(dir, sqlite_url(dir), plugins));
  ServerProcess server(config_file);
  auto doc = http(server.port(), "GET", "/openapi.json");
  ASSERT_EQ(doc.status, 200);
  std::set<std::string> ids;
  int operations = 0;
  const auto document = doc.json();
  for (auto& [path, item] : document.at("paths").as_object()) {
    for (auto& [method, op_value] : item.as_object()) {
      const auto& op = op_value.as_object();
      std::string where = std::string(method) + " " + std::string(path);
      ++operations;
      std::string id = str(op.at("operationId"));
      EXPECT_NE(id.find('.'), std::string::npos) << where << " declares no operation (operationId " << id << ")";
      EXPECT_TRUE(ids.insert(id).second) << id << " twice";
      EXPECT_FALSE(str(op.at("summary")).empty()) << where;
      EXPECT_TRUE(op.contains("description")) << where;
      for (auto& [status, response] : op.at("responses").as_object()) {
        if (status == "204") continue;
        auto* content = response.as_object().if_contains("content");
        ASSERT_TRUE(content && !content->as_object().empty()) << where << " " << status << " has no schema";
        for (auto& [media, m] : content->as_object())
          EXPECT_TRUE(m.as_object().contains("schema")) << where << " " << status << " " << media;
      }
    }
  }
  EXPECT_GE(operations, 60);
}
