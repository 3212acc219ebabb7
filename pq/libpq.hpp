#pragma once

// libpq, loaded the first time --target=citus needs it. A sidecar that writes
// the worker list file never maps libpq, nor the twenty libraries it brings
// along (Kerberos, LDAP, GnuTLS): 3.6 MB of resident memory.

#include <libpq-fe.h>

#include <string>

namespace wlg::pq {

#define WLG_LIBPQ_FUNCTIONS(X)                                                                         \
  X(PQconnectStart) X(PQconnectPoll) X(PQstatus) X(PQerrorMessage) X(PQsetnonblocking) X(PQsocket)     \
  X(PQsendQueryParams) X(PQflush) X(PQconsumeInput) X(PQisBusy) X(PQgetResult) X(PQresultStatus)       \
  X(PQresultErrorMessage) X(PQntuples) X(PQnfields) X(PQgetisnull) X(PQgetvalue) X(PQclear)            \
  X(PQfinish) X(PQconninfoParse) X(PQconninfoFree) X(PQfreemem) X(PQsetNoticeProcessor)                \
  X(PQresultErrorField)

// The libpq functions the sidecar calls, with their types from libpq-fe.h.
struct functions {
#define WLG_LIBPQ_POINTER(name) decltype(&::name) name = nullptr;
  WLG_LIBPQ_FUNCTIONS(WLG_LIBPQ_POINTER)
#undef WLG_LIBPQ_POINTER
};

struct library {
  const functions* api = nullptr; // null when libpq could not be loaded
  std::string error;              // then: why
};

// libpq.so.5, loaded on the first call (thread-safe) and kept for the life
// of the process.
const library& libpq();

} // namespace wlg::pq
