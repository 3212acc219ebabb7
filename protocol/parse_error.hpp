#pragma once

#include <string>
#include <string_view>

namespace wlg::protocol {

// Why a document from the network was refused. The parsers never throw: every
// refusal comes back as one of these.
struct parse_error {
  enum class kind {
    not_json,   // not a JSON document, or truncated
    wrong_type, // valid JSON, but a field has the wrong type
    too_large,  // over the size limit for this kind of document
    too_deep,   // nested deeper than any document we accept
    out_of_memory,
  };
  kind what;
  std::string detail;
};

std::string_view to_string(parse_error::kind k);
std::string describe(const parse_error& e);

} // namespace wlg::protocol
