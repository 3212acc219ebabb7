#pragma once

// The sidecar's own container object from the Docker Cloud REST API, read down
// to the names of the containers it is linked to (protocols.md section 2).

#include "protocol/json_document.hpp"
#include "protocol/parse_error.hpp"
#include "protocol/result.hpp"
#include "protocol/worker_list.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace wlg::protocol {

struct refused_name {
  std::string excerpt; // printable, shortened
  std::string reason;
};

struct container_links {
  worker_set workers;                 // valid names, sorted, de-duplicated
  std::vector<refused_name> refused;  // links whose name cannot be written
};

// Names were offered and every one was refused. Writing the empty remainder
// would let hostile or unlabelled names empty the list, so callers treat this
// like a failed fetch; no names at all is a real empty list.
inline bool every_name_refused(const container_links& links) {
  return links.workers.empty() && !links.refused.empty();
}

// A document that is not an object, or whose linked_to_container is not an
// array of objects, is an error. A missing or null linked_to_container means no
// links. A link without a usable name is refused on its own; the others stay.
//
// Two steps, so their time can be told apart: read() takes the link names out
// of the document, check_links() refuses the names that cannot be written and
// sorts the rest; parse() does both.
struct read_links {
  std::vector<std::string_view> names; // into the parser's buffer: valid until its next read()
  std::vector<refused_name> refused;   // links without a string name
};

class container_parser {
public:
  container_parser();
  result<read_links, parse_error> read(std::string_view body);
  result<container_links, parse_error> parse(std::string_view body);
  std::size_t buffer_bytes() const { return reader_.buffer_bytes(); }

private:
  json_reader reader_;
};

container_links check_links(read_links links);

} // namespace wlg::protocol
