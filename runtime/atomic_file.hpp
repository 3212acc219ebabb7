#pragma once

// Replacing a file so that a reader sees the old bytes or the new ones, never
// a mix, even if the process is killed at any instant.

#include "protocol/result.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace wlg::runtime {

enum class write_outcome { written, unchanged };

// Writes `content` to `path` through a temporary file in the same directory:
// write, fsync, rename over `path`, fsync the directory. Skips the write when
// the file already holds exactly these bytes, unless `force`. When `path` is a
// symlink, the file it points to is replaced. An existing file's mode and
// owner are kept; a new file gets mode 0644.
result<write_outcome, std::string> replace_file_atomically(const std::string& path,
                                                           std::string_view content, bool force);

// What `path` (or what it links to) holds now; nothing when it does not
// exist; an error when it exists but cannot be read.
result<std::optional<std::string>, std::string> read_current_content(const std::string& path);

// Removes `path` (or what it links to), as a file that was never written.
result<bool, std::string> remove_written_file(const std::string& path);

// Whether `path` (or what it links to) holds exactly `content`.
bool file_holds(const std::string& path, std::string_view content);

// Temporary files of that naming left behind by a process killed mid-write.
// Returns how many were removed.
std::size_t remove_stale_temporaries(const std::string& path);

// Prefix of the temporary files for `path`, in its directory.
std::string temporary_prefix(const std::string& path);

} // namespace wlg::runtime
