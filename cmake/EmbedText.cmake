# Run as a script: writes OUT, a C++ file returning the text of IN.
file(READ "${IN}" text)
set(body "// Generated from ${IN} at build time. Do not edit.\n#include <string_view>\n\nnamespace ${NAMESPACE} {\n\nstd::string_view ${FUNCTION}() {\n  static constexpr std::string_view kText = R\"storefront_text(${text})storefront_text\";\n  return kText;\n}\n\n}  // namespace ${NAMESPACE}\n")
file(WRITE "${OUT}.tmp" "${body}")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
