// Statements sent prepared. The first time a connection runs a statement, PostgreSQL parses it
// and keeps it under a name taken from its text; every later run on that connection skips the
// parse, and once PostgreSQL settles on a generic plan (after five runs), the planning too. A
// statement sent with exec_params is parsed and planned again at every run.
//
// For statements whose text is one of a few fixed forms (a schema's name spliced in is fine);
// never for text built from values, which would keep a statement per value on every connection.
#pragma once

#include <pqxx/pqxx>

#include <string>
#include <utility>

namespace storefront::db {

namespace internal {
// "sf_" and the text's 64-bit FNV-1a hash in hex: the same text, the same name on every
// connection; another text, another name.
std::string StatementName(const std::string& sql);
}  // namespace internal

// txn.exec_params(sql, args...), prepared: registers the statement on the transaction's
// connection the first time (libpqxx 6.4 prepares it then, one round trip more, once per
// connection) and runs it by name.
template <typename... Args>
pqxx::result Exec(pqxx::transaction_base& txn, const std::string& sql, Args&&... args) {
  const std::string name = internal::StatementName(sql);
  txn.conn().prepare(name, sql);  // recorded by libpqxx only; a lookup once the connection knows it
  return txn.exec_prepared(name, std::forward<Args>(args)...);
}

}  // namespace storefront::db
