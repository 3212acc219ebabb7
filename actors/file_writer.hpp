#pragma once

#include "actors/context.hpp"
#include "actors/interfaces.hpp"

namespace wlg::actors {

// Renders and writes $CITUS_CONFDIR/pg_worker_list.conf atomically; skips the
// write when the bytes are unchanged. In --dry-run mode prints what it would
// write instead.
file_writer_actor::behavior_type file_writer(file_writer_actor::pointer self, context_ptr ctx);

} // namespace wlg::actors
