# Writes the player's page, style and script into a C++ header as raw string
# literals, so that etcetera-viz carries them and writes pages that need no
# other file. Run at build time (visualizer/CMakeLists.txt):
#   cmake -DOUT=player_assets.h -DHTML=... -DCSS=... -DJS=... -P embed_assets.cmake
set(delimiter "etcetera_asset")
set(body "// Generated from visualizer/player/ by embed_assets.cmake; do not edit.\n#pragma once\n#include <string_view>\nnamespace etcetera::viz {\n")
foreach(pair "kPlayerHtml;${HTML}" "kPlayerCss;${CSS}" "kPlayerJs;${JS}")
  list(GET pair 0 name)
  list(GET pair 1 file)
  file(READ "${file}" text)
  string(FIND "${text}" ")${delimiter}\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${file} contains the raw-string delimiter )${delimiter}\"")
  endif()
  string(APPEND body "inline constexpr std::string_view ${name} = R\"${delimiter}(${text})${delimiter}\";\n")
endforeach()
string(APPEND body "}  // namespace etcetera::viz\n")
file(WRITE "${OUT}.tmp" "${body}")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
