#pragma once
// The kernel's one JSON Schema validator: request inputs, operation
// declarations and config sections are all checked here, on valijson.
//
// Semantics are JSON Schema draft 7 restricted to the keywords listed by
// supported_schema_keywords(); on that subset draft 7 and 2020-12 agree.
// Two number rules are the kernel's own, applied everywhere:
//   - an integer is an int64 or uint64 value, or a double that is whole and
//     within int64 (3.0 is an integer, 3.5 and 1e300 are not);
//   - equal integers compare exactly (no rounding through double).
// `format` is an annotation only: it is accepted and never checked.
//
// Violations are reported for people: `field` is the path a client sees
// ("conditions[1].percentage", "" for the document itself) and `message`
// completes a sentence that starts with that field ("must be at most 64
// characters", "is required", "must be one of: a, b").

#include <boost/json.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace ambit::kernel {

/// One schema violation. `field` is a path into the document in the form clients see:
/// "name", "conditions[1].percentage", "tags[0].key"; "" for the document itself.
/// For a missing required property, field names that property ("tags[0].key"), not its parent.
struct SchemaViolation {
  std::string field;
  std::string message;
};

/// A JSON Schema compiled once (valijson, draft-7 semantics; the SDK's keyword subset means the
/// same in JSON Schema 2020-12) and checked many times, from many threads at once.
class CompiledSchema {
 public:
  /// Throws std::invalid_argument with a path-precise message when `schema` is malformed or uses a
  /// keyword outside the supported set (see supported_schema_keywords()). Every problem found is
  /// listed, "; "-separated, each as "<schema path>: <problem>" (e.g.
  /// "properties.tags.items.maxLength: must be a non-negative integer"; "(root)" for the schema itself).
  explicit CompiledSchema(const boost::json::value& schema);
  ~CompiledSchema();
  CompiledSchema(CompiledSchema&&) noexcept;
  CompiledSchema& operator=(CompiledSchema&&) noexcept;

  /// Every violation of `doc` (empty when it conforms), most specific first; at most `limit`.
  /// Errors inside a value come before errors about the object or array holding it, and the
  /// fields of an object are visited in document order. Thread-safe; a conforming document
  /// costs one valijson pass and no allocation of messages.
  std::vector<SchemaViolation> check(const boost::json::value& doc, std::size_t limit = 8) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The keywords schemas may use: type, properties, required, additionalProperties, items (one schema),
/// enum, const, pattern, minLength, maxLength, minimum, maximum, exclusiveMinimum, exclusiveMaximum (numbers),
/// minItems, maxItems, uniqueItems, minProperties, maxProperties, anyOf, oneOf, allOf, not, format (annotation only),
/// and the annotations title, description, default, examples, deprecated, readOnly, writeOnly (no `nullable`:
/// write "type": ["string", "null"]).
const std::vector<std::string>& supported_schema_keywords();

}  // namespace ambit::kernel
